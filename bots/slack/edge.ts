import type { AwsHandler } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import { createLogger, type Logger } from '../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createStore } from '../../shared/store/index.js';
import { createSlackApp } from './app.js';
import type { SlackConfig } from './config.js';
import { SLACK_MODERATOR_RULE } from './moderators.js';
import { readSlackRequest } from './request.js';

/**
 * The Slack endpoint (Events API, slash commands and interactivity; API Gateway HTTP API, payload 2.0).
 * 401 for a forged or stale signature, 400 for a body that cannot be read, 500 when recording failed (Slack
 * redelivers; recording is idempotent), 200 otherwise.
 *
 * Built once per cold start without a network call (config, logger, table client, the core); the Bolt app
 * is built on the first invocation, once the secrets (maybe from Secrets Manager) are known.
 */
export function createSlackHandler(config: SlackConfig, deps: HandlerDeps = {}): HttpHandler {
  const logger = deps.logger ?? createLogger('slack-bot');
  const now = deps.now ?? (() => new Date());
  const community = createCommunity({
    store: createStore(config.store).engagement,
    moderatorRule: SLACK_MODERATOR_RULE,
    now,
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  });
  let slackApp: AwsHandler | undefined;
  return async (event) => {
    try {
      const secrets = await config.secrets();
      const request = readSlackRequest(event, secrets.SLACK_SIGNING_SECRET, now());
      slackApp ??= createSlackApp({
        signingSecret: secrets.SLACK_SIGNING_SECRET,
        botToken: secrets.SLACK_BOT_TOKEN,
        bot: { botId: config.botId, botUserId: config.botUserId },
        apiUrl: config.apiUrl,
        community,
        logger,
        now,
      });
      return answered(await slackApp(request, {}), logger);
    } catch (error) {
      return errorResult(error, logger);
    }
  };
}

function answered(result: HttpResult, logger: Logger): HttpResult {
  // Bolt answers 404 when no listener took the request (a command or interaction this bot does not serve).
  // Slack would show the member an error and a retry cannot help: a logged 200 instead.
  if (result.statusCode === 404) {
    logger.info('slack request had no listener');
    return { statusCode: 200, body: '' };
  }
  return result;
}
