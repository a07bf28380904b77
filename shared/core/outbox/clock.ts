/**
 * Clocks for the outbox worker. The system clock waits for real; a simulated clock (tests, the 90-day
 * simulation) moves forward when the worker waits, and the fake platform servers read the same one, so
 * limits and `retry_after`s are honoured without anybody waiting.
 */
import type { Clock } from './model.js';

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** A clock that only moves when asked to: `sleep` advances it at once. */
export interface SimulatedClock extends Clock {
  /** Milliseconds since the epoch (what the fake servers read). */
  millis(): number;
  /** Moves the clock forward (never back). */
  advance(ms: number): void;
  /** Sets the clock to an instant (never back). */
  set(at: Date): void;
}

export function simulatedClock(start: Date): SimulatedClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    millis: () => current,
    advance(ms) {
      current += Math.max(0, ms);
    },
    set(at) {
      current = Math.max(current, at.getTime());
    },
    async sleep(ms) {
      current += Math.max(0, ms);
    },
  };
}
