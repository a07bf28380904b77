import { AsyncLocalStorage } from 'node:async_hooks';
import type { webApi } from '@slack/bolt';
// Deep imports on purpose: the package root loads every receiver, OAuth and Socket Mode (see infra/bundling.ts).
import AppModule, { type Logger as BoltLogger, LogLevel } from '@slack/bolt/dist/App.js';
import ReceiverModule from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { COMMAND_NAME } from '../../shared/core/command-table.js';
import type { Community } from '../../shared/core/community.js';
import { CommunityError } from '../../shared/core/errors.js';
import { isMessageChange } from '../../shared/core/events.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { isIgnored } from '../../shared/platform/ignored.js';
import type { InstalledBot } from '../../shared/store/installation-repository.js';
import type { SlackMessenger } from './messenger.js';
import { type BotIdentity, isSpaceChange, parseEventCallback } from './parse.js';
import { parseButtonPress, parseSlashCommand, parseViewSubmission } from './parse-interactions.js';
import { commandResponder, pressResponder, submissionResponder, type ViewAck } from './respond.js';
import { logIgnoredPayload } from './shapes.js';
import { SlackWorkspaceNotInstalledError, type WorkspaceBots } from './workspaces.js';

const App = commonJsDefault(AppModule);
const AwsLambdaReceiver = commonJsDefault(ReceiverModule);

/**
 * Slack has 3 seconds to hear back from a slash command; a Web API call gets 2 of them and is not retried
 * (the WebClient's default would retry for half an hour, long after the Lambda is gone). In a later job a
 * failed call fails the job, and Lambda's own retry takes over (the core answers each part once).
 */
const WEB_API_TIMEOUT_MS = 2000;

/** What the Slack app is built from, once per Lambda instance, after the secrets are known. */
export interface SlackAppOptions {
  readonly signingSecret: string;
  /**
   * One workspace: its bot (SLACK_BOT_TOKEN and the configured ids), Bolt's `token`. Undefined: every
   * workspace that installed the app, each authorized with its own installation (Bolt's `authorize`).
   */
  readonly single?: InstalledBot;
  /** Each workspace's bot; an uninstalled workspace's is forgotten here. */
  readonly bots: WorkspaceBots;
  /** Web API root (SLACK_API_URL), so the real WebClient can talk to a fake Slack. */
  readonly apiUrl: string;
  readonly community: Community;
  /** Answers interactions after their acknowledgement; it uses this app's WebClient. */
  readonly messenger: SlackMessenger;
  readonly logger: Logger;
  /** The clock the core uses too (when a command or a submission arrived). */
  readonly now: () => Date;
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

/** The Bolt app of one Lambda instance. */
export interface SlackApp {
  /** One request through Bolt: its answer, or the failure that made Bolt answer 500 (thrown). */
  readonly handle: (request: HttpEvent) => Promise<HttpResult>;
  /** The Web API client (also what the Messenger speaks through, naming each workspace's token per call). */
  readonly client: webApi.WebClient;
}

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
    ...authorization(options),
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
  listenToSubmissions(app, options);
  const handle = receiver.toHandler();
  return {
    client: app.client,
    async handle(request) {
      const failure: { error?: unknown } = {};
      const result = await currentFailure.run(failure, () => handle(request, {}));
      if (result.statusCode === 500) throw failure.error ?? new SlackPayloadUnhandledError();
      return result;
    },
  };
}

/**
 * How Bolt finds the token for a delivery: the one workspace's, given up front (no network at start, the
 * ids are known); or the installation of the workspace Bolt names (`authorizations[0].team_id` for events,
 * so a Slack Connect event is authorized for the workspace that installed the app), read on its first
 * delivery in this instance.
 */
