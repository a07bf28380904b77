import { ErrorCode, LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type {
  Audience,
  OutboxMessage,
  OutboxTransport,
  PaceRule,
  SendResult,
} from '../../shared/core/outbox/model.js';
import type { Env } from '../../shared/lambda/env.js';
import type { Logger } from '../../shared/lambda/logger.js';
import type { OutboxTransportDeps } from '../../shared/lambda/outbox-transport.js';
import { InstallationRepository } from '../../shared/store/installation-repository.js';
import { loadSlackOutboxConfig } from './config.js';
import { DIRECT_REFUSALS, platformError } from './messenger.js';
import { renderMessage } from './render.js';
import {
  SlackWorkspaceNotInstalledError,
  servedWorkspaces,
  TOKEN_REFUSALS,
  type WorkspaceBots,
} from './workspaces.js';

/**
 * The outbox's Slack side: one `chat.postMessage` per attempt, with the workspace's bot token, and the
 * answer mapped to what the worker needs to know (shared/core/outbox/attempt.ts). The WebClient neither
 * retries nor sleeps on a 429: the worker decides when to try again, on its own clock.
 *
 * Exactly once: every post carries message metadata naming its outbox id ({@link OUTBOX_EVENT_TYPE}).
 * After an attempt nobody heard back from (a timeout, a dropped connection, a 5xx, after which Slack may
 * have posted it), the worker asks {@link OutboxTransport.find} first: the channel's history since the
 * first attempt, metadata included, says whether it is there.
 */

/** The message metadata `event_type` of the outbox's posts; its payload is `{ outbox_id }`. */
export const OUTBOX_EVENT_TYPE = 'community_outbox';

/** How long a call may take before its outcome counts as unknown (OutboxTransportDeps.timeoutMs). */
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Slack, "Rate limits": chat.postMessage "generally allows posting one message per second per channel"
 * (short bursts tolerated, not promised). A private message lands in the member's DM, a channel of its own.
 */
const POSTS_PER_CHANNEL: Omit<PaceRule, 'key'> = { limit: 1, windowMs: 1000 };
/** A lookup searches from a minute before the first attempt: clocks differ, Slack's `ts` is Slack's time. */
const LOOKUP_MARGIN_MS = 60_000;
/** Messages per history page (Slack allows up to 999; fewer pages spend less of the Tier 3 budget). */
const HISTORY_PAGE = 200;
/** A channel busier than this many pages since the first attempt cannot be searched: unknown, not absent. */
const HISTORY_PAGES = 10;

/**
 * Platform errors after which Slack did not post and may well take the same request later: its service is
 * down for a moment, the request arrived truncated, the workspace is migrating (Slack's common errors).
 */
const TRANSIENT_REFUSALS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
/** Slack: "It's possible some aspect of the operation succeeded before the error was raised." */
const MAYBE_DONE: ReadonlySet<string> = new Set(['internal_error', 'fatal_error']);
/** Connection errors that mean the request never reached Slack. */
const NEVER_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Where one attempt goes: a channel (maybe a thread), or a member's DM named by their user id. */
interface SlackTarget {
  readonly teamId: string;
  /** A channel id, or for a DM the member's user id (chat.postMessage posts that into their DM). */
  readonly channel: string;
  readonly threadTs?: string;
  readonly direct: boolean;
}

/**
 * The Slack transport of the outbox worker. Settings come from the Slack bot's own (SLACK_API_URL, the
 * Slack secret; SLACK_BOT_TOKEN's one workspace or every installation in the table, as the events handler
 * serves them). Nothing is read or connected until the first send.
 */
export function createSlackOutboxTransport(env: Env, deps: OutboxTransportDeps): OutboxTransport {
  const config = loadSlackOutboxConfig(env);
  const installations = new InstallationRepository(deps.store.client, deps.store.tableName);
  const { bots } = servedWorkspaces(config, installations);
  const web = new WebClient(undefined, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    logger: sdkLogger(deps.logger),
  });

  return {
    platform: 'slack',
    onUnknown: 'lookup',
    paceRules: (audience) => [{ key: paceKey(audience), ...POSTS_PER_CHANNEL }],
    send: (message) => send(web, bots, message),
    find: (message) => find(web, bots, message),
  };
}

/** `slack:<team>:<channel>` for a post, `slack:<team>:dm:<user>` for a private message. */
function paceKey(audience: Audience): string {
  const target = targetOf(audience);
  return `slack:${target.teamId}:${target.direct ? 'dm:' : ''}${target.channel}`;
}

async function send(web: WebClient, bots: WorkspaceBots, message: OutboxMessage): Promise<SendResult> {
  const target = targetOf(message.audience);
  let token: string;
  try {
    token = (await bots.botIn(target.teamId)).token;
  } catch (error) {
    if (error instanceof SlackWorkspaceNotInstalledError) return { kind: 'refused', reason: error.code };
    // The installation or the secret could not be read: nothing was sent.
    return { kind: 'retry', reason: `bot token not read: ${describe(error)}` };
  }
  try {
    const answer = await web.chat.postMessage({
      token,
      channel: target.channel,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      ...renderMessage(message.message),
      metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { outbox_id: message.id } },
    });
    if (!answer.ts) return { kind: 'unknown', reason: 'chat.postMessage answered without a ts' };
    return { kind: 'sent', posted: { channelId: answer.channel ?? target.channel, messageId: answer.ts } };
  } catch (error) {
    return sendFailure(error, target, () => bots.forget(target.teamId));
  }
}

