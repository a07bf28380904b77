import type { AwsHandler } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import { createLogger } from '../../shared/lambda/logger.js';
import { createStore } from '../../shared/store/index.js';
import { createSlackApp } from './app.js';
import { loadSlackConfig } from './config.js';
import { readSlackRequest } from './request.js';

// Once per cold start, without a network call: config, logger, table client, the core.
const config = loadSlackConfig(process.env);
const logger = createLogger('slack-bot');
const community = createCommunity({ store: createStore(config.store).engagement });

/** Built on the first invocation, once the secrets (maybe from Secrets Manager) are known. */
let slackApp: AwsHandler | undefined;

/**
 * The Slack endpoint (Events API, slash commands and interactivity; API Gateway HTTP API, payload 2.0).
 * 401 for a forged or stale signature, 400 for a body that cannot be read, 500 when recording failed (Slack
 * redelivers; recording is idempotent), 200 otherwise.
 */
export async function handler(event: HttpEvent): Promise<HttpResult> {
  try {
    const secrets = await config.secrets();
    const request = readSlackRequest(event, secrets.SLACK_SIGNING_SECRET, new Date());
    slackApp ??= createSlackApp({
      signingSecret: secrets.SLACK_SIGNING_SECRET,
      botToken: secrets.SLACK_BOT_TOKEN,
      bot: { botId: config.botId, botUserId: config.botUserId },
      apiUrl: config.apiUrl,
      community,
      logger,
    });
    return answered(await slackApp(request, {}));
  } catch (error) {
    return errorResult(error, logger);
  }
}

function answered(result: HttpResult): HttpResult {
  // Bolt answers 404 when no listener took the request (a command or interaction this bot does not serve).
  // Slack would show the member an error and a retry cannot help: a logged 200 instead.
  if (result.statusCode === 404) {
    logger.info('slack request had no listener');
    return { statusCode: 200, body: '' };
  }
  return result;
}
