import {
  type FakeClock,
  type FakeLimit,
  type Fault,
  type FaultPlan,
  faultDice,
  realClock,
  SlidingWindowLimits,
  type Violation,
} from '../../shared/platform/fake-limits.js';
import {
  type FakeResponse,
  type FakeRoute,
  type FakeServer,
  type ReceivedRequest,
  startFakeServer,
} from '../../shared/platform/fake-server.js';

/**
 * The fake Slack under load: the documented limits of the calls the outbox makes, counted on a clock the
 * test shares with the outbox worker; seeded faults; and every message actually delivered, with its
 * metadata, which `conversations.history` serves back. sandbox-api.ts routes the calls here.
 */

/** How the fake Slack behaves under load (all off by default: the sandbox and the older tests). */
export interface FakeSlackOptions {
  /** The clock limits are counted on and message timestamps are taken from (default: the real one). */
  readonly clock?: FakeClock;
  /** Seeded faults: each outbox call (post, history, replies, open) rolls once. */
  readonly faults?: FaultPlan;
  /**
   * Answer a call over a documented limit with Slack's 429. Off, the call goes through and is only counted
   * in `violations` (tests that answer members faster than the outbox would may keep doing so).
   */
  readonly strictLimits?: boolean;
}

/**
 * The limits Slack documents for the calls the outbox makes, declared here independently of the transport
 * (docs.slack.dev "Rate limits" and each method's page). Limits apply per method per workspace per app.
 */
export const FAKE_SLACK_LIMITS = {
  // "chat.postMessage generally allows posting one message per second per channel": short bursts are
  // tolerated but not promised, so the fake counts strictly.
  post: { name: 'chat.postMessage: 1 per second per channel', limit: 1, windowMs: 1000 },
  // Tier 3: "50+ per minute". (Since 2025, commercially distributed apps outside the Marketplace get far
  // less for history and replies; this bot is installed by its own community.)
  history: { name: 'conversations.history: Tier 3, 50 per minute', limit: 50, windowMs: 60_000 },
  replies: { name: 'conversations.replies: Tier 3, 50 per minute', limit: 50, windowMs: 60_000 },
  open: { name: 'conversations.open: Tier 3, 50 per minute', limit: 50, windowMs: 60_000 },
} as const satisfies Record<string, FakeLimit>;

/** The outbox's calls, and which limit each spends from. */
const LIMIT_OF: Readonly<Record<string, FakeLimit>> = {
  'chat.postMessage': FAKE_SLACK_LIMITS.post,
  'conversations.history': FAKE_SLACK_LIMITS.history,
  'conversations.replies': FAKE_SLACK_LIMITS.replies,
  'conversations.open': FAKE_SLACK_LIMITS.open,
};

/** What a 429 from a fault says: retry in a second. */
const FAULT_RETRY_AFTER_SECONDS = 1;
/** `conversations.history`'s default page size and Slack's maximum. */
const HISTORY_DEFAULT = 100;
const HISTORY_MAX = 999;
const TS = /^\d{1,12}(\.\d{1,9})?$/;

/** Message metadata as Slack keeps it. */
export interface FakeMetadata {
  readonly event_type: string;
  readonly event_payload: Readonly<Record<string, unknown>>;
}

/** A message the fake Slack delivered: where, its `ts`, and what it carried. */
export interface FakeSlackMessage {
  readonly team: string;
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly text: string;
  readonly botId: string;
  readonly metadata?: FakeMetadata;
}

/** The traffic state of one fake Slack server. */
export interface FakeSlackTraffic {
  readonly clock: FakeClock;
  /** Every call past a documented limit (strict or not). */
  readonly violations: readonly Violation[];
  /** Every message delivered, in order (deleted ones included: the record of what went out). */
  readonly delivered: readonly FakeSlackMessage[];
  /** Changes the fault plan from now on (`undefined`: no faults). */
  setFaults(plan: FaultPlan | undefined): void;
  /**
   * Before an outbox call acts: a 429 (strict limit or fault), a 500 or a dropped connection to answer
   * instead, or `act` to go on, then `drop` if the answer is to be lost after acting.
   */
  admit(
    method: string,
    key: string,
  ): { readonly answer: FakeResponse } | { readonly act: true; drop: boolean };
  /** A new message `ts`, Slack's `seconds.micros`, unique. */
  nextTs(): string;
  /** Keeps a delivered message. */
  deliver(message: FakeSlackMessage): void;
}

