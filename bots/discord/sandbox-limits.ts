/**
 * TEST ONLY. Discord's rate limits and misbehaviour for the fake API (sandbox-api.ts), on a clock shared with
 * the code under test. The limits are declared here from Discord's documentation, independently of what the
 * outbox transport assumes (bots/discord/outbox.ts), so a transport that misreads them is caught.
 *
 * - Per-route buckets (Discord "Rate Limits"): announced on every answer in `X-RateLimit-Limit`,
 *   `-Remaining`, `-Reset` (epoch seconds), `-Reset-After` (seconds, float) and `-Bucket`; a bucket is a fixed
 *   window that starts with its first request and refills whole after `Reset-After`. A call over it is
 *   answered 429 with `X-RateLimit-Scope: user`.
 * - The global limit: 50 requests per second per bot token, across routes; interaction webhooks are not
 *   bound to it. Over it: 429 with `global: true`, `X-RateLimit-Global` and `X-RateLimit-Scope: global`.
 * - A 429 body is `{ message, retry_after (seconds, float), global }`, with a `Retry-After` header.
 *
 * Over a documented limit, the call is recorded in `violations` always, and refused only with `strictLimits`
 * (older tests post answers faster than the outbox would, and the real client waits by itself there).
 */
import {
  type FakeClock,
  type FakeLimit,
  type Fault,
  type FaultPlan,
  faultDice,
  SlidingWindowLimits,
  type Violation,
} from '../../shared/platform/fake-limits.js';
import type { FakeResponse, ReceivedRequest } from '../../shared/platform/fake-server.js';
import { sandboxId } from './sandbox-cast.js';

/** A bucket: `limit` requests per `resetAfterSeconds`, per route and major parameter, as Discord announces. */
export interface RateLimit {
  readonly limit: number;
  readonly resetAfterSeconds: number;
}

/** The bucket of routes whose limit Discord does not document: generous, announced, never enforced. */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 50, resetAfterSeconds: 1 };

/**
 * Create Message (`POST /channels/{channel.id}/messages`): 5 per 5 seconds per channel, the bucket Discord
 * typically announces for it (the channel is the route's top-level resource, so each channel has its own).
 */
export const CREATE_MESSAGE_LIMIT: FakeLimit = {
  name: 'Create Message: 5 per 5 s per channel',
  limit: 5,
  windowMs: 5000,
};

/** Discord "Global Rate Limit": all bots can make up to 50 requests per second to the API. */
export const GLOBAL_LIMIT: FakeLimit = {
  name: 'global: 50 requests per second per bot',
  limit: 50,
  windowMs: 1000,
};

/** What a fault's 429 asks the client to wait, in seconds. */
const FAULT_RETRY_AFTER_SECONDS = 1;

export interface DiscordLimitOptions {
  readonly clock: FakeClock;
  readonly faults?: FaultPlan;
  readonly strictLimits?: boolean;
  /** A test's own bucket for every route, always enforced (a test of the real client's waiting). */
  readonly rateLimit?: RateLimit;
}

/** The calls the outbox makes, by route name (sandbox-api.ts `routeOf`): each rolls the fault dice once. */
export const OUTBOX_ROUTES: ReadonlySet<string> = new Set(['POST messages', 'POST dmChannel']);

export interface DiscordLimits {
  /** Every call that passed a documented limit, oldest first. */
  readonly violations: readonly Violation[];
  /**
   * Answers one call: the global limit and the route's bucket (announced in the headers), then a fault when
   * one is rolled, else `act` (which stores what the call posted).
   */
  answer(request: ReceivedRequest, route: string, major: string, act: () => FakeResponse): FakeResponse;
  /** The next outbox calls meet these faults, in order, before the dice roll again (`none`: answered). */
  failNext(faults: readonly Fault[]): void;
}

interface Bucket {
  readonly id: string;
  readonly limit: FakeLimit;
  /** Refused with 429 when over: a test's own bucket always, a documented one with `strictLimits`. */
  readonly enforced: boolean;
  /** Over it is a violation (documented limits only). */
  readonly documented: boolean;
}

