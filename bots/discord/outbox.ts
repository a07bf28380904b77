/**
 * Discord's side of the outbox (shared/core/outbox/): one attempt at one message, with Node's built-in
 * `fetch` rather than @discordjs/rest.
 *
 * Why not the SDK client the handler uses (rest.ts): it keeps Discord's buckets itself and, when one is
 * empty or a 429 comes back, waits inside the call on the wall clock (`Date.now()` and timers). The worker
 * paces sends on its own injected clock, shared in a simulation with the fake servers; a client that sleeps
 * on another clock would make a simulated day take a real one (or see its buckets never refill), and while
 * it slept the worker's Lambda time would be spent on one channel instead of the others that are due. So
 * each call here is made once, never retried or delayed, and everything Discord said about its limits is
 * handed back to the worker: the channel's bucket from the `X-RateLimit-*` headers of every answer
 * (outbox-answer.ts), and a 429's `retry_after`.
 *
 * Exactly once: every message carries a `nonce` derived from its outbox id with `enforce_nonce`, so when an
 * attempt's outcome is unknown (a 5xx, a timeout, a dropped connection) the worker simply sends again:
 * Discord returns the message the first attempt made, if it made one, instead of posting a second.
 *
 * Nothing is read or connected when the transport is built; the bot token is read on the first send.
 */
import { createHash } from 'node:crypto';
import type { Member } from '../../shared/core/events.js';
import type {
  Audience,
  OutboxMessage,
  OutboxTransport,
  PaceRule,
  SendResult,
} from '../../shared/core/outbox/model.js';
import type { Env } from '../../shared/lambda/env.js';
import type { OutboxTransportDeps } from '../../shared/lambda/outbox-transport.js';
import { type DiscordOutboxConfig, loadDiscordOutboxConfig } from './config.js';
import { announcedRule, type CallOutcome, GLOBAL_KEY, readOpened, readPosted } from './outbox-answer.js';
import { renderMessage } from './render.js';

/** Discord "Global Rate Limit": a bot may make 50 requests per second. */
export const DISCORD_GLOBAL_RULE: PaceRule = { key: GLOBAL_KEY, limit: 50, windowMs: 1000 };
/** Create Message's usual bucket per channel, used until Discord has announced the channel's own. */
export const DEFAULT_CHANNEL_BUCKET = { limit: 5, windowMs: 5000 } as const;
/** How long one call may take before its outcome counts as unknown. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Discord: a nonce is at most 25 characters. */
export const NONCE_LENGTH = 25;
/** Discord asks for `DiscordBot ($url, $versionNumber)`; the project has no public URL yet. */
const USER_AGENT = 'DiscordBot (community-bots, 0.1.0)';

/** The pace key of a channel's Create Message bucket (a thread is a channel of its own). */
export const channelKey = (channelId: string): string => `discord:channel:${channelId}`;
/** The pace key of the DM channel with a member: one per member, whatever its channel id turns out to be. */
export const directKey = (member: Member): string => `discord:dm:${member.id}`;

/** The nonce of a message: the same for every attempt, different for every outbox id. */
export function nonceOf(outboxId: string): string {
  return createHash('sha256').update(outboxId).digest('base64url').slice(0, NONCE_LENGTH);
}

/** Discord's outbox transport, reading DISCORD_API_URL and the bot token from `env` as the handler does. */
export function createDiscordOutboxTransport(env: Env, deps: OutboxTransportDeps): OutboxTransport {
  return createTransport(loadDiscordOutboxConfig(env), deps);
}

function createTransport(config: DiscordOutboxConfig, deps: OutboxTransportDeps): OutboxTransport {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  /** Buckets Discord announced, by pace key; a Lambda instance sees a few channels. */
  const announced = new Map<string, PaceRule>();
  /** DM channels opened, by member id: Discord keeps one per member, so opening it again is a wasted call. */
  const directChannels = new Map<string, string>();
  let token: Promise<string> | undefined;

  function readToken(): Promise<string> {
    token ??= config.secrets().then(
      (values) => values.DISCORD_BOT_TOKEN,
      (error: unknown) => {
        // A failed secret read is tried again by the next send.
        token = undefined;
        throw error;
      },
    );
    return token;
  }

  /** One POST, made once: no retry, no wait. */
  async function call(path: string, body: unknown, bot: string): Promise<CallOutcome> {
    try {
      const response = await fetch(`${config.apiUrl}/v10${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bot ${bot}`,
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      return { kind: 'answered', status: response.status, headers: response.headers, body: parseJson(text) };
    } catch (error) {
      return { kind: 'lost', reason: lostReason(error, timeoutMs) };
    }
  }

  async function post(channelId: string, key: string, body: unknown, bot: string, direct: boolean) {
    const outcome = await call(`/channels/${encodeURIComponent(channelId)}/messages`, body, bot);
    const rule = outcome.kind === 'answered' ? announcedRule(outcome.headers, key) : undefined;
    if (rule) announced.set(key, rule);
    return readPosted(outcome, key, direct);
  }

  async function sendDirect(member: Member, body: unknown, bot: string): Promise<SendResult> {
    const key = directKey(member);
    let channelId = directChannels.get(member.id);
    if (!channelId) {
      const opened = readOpened(await call('/users/@me/channels', { recipient_id: member.id }, bot), key);
      if (opened.kind === 'failed') return opened.result;
      channelId = opened.channelId;
      directChannels.set(member.id, channelId);
    }
    return post(channelId, key, body, bot, true);
  }

  const bucketRule = (key: string): PaceRule => announced.get(key) ?? { key, ...DEFAULT_CHANNEL_BUCKET };

  return {
    platform: 'discord',
    onUnknown: 'resend',
    // Discord drops a repeated nonce for "a few minutes": resends stay well inside two.
    resendWithinMs: 90_000,

    // The channel's bucket first: the worker holds back the first rule's key after a 429.
    paceRules(audience: Audience) {
      const key =
        audience.kind === 'channel' ? channelKey(targetChannel(audience)) : directKey(audience.member);
      return [bucketRule(key), DISCORD_GLOBAL_RULE];
    },

    async send(message: OutboxMessage) {
      let bot: string;
      try {
        bot = await readToken();
      } catch (error) {
        // Nothing was sent: try again later, when the secret may be readable.
        return { kind: 'retry', reason: `bot token not readable: ${errorText(error)}` };
      }
      const body = { ...renderMessage(message.message), nonce: nonceOf(message.id), enforce_nonce: true };
      const { audience } = message;
      if (audience.kind === 'member') return sendDirect(audience.member, body, bot);
      const channelId = targetChannel(audience);
      return post(channelId, channelKey(channelId), body, bot, false);
    },
  };
}

/** Where a channel post goes: the thread when there is one (a thread is a channel on Discord). */
function targetChannel(audience: Extract<Audience, { kind: 'channel' }>): string {
  return audience.target.threadId ?? audience.target.channelId;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page: the status alone decides.
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why no answer came, in words: a timeout, or the connection's error code. */
function lostReason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `no answer: ${errorText(error)}${code}`;
}
