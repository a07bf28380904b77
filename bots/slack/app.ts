import { AsyncLocalStorage } from 'node:async_hooks';
// Deep imports on purpose: the package root loads every receiver, OAuth and Socket Mode (see infra/bundling.ts).
import AppModule, { type Logger as BoltLogger, LogLevel } from '@slack/bolt/dist/App.js';
import ReceiverModule from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { COMMAND_NAME } from '../../shared/core/commands.js';
import type { Community } from '../../shared/core/community.js';
import { CommunityError } from '../../shared/core/errors.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { isIgnored } from '../../shared/platform/ignored.js';
import { createModeratorCheck, type ModeratorCheck } from './moderators.js';
import { type BotIdentity, parseEventCallback } from './parse.js';
import { parseButtonPress, parseSlashCommand } from './parse-interactions.js';
import { renderCommandResponse } from './render.js';
import { logIgnoredPayload } from './shapes.js';

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
 * A listener, or Bolt's middleware around it, failed. `code` is the cause's own (a Bolt error code such as
 * `slack_bolt_unknown_error`, or `slack_listener_failed`); errors of our own (a StoreError) are passed on
 * unwrapped instead, so the edge maps them by their class.
 */
export class SlackListenerError extends CommunityError {
  override readonly name = 'SlackListenerError';

  constructor(code: string, options: { cause: unknown }) {
    super(code, 'A Slack listener failed', options);
  }
}

/**
 * Bolt failed on a payload before any listener ran, where it hands nothing to `app.error`. That code only
 * reads the payload, so the same bytes fail again: a shape shapes.ts does not check yet.
 */
export class SlackPayloadUnhandledError extends CommunityError {
  override readonly name = 'SlackPayloadUnhandledError';

  constructor() {
    super('slack_payload_unhandled', 'Bolt failed on this payload before any listener ran');
  }
}

/** One request through Bolt: its answer, or the failure that made Bolt answer 500 (thrown). */
export type SlackApp = (request: HttpEvent) => Promise<HttpResult>;

/**
 * The failure of the request in progress. Bolt's receiver turns a failed listener into a plain-text 500
 * and logs the cause only at debug level; `app.error` sees the cause but not which request it belongs to
 * (a Lambda instance serves one at a time, tests and `npm run dev` many at once).
 */
const currentFailure = new AsyncLocalStorage<{ error?: unknown }>();

/**
 * Builds the Bolt app on an AwsLambdaReceiver and returns a handler around the receiver's. The receiver
 * answers only after every listener has finished (Lambda freezes once the handler returns). When a listener
 * throws, the handler throws its cause, so the edge answers 500 naming it and Slack redelivers an event
 * whose recording failed.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
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
    const failure = currentFailure.getStore();
    if (failure) failure.error ??= listenerFailure(error);
    throw error;
  });
  listenToEvents(app, options);
  listenToCommand(app, options);
  listenToButtons(app, options);
  const handle = receiver.toHandler();
  return async (request) => {
    const failure: { error?: unknown } = {};
    const result = await currentFailure.run(failure, () => handle(request, {}));
    if (result.statusCode === 500) throw failure.error ?? new SlackPayloadUnhandledError();
    return result;
  };
}

/** Bolt wraps an error without a `code` in an UnknownError; the edge wants the original. */
function listenerFailure(error: Error & { readonly code?: unknown; readonly original?: unknown }): unknown {
  const cause = error.original ?? error;
  if (cause instanceof CommunityError) return cause;
  const code = typeof error.code === 'string' ? error.code : 'slack_listener_failed';
  return new SlackListenerError(code, { cause });
}

type BoltApp = InstanceType<typeof App>;

/** Events API deliveries. Bolt acknowledges them itself; the HTTP answer still waits for this listener. */
function listenToEvents(app: BoltApp, { community, logger, bot }: SlackAppOptions): void {
  app.event(/.+/, async (args) => {
    const event = parseEventCallback(args.body, bot);
    if (isIgnored(event)) logIgnoredPayload(logger, event, args.body);
    else {
      const outcome = await community.onEvent(event);
      logger.debug('slack event recorded', { kind: event.kind, eventId: event.id, outcome });
    }
    // Bolt acknowledges every event itself except function_executed, which it leaves to the listener.
    const { ack } = args as { readonly ack?: () => Promise<void> };
    await ack?.();
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
      logIgnoredPayload(logger, invocation, command);
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
    if (isIgnored(press)) logIgnoredPayload(logger, press, body);
    else await community.onEvent(press);
    await ack();
  });
}

/**
 * The receiver's own line for a failed request; it carries no cause. The edge logs the failure itself, with
 * its cause and the delivery's ids, so this one is left out rather than logged twice.
 */
const RECEIVER_FAILURE_LINE = 'An unhandled error occurred while Bolt processed an event';

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
    error: (...parts: unknown[]) => {
      if (parts[0] !== RECEIVER_FAILURE_LINE) logger.error(line(parts));
    },
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