export function createFakeSlackTraffic(options: FakeSlackOptions = {}): FakeSlackTraffic {
  const clock = options.clock ?? realClock;
  const limits = new SlidingWindowLimits();
  const delivered: FakeSlackMessage[] = [];
  let roll: (() => Fault) | undefined = options.faults && faultDice(options.faults);
  let sequence = 0;
  return {
    clock,
    violations: limits.violations,
    delivered,
    setFaults: (plan) => {
      roll = plan && faultDice(plan);
    },
    admit(method, key) {
      const limit = LIMIT_OF[method];
      if (!limit) return { act: true, drop: false };
      const now = clock();
      const wait = limits.waitFor(limit, key, now);
      if (!limits.admit(limit, key, now) && options.strictLimits) {
        return { answer: rateLimited(Math.max(1, Math.ceil(wait / 1000))) };
      }
      return faultAnswer(roll?.() ?? 'none');
    },
    nextTs() {
      sequence += 1;
      return `${Math.floor(clock() / 1000)}.${String(sequence).padStart(6, '0')}`;
    },
    deliver: (message) => void delivered.push(message),
  };
}

/** A running fake Slack, with what it counted and delivered. */
export interface FakeSlack extends FakeServer {
  /** Every call past one of Slack's documented limits. */
  readonly violations: readonly Violation[];
  /** Every message delivered, in order, with its channel, `ts` and metadata. */
  readonly delivered: readonly FakeSlackMessage[];
  /** Changes the fault plan from now on. */
  setFaults(plan: FaultPlan | undefined): void;
}

export interface FakeSlackServerOptions extends FakeSlackOptions {
  readonly port?: number;
  readonly onRequest?: (request: ReceivedRequest, response: FakeResponse) => void;
}

/** Starts a fake Slack server on loopback whose route (sandbox.ts) shares this traffic state. */
export async function startFakeSlackServer(
  route: (traffic: FakeSlackTraffic) => FakeRoute,
  options: FakeSlackServerOptions = {},
): Promise<FakeSlack> {
  const traffic = createFakeSlackTraffic(options);
  const server = await startFakeServer('slack', route(traffic), options);
  return Object.assign(server, {
    violations: traffic.violations,
    delivered: traffic.delivered,
    setFaults: traffic.setFaults,
  });
}

function faultAnswer(
  fault: Fault,
): { readonly answer: FakeResponse } | { readonly act: true; drop: boolean } {
  switch (fault) {
    case 'rate_limited':
      return { answer: rateLimited(FAULT_RETRY_AFTER_SECONDS) };
    case 'server_error':
      return { answer: { status: 500, body: 'internal_error' } };
    case 'timeout_before':
      return { answer: { drop: true } };
    case 'timeout_after':
      return { act: true, drop: true };
    case 'none':
      return { act: true, drop: false };
  }
}

/** Slack's 429: HTTP 429 with `Retry-After` in seconds. */
function rateLimited(seconds: number): FakeResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(seconds) },
    body: { ok: false, error: 'ratelimited' },
  };
}

/** Metadata as chat.postMessage takes it (a JSON string in a form body), or an error code. */
export function readMetadata(raw: unknown): FakeMetadata | undefined | 'invalid_metadata_format' {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  const { event_type: type, event_payload: payload } = (value ?? {}) as Record<string, unknown>;
  if (typeof type !== 'string' || typeof payload !== 'object' || payload === null)
    return 'invalid_metadata_format';
  return { event_type: type, event_payload: payload as Record<string, unknown> };
}

type Args = Record<string, string | undefined>;

/** Where a message to `channel` lands: a user id (`U...`, `W...`) means the member's DM with the app. */
export function directChannelOf(channel: string): string {
  return /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
}