export function createDiscordLimits(options: DiscordLimitOptions): DiscordLimits {
  const { clock, strictLimits = false } = options;
  const global = new SlidingWindowLimits();
  const bucketViolations: Violation[] = [];
  const windows = new Map<string, { used: number; resetAt: number }>();
  const dice = options.faults ? faultDice(options.faults) : () => 'none' as Fault;
  const scripted: Fault[] = [];

  function bucketOf(request: ReceivedRequest, route: string): Bucket {
    const id = sandboxId('bucket', `${request.method} ${route}`);
    const { rateLimit } = options;
    if (rateLimit) {
      const limit = {
        name: 'test bucket',
        limit: rateLimit.limit,
        windowMs: rateLimit.resetAfterSeconds * 1000,
      };
      return { id, limit, enforced: true, documented: false };
    }
    if (`${request.method} ${route}` === 'POST messages') {
      return { id, limit: CREATE_MESSAGE_LIMIT, enforced: strictLimits, documented: true };
    }
    const limit = {
      name: 'undocumented',
      limit: DEFAULT_RATE_LIMIT.limit,
      windowMs: DEFAULT_RATE_LIMIT.resetAfterSeconds * 1000,
    };
    return { id, limit, enforced: false, documented: false };
  }

  /** The bucket's window now: a fresh one once the last has reset (Discord's buckets refill whole). */
  function windowOf(key: string, bucket: Bucket, now: number) {
    const current = windows.get(key);
    if (current && current.resetAt > now) return current;
    const fresh = { used: 0, resetAt: now + bucket.limit.windowMs };
    windows.set(key, fresh);
    return fresh;
  }

  function answer(request: ReceivedRequest, route: string, major: string, act: () => FakeResponse) {
    const now = clock();
    const fault = OUTBOX_ROUTES.has(`${request.method} ${route}`) ? (scripted.shift() ?? dice()) : 'none';
    // Interaction webhooks are authorised by their token, not the bot's, and not bound to the global limit.
    const isBot = String(request.headers.authorization ?? '').startsWith('Bot ');
    if (isBot && !global.admit(GLOBAL_LIMIT, 'bot', now) && strictLimits) {
      return globalLimited(global.waitFor(GLOBAL_LIMIT, 'bot', now));
    }
    if (fault === 'rate_limited') return sharedLimited();
    const bucket = bucketOf(request, route);
    const key = `${bucket.id}:${major}`;
    const window = windowOf(key, bucket, now);
    const headers = (remaining: number) => bucketHeaders(bucket, window.resetAt, now, remaining);
    if (window.used >= bucket.limit.limit) {
      if (bucket.documented) bucketViolations.push({ limit: bucket.limit.name, key: major, at: now });
      if (bucket.enforced) return userLimited(headers(0), (window.resetAt - now) / 1000);
    }
    // From here the request has reached the route and spent from its bucket, whatever happens to it next.
    window.used += 1;
    const announced = headers(Math.max(0, bucket.limit.limit - window.used));
    if (fault === 'server_error')
      return { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
    if (fault === 'timeout_before') return { drop: true };
    const response = act();
    if (fault === 'timeout_after') return { drop: true };
    return { ...response, headers: { ...response.headers, ...announced } };
  }

  return {
    get violations() {
      return [...global.violations, ...bucketViolations].sort((a, b) => a.at - b.at);
    },
    answer,
    failNext: (faults) => scripted.push(...faults),
  };
}

function bucketHeaders(
  bucket: Bucket,
  resetAt: number,
  now: number,
  remaining: number,
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(bucket.limit.limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
    'x-ratelimit-reset-after': (Math.max(0, resetAt - now) / 1000).toFixed(3),
    'x-ratelimit-bucket': bucket.id,
  };
}

function limited(retryAfter: number, global: boolean, headers: Record<string, string>): FakeResponse {
  return {
    status: 429,
    headers: { ...headers, 'retry-after': retryAfter.toFixed(3) },
    body: { message: 'You are being rate limited.', retry_after: retryAfter, global },
  };
}

/** The bot's bucket for this route is empty. */
function userLimited(headers: Record<string, string>, retryAfter: number): FakeResponse {
  return limited(retryAfter, false, { ...headers, 'x-ratelimit-scope': 'user' });
}

/** The bot passed 50 requests in a second. */
function globalLimited(waitMs: number): FakeResponse {
  return limited(waitMs / 1000, true, { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' });
}

/** A fault: the resource's shared limit, which does not count against the bot's own bucket. */
function sharedLimited(): FakeResponse {
  return limited(FAULT_RETRY_AFTER_SECONDS, false, { 'x-ratelimit-scope': 'shared' });
}
