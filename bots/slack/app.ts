// Deep imports on purpose: the package root loads every receiver, OAuth and Socket Mode (see infra/bundling.ts).
import AppModule, { type Logger as BoltLogger, LogLevel } from '@slack/bolt/dist/App.js';
import ReceiverModule, { type AwsHandler } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { COMMAND_NAME } from '../../shared/core/commands.js';
import type { Community } from '../../shared/core/community.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { createModeratorCheck, type ModeratorCheck } from './moderators.js';
import {
  type BotIdentity,
  isIgnored,
  parseButtonPress,
  parseEventCallback,
  parseSlashCommand,
} from './parse.js';
import { renderCommandResponse } from './render.js';

const App = commonJsDefault(AppModule);
const AwsLambdaReceiver = commonJsDefault(ReceiverModule);

/**
 * Slack has 3 seconds to hear back from a slash command; a Web API call gets 2 of them and is not retried
 * (the WebClient's default would retry for half an hour, long after the Lambda is gone).
 */
const WEB_API_TIMEOUT_MS = 2000;

/** What the Slack app is built from, once per Lambda instance, after the secrets are known. */
export interface SlackAppOptions {
  readonly signingSecret: string;
  readonly botToken: string;
  readonly bot: BotIdentity;
  /** Web API root (SLACK_API_URL), so the real WebClient can talk to a fake Slack. */
  readonly apiUrl: string;
  readonly community: Community;
  readonly logger: Logger;
  readonly isModerator?: ModeratorCheck;
  readonly now?: () => Date;
}

/**
 * Builds the Bolt app on an AwsLambdaReceiver and returns the receiver's handler. The receiver answers only
 * after every listener has finished (Lambda freezes once the handler returns), and answers 500 when one
 * throws, so Slack redelivers an event whose recording failed.
 */
export function createSlackApp(options: SlackAppOptions): AwsHandler {
  const boltLogger = toBoltLogger(options.logger);
  const receiver = new AwsLambdaReceiver({
    signingSecret: options.signingSecret,
    // Verified before the receiver sees the request (request.ts): the receiver would parse the body first.
    signatureVerification: false,
    logger: boltLogger,
  });
  const app = new App({
    receiver,
    token: options.botToken,
    botId: options.bot.botId,
    botUserId: options.bot.botUserId,
    // Known ids instead of an auth.test call: no network at start.
    tokenVerificationEnabled: false,
    // parse.ts skips the bot's own events itself, with a log line, instead of Bolt dropping them silently.
    ignoreSelf: false,
    convoStore: false,
    logger: boltLogger,
    clientOptions: {
      slackApiUrl: options.apiUrl,
      timeout: WEB_API_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    },
  });
  app.error(async (error) => {
    options.logger.error('slack listener failed', { code: error.code, error });
    throw error;
  });
  listenToEvents(app, options);
  listenToCommand(app, options);
  listenToButtons(app, options);
  return receiver.toHandler();
}

type BoltApp = InstanceType<typeof App>;

/** Events API deliveries. Bolt acknowledges them itself; the HTTP answer still waits for this listener. */
function listenToEvents(app: BoltApp, { community, logger, bot }: SlackAppOptions): void {
  app.event(/.+/, async ({ body }) => {
    const event = parseEventCallback(body, bot);
    if (isIgnored(event)) {
      logger.debug('slack event ignored', { eventId: body.event_id, reason: event.ignored });
      return;
    }
    const outcome = await community.onEvent(event);
    logger.debug('slack event recorded', { kind: event.kind, eventId: event.id, outcome });
  });
}

/** `/community ...`: answered in the acknowledgement itself, which Slack shows to the member. */
function listenToCommand(app: BoltApp, options: SlackAppOptions): void {
  const { community, logger } = options;
  const isModerator = options.isModerator ?? createModeratorCheck();
  const now = options.now ?? (() => new Date());
  app.command(`/${COMMAND_NAME}`, async ({ command, ack, client }) => {
    const invocation = parseSlashCommand(command, now());
    if (isIgnored(invocation)) {
      logger.warn('slack command ignored', { reason: invocation.ignored });
      return ack();
    }
    const { space } = invocation.location;
    const reply = await community.onCommand(invocation, () =>
      isModerator(client, space.id, invocation.member.id),
    );
    // A repeated delivery was answered the first time: acknowledge it without a second answer.
    await ack(reply ? renderCommandResponse(reply) : undefined);
  });
}

/** Presses on the buttons render.ts draws: recorded, then acknowledged. */
function listenToButtons(app: BoltApp, { community, logger }: SlackAppOptions): void {
  app.action({ type: 'block_actions' }, async ({ body, ack }) => {
    const press = parseButtonPress(body);
    if (isIgnored(press)) logger.debug('slack interaction ignored', { reason: press.ignored });
    else await community.onEvent(press);
    await ack();
  });
}

/**
 * Bolt's and the WebClient's log lines, through the bot's structured logger. Their debug lines are
 * dropped: Bolt logs whole request bodies at debug level, and message text must never reach the logs.
 */
function toBoltLogger(logger: Logger): BoltLogger {
  const line = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: () => {},
    info: (...parts: unknown[]) => logger.info(line(parts)),
    warn: (...parts: unknown[]) => logger.warn(line(parts)),
    error: (...parts: unknown[]) => logger.error(line(parts)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/**
 * The class a CommonJS module exports as `exports.default`. Node (and the ESM bundle) hand over the whole
 * `module.exports` as the default import; vitest unwraps `__esModule` modules first. Accept both.
 */
function commonJsDefault<T>(module: { readonly default: T }): T {
  return (module as { readonly default?: T }).default ?? (module as unknown as T);
}