function authorization({ single, bots }: SlackAppOptions) {
  if (single) return { token: single.token, botId: single.botId, botUserId: single.botUserId };
  return {
    authorize: async ({ teamId, enterpriseId }: { teamId?: string; enterpriseId?: string }) => {
      // An org-wide installation names only its enterprise: not supported (the OAuth function refuses it).
      if (!teamId) throw new SlackWorkspaceNotInstalledError(`of enterprise ${enterpriseId ?? '(none)'}`);
      const bot = await bots.botIn(teamId);
      return { botToken: bot.token, botId: bot.botId, botUserId: bot.botUserId, teamId };
    },
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

/**
 * Events API deliveries. Bolt acknowledges them itself; the HTTP answer still waits for this listener. The
 * bot's own ids come from the authorization (the workspace's installation, or the configured ones), so its
 * own events are skipped in every workspace. `app_uninstalled` and `tokens_revoked` skip authorization (Bolt
 * does so for these two): the workspace's token is gone.
 */
function listenToEvents(app: BoltApp, { community, logger, bots }: SlackAppOptions): void {
  app.event(/.+/, async (args) => {
    const event = parseEventCallback(args.body, botOf(args.context));
    if (isIgnored(event)) logIgnoredPayload(logger, event, args.body);
    else if (isSpaceChange(event)) {
      try {
        await community.onSpaceChange(event);
      } finally {
        if (event.kind === 'bot_removed') bots.forget(event.space.id);
      }
      logger.info('slack app left a workspace', { kind: event.kind });
    } else if (isMessageChange(event)) {
      const outcome = await community.onChange(event);
      logger.debug('slack change taken', { kind: event.kind, eventId: event.id, outcome });
    } else if (event.kind === 'home_opened') {
      await community.onHomeOpened(event);
    } else {
      // Recorded, a redelivery, or not counted: a private chat, or a workspace not served (yet).
      const outcome = await community.onEvent(event);
      logger.debug('slack event taken', { kind: event.kind, eventId: event.id, outcome });
    }
    // Bolt acknowledges every event itself except function_executed, which it leaves to the listener.
    const { ack } = args as { readonly ack?: () => Promise<void> };
    await ack?.();
  });
}

/** The bot's ids in the delivery's workspace, as the authorization gave them (empty where it was skipped). */
function botOf(context: { readonly botId?: string; readonly botUserId?: string }): BotIdentity {
  return { botId: context.botId ?? '', botUserId: context.botUserId ?? '' };
}

/**
 * `/community ...`: the core answers through the command's responder (respond.ts): in the
 * acknowledgement, with a modal, or later through the `response_url`. A repeated delivery is only
 * acknowledged (the core keeps the answers ledger).
 */
function listenToCommand(app: BoltApp, { community, messenger, logger, now }: SlackAppOptions): void {
  app.command(`/${COMMAND_NAME}`, async ({ command, ack }) => {
    const invocation = parseSlashCommand(command, now());
    if (isIgnored(invocation)) {
      logIgnoredPayload(logger, invocation, command);
      return ack();
    }
    const result = await community.onInteraction(invocation, commandResponder(invocation, ack, messenger));
    logger.debug('slack command answered', { eventId: invocation.id, result });
  });
}

/**
 * Presses on the buttons render.ts draws. Acknowledged first: Slack shows nothing from a press's
 * acknowledgement, so the answer goes through the press's `response_url` either way.
 */
function listenToButtons(app: BoltApp, { community, messenger, logger }: SlackAppOptions): void {
  app.action({ type: 'block_actions' }, async ({ body, ack }) => {
    await ack();
    const press = parseButtonPress(body);
    if (isIgnored(press)) return logIgnoredPayload(logger, press, body);
    const result = await community.onInteraction(press, pressResponder(press, messenger));
    logger.debug('slack button press answered', { eventId: press.id, result });
  });
}

/** Modals the bot opened, submitted: their acknowledgement closes them (respond.ts). */
function listenToSubmissions(app: BoltApp, { community, messenger, logger, now }: SlackAppOptions): void {
  app.view({ type: 'view_submission' }, async ({ body, ack }) => {
    const submission = parseViewSubmission(body, now());
    if (isIgnored(submission)) {
      logIgnoredPayload(logger, submission, body);
      return ack();
    }
    // Bolt types a view's ack as a union of two signatures; a push response is valid for a submission.
    const respond = submissionResponder(submission, ack as ViewAck, messenger);
    const result = await community.onInteraction(submission, respond);
    logger.debug('slack form submission answered', { eventId: submission.id, result });
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
