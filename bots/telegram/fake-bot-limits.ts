import {
  type FakeClock,
  type FakeLimit,
  type Fault,
  type FaultPlan,
  faultDice,
  SlidingWindowLimits,
  type Violation,
} from '../../shared/platform/fake-limits.js';
import type { FakeResponse } from '../../shared/platform/fake-server.js';

/**
 * The fake Bot API's behaviour under load (TEST ONLY): Telegram's documented send limits, counted on the
 * shared clock, and seeded faults. Declared here from Telegram's documentation, independently of the numbers
 * the bot's outbox transport paces by, so a transport that paces wrongly shows up as violations.
 */

/*
 * Bot API FAQ, "My bot is hitting limits, how do I avoid this?" (core.telegram.org/bots/faq): "avoid sending
 * more than one message per second" in a particular chat; "bots are not able to broadcast more than about
 * 30 messages per second"; and in a group "no more than 20 messages per minute".
 */
export const TELEGRAM_FAKE_LIMITS = {
  perChat: { name: 'sendMessage: 1 per second per chat', limit: 1, windowMs: 1000 },
  perGroup: { name: 'sendMessage: 20 per minute per group', limit: 20, windowMs: 60_000 },
  overall: { name: 'sendMessage: 30 per second overall', limit: 30, windowMs: 1000 },
} as const satisfies Record<string, FakeLimit>;

/** The `retry_after` (seconds) of a 429 the dice rolled without a limit being passed: small, as asked. */
export const FAULT_RETRY_AFTER_SECONDS = 1;

export interface SendGateOptions {
  /** The clock the limits count on (the simulation's, or real time). */
  readonly clock: FakeClock;
  /** Seeded faults: each sendMessage rolls once. */
  readonly faults?: FaultPlan;
  /** Answer a call over a limit 429, as Telegram would. Off: it is only counted as a violation. */
  readonly strictLimits?: boolean;
}

/** Counts sendMessage calls against Telegram's limits and rolls the fault dice. */
export interface SendGate {
  readonly violations: readonly Violation[];
  /** The fault of this call (`none` without a fault plan): rolled once per sendMessage. */
  roll(): Fault;
  /**
   * Counts a call that would act against the limits for its chat: the 429 to answer (strict limits, over
   * one), or `undefined` to go on and deliver.
   */
  admit(chatId: number): FakeResponse | undefined;
}

export function createSendGate({ clock, faults, strictLimits = false }: SendGateOptions): SendGate {
  const limits = new SlidingWindowLimits();
  const dice = faults ? faultDice(faults) : () => 'none' as const;
  return {
    violations: limits.violations,
    roll: dice,
    admit(chatId) {
      const now = clock();
      const applying = limitsFor(chatId);
      const waits = applying.map(([limit, key]) => limits.waitFor(limit, key, now));
      const waitMs = Math.max(0, ...waits);
      // Each limit it stays within counts the call; each one it passes keeps a violation (not counted).
      if (waitMs === 0 || !strictLimits) {
        for (const [limit, key] of applying) limits.admit(limit, key, now);
        return undefined;
      }
      for (const [index, [limit, key]] of applying.entries()) {
        if ((waits[index] ?? 0) > 0) limits.admit(limit, key, now);
      }
      return tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)));
    },
  };
}

/** The answer to a faulted call that Telegram did not act on, if the fault is one. */
export function faultAnswer(fault: Fault): FakeResponse | undefined {
  switch (fault) {
    case 'rate_limited':
      return tooManyRequests(FAULT_RETRY_AFTER_SECONDS);
    case 'server_error':
      return {
        status: 500,
        body: { ok: false, error_code: 500, description: 'Internal Server Error' },
      };
    case 'timeout_before':
      return { drop: true };
    default:
      return undefined;
  }
}

/** Telegram's 429, as the Bot API sends it: the wait is in `parameters.retry_after`, in seconds. */
export function tooManyRequests(retryAfter: number): FakeResponse {
  return {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    },
  };
}

/** The limits a sendMessage to this chat spends from: every chat, groups (negative ids), the bot overall. */
function limitsFor(chatId: number): [FakeLimit, string][] {
  const { perChat, perGroup, overall } = TELEGRAM_FAKE_LIMITS;
  const key = String(chatId);
  return [[perChat, key], ...(chatId < 0 ? [[perGroup, key] as [FakeLimit, string]] : []), [overall, 'bot']];
}