/** What a failed `chat.postMessage` means for the message. */
function sendFailure(error: unknown, target: SlackTarget, forget: () => void): SendResult {
  const { code, retryAfter, statusCode } = (error ?? {}) as {
    code?: unknown;
    retryAfter?: unknown;
    statusCode?: unknown;
  };
  switch (code) {
    case ErrorCode.RateLimitedError:
      // Slack's 429 names neither the channel nor the workspace-wide limit: the worker blocks the channel.
      return {
        kind: 'retry',
        reason: 'rate limited (429)',
        ...(typeof retryAfter === 'number' ? { afterMs: retryAfter * 1000 } : {}),
      };
    case ErrorCode.HTTPError:
      // Slack answers 200 or 429; anything else came from a failure on the way, after which it may be posted.
      return { kind: 'unknown', reason: `HTTP ${String(statusCode)}` };
    case ErrorCode.RequestError:
      return requestFailure(error);
    case ErrorCode.PlatformError:
      return platformFailure(platformError(error) ?? 'unknown_error', target, forget);
    default:
      return { kind: 'unknown', reason: describe(error) };
  }
}

/** No HTTP answer: never sent when the connection could not be made; otherwise nobody knows. */
function requestFailure(error: unknown): SendResult {
  const original = (error as { original?: { name?: unknown; cause?: { code?: unknown } } }).original;
  const cause = original?.cause?.code;
  if (typeof cause === 'string' && NEVER_SENT.has(cause)) {
    return { kind: 'retry', reason: `could not connect (${cause})` };
  }
  if (original?.name === 'TimeoutError') return { kind: 'unknown', reason: 'no answer within the timeout' };
  return { kind: 'unknown', reason: `connection lost (${typeof cause === 'string' ? cause : 'no answer'})` };
}

/** An `ok: false` answer: Slack's error code decides. */
function platformFailure(code: string, target: SlackTarget, forget: () => void): SendResult {
  if (TRANSIENT_REFUSALS.has(code)) return { kind: 'retry', reason: code };
  if (MAYBE_DONE.has(code)) return { kind: 'unknown', reason: code };
  if (TOKEN_REFUSALS.has(code)) {
    // Uninstalled (the next attempt finds no installation: refused) or reinstalled (a new token works).
    forget();
    return { kind: 'retry', reason: code };
  }
  if (target.direct && DIRECT_REFUSALS.has(code)) return { kind: 'unreachable', reason: code };
  return { kind: 'refused', reason: code };
}

/**
 * Whether an earlier attempt of the message was posted: the channel's history (a thread's replies) since a
 * minute before the first attempt, with message metadata, searched for its outbox id. A DM is searched in
 * the member's IM channel (`conversations.open` names it). A failed or too long search is `unknown`.
 */
async function find(web: WebClient, bots: WorkspaceBots, message: OutboxMessage) {
  const target = targetOf(message.audience);
  try {
    const { token } = await bots.botIn(target.teamId);
    const channel = target.direct ? await directChannel(web, token, target.channel) : target.channel;
    const since = (message.firstAttemptAt ?? message.createdAt).getTime() - LOOKUP_MARGIN_MS;
    const ts = await searchHistory(
      web,
      { token, channel, oldest: (since / 1000).toFixed(6) },
      target,
      message.id,
    );
    return ts
      ? ({ kind: 'found', posted: { channelId: channel, messageId: ts } } as const)
      : ({ kind: 'absent' } as const);
  } catch (error) {
    return { kind: 'unknown', reason: `lookup failed: ${describe(error)}` } as const;
  }
}

/** The member's IM channel with the app (`D...`). */
async function directChannel(web: WebClient, token: string, userId: string): Promise<string> {
  const opened = await web.conversations.open({ token, users: userId });
  const id = opened.channel?.id;
  if (!id) throw new Error('conversations.open answered without a channel');
  return id;
}

interface HistoryQuery {
  readonly token: string;
  readonly channel: string;
  readonly oldest: string;
}

/** The `ts` of the message carrying the outbox id, or undefined once the whole window was read. */
async function searchHistory(
  web: WebClient,
  query: HistoryQuery,
  target: SlackTarget,
  outboxId: string,
): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const args = { ...query, limit: HISTORY_PAGE, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    // A thread reply is not in the channel's history, only in its thread's replies.
    const answer = target.threadTs
      ? await web.conversations.replies({ ...args, ts: target.threadTs })
      : await web.conversations.history(args);
    const found = (answer.messages ?? []).find((posted) => carries(posted.metadata, outboxId));
    if (found?.ts) return found.ts;
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!answer.has_more || !cursor) return undefined;
  }
  throw new Error(`more than ${HISTORY_PAGES * HISTORY_PAGE} messages since the first attempt`);
}

function carries(
  metadata: { event_type?: string; event_payload?: unknown } | undefined,
  id: string,
): boolean {
  if (metadata?.event_type !== OUTBOX_EVENT_TYPE) return false;
  return (metadata.event_payload as { outbox_id?: unknown } | undefined)?.outbox_id === id;
}

function targetOf(audience: Audience): SlackTarget {
  if (audience.kind === 'member') {
    return { teamId: audience.space.id, channel: audience.member.id, direct: true };
  }
  const { space, channelId, threadId } = audience.target;
  return { teamId: space.id, channel: channelId, ...(threadId ? { threadTs: threadId } : {}), direct: false };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The WebClient's log lines through the worker's logger. Debug lines are dropped (they hold request
 * bodies, message text included); its warnings are about calls whose outcome the transport maps and the
 * worker logs, so they are only information here.
 */
function sdkLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: () => {},
    info: (...parts: unknown[]) => logger.debug(line(parts)),
    warn: (...parts: unknown[]) => logger.info(line(parts)),
    error: (...parts: unknown[]) => logger.error(line(parts)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
