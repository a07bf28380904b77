/**
 * What the fake platform servers share to behave like the real APIs under load: a clock (the same one the
 * outbox worker uses in a simulation, so nobody waits for real), sliding-window counters that enforce a
 * platform's documented limits and count every violation, and seeded faults (429s, 5xx, calls that time
 * out before or after the platform acted). Each fake declares its own platform's limits from the
 * platform's documentation; nothing here is imported by the bots.
 */

/** Milliseconds since the epoch, on the clock shared with the code under test. */
export type FakeClock = () => number;

export const realClock: FakeClock = () => Date.now();

/** A documented limit: at most `limit` calls per `windowMs` for each key (a channel, a chat, the bot). */
export interface FakeLimit {
  /** For people: `chat.postMessage: 1 per second per channel`. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** A call past a limit: the real platform would have answered 429. */
export interface Violation {
  readonly limit: string;
  readonly key: string;
  readonly at: number;
}

/** Counts calls per key in a sliding window; a call over the limit is a violation (and is not counted in). */
export class SlidingWindowLimits {
  readonly violations: Violation[] = [];
  private readonly calls = new Map<string, number[]>();

  /**
   * Whether a call now to `key` stays within `limit`. Over it, the violation is kept and the call should be
   * answered as the platform would (429); within it, the call is counted.
   */
  admit(limit: FakeLimit, key: string, at: number): boolean {
    const name = `${limit.name}|${key}`;
    const recent = (this.calls.get(name) ?? []).filter((time) => time > at - limit.windowMs);
    if (recent.length >= limit.limit) {
      this.violations.push({ limit: limit.name, key, at });
      this.calls.set(name, recent);
      return false;
    }
    recent.push(at);
    this.calls.set(name, recent);
    return true;
  }

  /** Milliseconds until `key` may call again under `limit` (0: now). */
  waitFor(limit: FakeLimit, key: string, at: number): number {
    const recent = (this.calls.get(`${limit.name}|${key}`) ?? []).filter(
      (time) => time > at - limit.windowMs,
    );
    if (recent.length < limit.limit) return 0;
    const oldest = recent[recent.length - limit.limit] ?? at;
    return Math.max(0, oldest + limit.windowMs - at);
  }
}

/** How often a fake misbehaves, as fractions of calls (0 to 1). */
export interface FaultPlan {
  /** Answered 429 with a `retry_after`, though no limit was passed. */
  readonly rateLimited: number;
  /** Answered 500 without acting. */
  readonly serverError: number;
  /** Never answered (the connection drops). */
  readonly timeout: number;
  /** Of the timeouts, the share where the platform acted (posted) before the answer was lost. */
  readonly acceptedBeforeTimeout: number;
  /** The seed of the dice, so a failing run can be repeated. */
  readonly seed: number;
}

export type Fault = 'none' | 'rate_limited' | 'server_error' | 'timeout_before' | 'timeout_after';

/** A seeded die for a fault plan: each call rolls once. */
export function faultDice(plan: FaultPlan): () => Fault {
  const random = seededRandom(plan.seed);
  return () => {
    const roll = random();
    if (roll < plan.rateLimited) return 'rate_limited';
    if (roll < plan.rateLimited + plan.serverError) return 'server_error';
    if (roll < plan.rateLimited + plan.serverError + plan.timeout) {
      return random() < plan.acceptedBeforeTimeout ? 'timeout_after' : 'timeout_before';
    }
    return 'none';
  };
}

/** mulberry32: a small, fast, seeded generator (test dice, not cryptography). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