/**
 * What the outbox reads back from one workspace: a member's DM channel (`conversations.open`, refused as
 * a post to them would be), and what was delivered to a channel and not deleted since (`posted`).
 */
export function outboxReads(
  team: string,
  posted: ReadonlySet<string>,
  traffic: FakeSlackTraffic,
  refusal: (channel: string) => string | undefined,
): Record<string, (args: Args) => object> {
  const readMessages = (args: Args, thread?: string): object => {
    if (!args.channel) return { ok: false, error: 'channel_not_found' };
    if (args.channel.startsWith('CNOBOT')) return { ok: false, error: 'not_in_channel' };
    const kept = traffic.delivered.filter(
      (message) =>
        message.team === team &&
        message.channel === args.channel &&
        posted.has(`${message.channel}/${message.ts}`),
    );
    return readChannel(kept, args, thread);
  };
  return {
    'conversations.open': (args) => {
      const [user, ...others] = (args.users ?? '').split(',');
      if (!user) return { ok: false, error: 'users_list_not_supplied' };
      // A group DM is not something the outbox opens.
      if (others.length > 0) return { ok: false, error: 'not_implemented' };
      const refused = /^[UW]/.test(user) ? refusal(user) : 'user_not_found';
      return refused ? { ok: false, error: refused } : { ok: true, channel: { id: directChannelOf(user) } };
    },
    'conversations.history': (args) => readMessages(args),
    'conversations.replies': (args) =>
      args.ts ? readMessages(args, args.ts) : { ok: false, error: 'thread_not_found' },
  };
}

/**
 * `conversations.history` (top-level messages, newest first) or `conversations.replies` (a thread, oldest
 * first) of one channel as the fake delivered them: `oldest`/`latest` exclusive unless `inclusive`, paged
 * by `limit` and `cursor`; metadata only with `include_all_metadata`.
 */
export function readChannel(
  messages: readonly FakeSlackMessage[],
  args: Args,
  thread?: string,
): Record<string, unknown> {
  if (![args.oldest, args.latest].every((bound) => bound === undefined || TS.test(bound))) {
    return { ok: false, error: 'invalid_ts_oldest' };
  }
  const inclusive = args.inclusive === 'true' || args.inclusive === '1';
  const after = (ts: string, bound: string | undefined) =>
    bound === undefined || (inclusive ? tsOrder(ts) >= tsOrder(bound) : tsOrder(ts) > tsOrder(bound));
  const before = (ts: string, bound: string | undefined) =>
    bound === undefined || (inclusive ? tsOrder(ts) <= tsOrder(bound) : tsOrder(ts) < tsOrder(bound));
  const inView = thread
    ? (message: FakeSlackMessage) => message.ts === thread || message.threadTs === thread
    : (message: FakeSlackMessage) => !message.threadTs || message.threadTs === message.ts;
  const chosen = messages.filter(
    (message) => inView(message) && after(message.ts, args.oldest) && before(message.ts, args.latest),
  );
  chosen.sort((a, b) => (tsOrder(a.ts) < tsOrder(b.ts) ? -1 : 1));
  if (!thread) chosen.reverse();
  const start = Number(/^offset:(\d+)$/.exec(args.cursor ?? '')?.[1] ?? 0);
  const size = Math.min(Number(args.limit) || HISTORY_DEFAULT, HISTORY_MAX);
  const withMetadata = args.include_all_metadata === 'true' || args.include_all_metadata === '1';
  const page = chosen.slice(start, start + size).map((message) => ({
    type: 'message',
    bot_id: message.botId,
    text: message.text,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(withMetadata && message.metadata ? { metadata: message.metadata } : {}),
  }));
  const more = start + size < chosen.length;
  return {
    ok: true,
    messages: page,
    has_more: more,
    response_metadata: { next_cursor: more ? `offset:${start + size}` : '' },
  };
}

/** A `ts` as an exact number: `seconds.micros` has more digits than a double keeps. */
function tsOrder(ts: string): bigint {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
