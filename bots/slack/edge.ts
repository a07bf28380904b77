import { createCommunity } from '../../shared/core/community.js';
import { isLaterJob } from '../../shared/core/later.js';
import { errorResult, runLaterJob } from '../../shared/lambda/edge.js';
import type { BotHandler, HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import { createLaterQueue } from '../../shared/lambda/later-queue.js';
import { createLogger, type LogFields, type Logger } from '../../shared/lambda/logger.js';
import { prefetchPseudonyms } from '../../shared/lambda/member-key.js';
import { createWake } from '../../shared/lambda/wake.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { ignore, isIgnored } from '../../shared/platform/ignored.js';
import { createStore } from '../../shared/store/index.js';
import { InstallationRepository } from '../../shared/store/installation-repository.js';
import { createSlackApp, type SlackApp, SlackPayloadUnhandledError } from './app.js';
import type { SlackConfig } from './config.js';
import { createSlackMessenger } from './messenger.js';
import { SLACK_MODERATOR_RULE } from './moderators.js';
import { readSlackRequest } from './request.js';
import type { SlackSecrets } from './secrets.js';
import { checkBoltShape, logIgnoredPayload, payloadIds, type RoutedPayload } from './shapes.js';
import { SlackWorkspaceNotInstalledError, servedWorkspaces } from './workspaces.js';

/** The acknowledgement Slack needs for a delivery we do not act on: a 2xx, so it is not retried. */
const ACKNOWLEDGED: HttpResult = { statusCode: 200, body: '' };

/**
 * The Slack endpoint (Events API, slash commands and interactivity; API Gateway HTTP API, payload 2.0),
 * and the later jobs it hands its own function (shared/core/later.ts).
 *
 * HTTP: 401 for a forged or stale signature, 400 for a body that is not JSON or a form, 500 (JSON, the log
 * line naming the cause and the delivery) only when recording or answering failed, which Slack's
 * redelivery can cure (the core records and answers once), 200 otherwise. A signed payload whose fields
 * are not what Slack documents is answered 200 with a `payload_unreadable` warning, before Bolt sees it:
 * Slack retries anything but a 2xx, and a retry carries the same bytes.
 *
 * A job comes from Lambda's own asynchronous invocation, never through API Gateway (an HTTP event has no
 * `source`), so it carries no signature; it runs in the core, and a failure throws for Lambda's retry.
 *
 * One workspace (SLACK_BOT_TOKEN) or many: without a bot token, each workspace's token comes from its
 * installation in the table (workspaces.ts), read at its first delivery in this instance. A delivery for a
 * workspace where the app is not installed (any more) is answered 200 with a warning: Slack stops sending
 * them once it has processed the uninstall, and a retry cannot install it.
 *
 * Built once per cold start without a network call (config, logger, table client, the core); the Bolt app
 * (and with it the WebClient the Messenger speaks through) is built on first use, once the secrets (maybe
 * from Secrets Manager) are known: a job may be an instance's first invocation.
 */
export function createSlackHandler(config: SlackConfig, deps: HandlerDeps = {}): BotHandler {
  const logger = deps.logger ?? createLogger('slack-bot');
  const now = deps.now ?? (() => new Date());
  const store = createStore(config.store);
  const workspaces = servedWorkspaces(
    config,
    new InstallationRepository(store.client, config.store.tableName),
  );
  let slackApp: SlackApp | undefined;
  const appWith = (secrets: SlackSecrets): SlackApp => {
    const single = workspaces.single(secrets);
    slackApp ??= createSlackApp({
      signingSecret: secrets.signingSecret,
      ...(single ? { single } : {}),
      bots: workspaces.bots,
      apiUrl: config.apiUrl,
      community,
      messenger,
      logger,
      now,
    });
    return slackApp;
  };
  const messenger = createSlackMessenger({
    client: async () => appWith(await config.secrets()).client,
    bots: workspaces.bots,
    hooksUrl: config.hooksUrl,
    logger,
  });
  const community = createCommunity({
    stores: store.core,
    messenger,
    moderatorRule: SLACK_MODERATOR_RULE,
    later: createLaterQueue(config.later),
    logger,
    now,
    spacesMode: config.spacesMode,
    pseudonyms: config.pseudonyms,
    wake: createWake(config.wake, store.lease, logger),
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  });

  async function serve(event: HttpEvent): Promise<HttpResult> {
    let requestLogger = logger;
    try {
      prefetchPseudonyms(config.pseudonyms);
      const secrets = await config.secrets();
      const { event: request, payload } = readSlackRequest(event, secrets.signingSecret, now());
      requestLogger = withFields(logger, payloadIds(payload));
      const routed = checkBoltShape(payload);
      if (isIgnored(routed)) {
        logIgnoredPayload(logger, routed, payload);
        return ACKNOWLEDGED;
      }
      return answered(await appWith(secrets).handle(request), routed, logger, payload);
    } catch (error) {
      if (error instanceof SlackWorkspaceNotInstalledError) {
        requestLogger.warn('slack delivery for a workspace without the app', { code: error.code });
        return ACKNOWLEDGED;
      }
      if (error instanceof SlackPayloadUnhandledError) {
        // Deterministic for these bytes: a retry cannot cure it, so no 500; error level, so it gets a check.
        requestLogger.error('slack payload failed inside Bolt', { code: error.code, error });
        return ACKNOWLEDGED;
      }
      return errorResult(error, requestLogger);
    }
  }

  return (event) =>
    isLaterJob(event) ? runLaterJob(event, (job) => community.runLater(job), logger) : serve(event);
}

function answered(result: HttpResult, routed: RoutedPayload, logger: Logger, payload: object): HttpResult {
  // Bolt answers 404 when no listener took the request (a command or interaction this bot does not serve).
  // Slack would show the member an error and a retry cannot help: a logged 200 instead.
  if (result.statusCode === 404) {
    logIgnoredPayload(logger, ignore(`${routed.label}: no listener`), payload);
    return ACKNOWLEDGED;
  }
  return result;
}

/** The logger with the delivery's ids on every line, so an error names the event it failed on. */
function withFields(logger: Logger, fields: LogFields): Logger {
  const at =
    (write: Logger['info']) =>
    (message: string, more?: LogFields): void =>
      write(message, { ...fields, ...more });
  return {
    debug: at(logger.debug.bind(logger)),
    info: at(logger.info.bind(logger)),
    warn: at(logger.warn.bind(logger)),
    error: at(logger.error.bind(logger)),
  };
}
