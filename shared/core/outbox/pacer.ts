/**
 * Keeps the worker inside each platform's rate limits, on the worker's clock. A transport names the limits
 * a send spends from ({@link PaceRule}: 1 per second in this Slack channel, 20 a minute in this Telegram
 * group, 50 a second for the Discord bot) and reports what the platform said about them (Discord's bucket
 * headers, a 429's `retry_after`); the pacer answers when a send may start.
 *
 * Hand-written because it must run on an injected clock shared with the fake servers (a simulated week
 * passes in seconds) and answer "when", not sleep: the rate limiters in the SDKs wait on the wall clock
 * inside a call.
 */
import type { PaceObservation, PaceRule } from './model.js';

interface KeyState {
  /** Send start times within the longest window seen for the key, oldest first. */
  sent: number[];
  /** Sends chosen whose requests have not left yet: each may leave any moment. */
  pending: number;
  /** What the platform last said: sends left until `resetAt`. */
  observed?: { remaining: number; resetAt: number };
  /** No send before this (a 429's `retry_after`). */
  blockedUntil: number;
}

/** A chosen send's place under its limits (see {@link Pacer.reserve}). */
export interface Reservation {
  /** Its request reached the platform at `at` at the latest. */
  leave(at: number): void;
  /** It will not leave. */
  cancel(): void;
}

export class Pacer {
  private readonly keys = new Map<string, KeyState>();

  /** The earliest time (ms) at or after `now` when one more send may start under every rule. */
  readyAt(rules: readonly PaceRule[], now: number): number {
    let ready = now;
    for (const rule of rules) ready = Math.max(ready, this.ruleReadyAt(rule, now));
    return ready;
  }

  /** Counts a send starting at `now` against every rule. */
  spend(rules: readonly PaceRule[], now: number): void {
    this.reserve(rules, now).leave(now);
  }

  /**
   * Counts a send the worker chose at `now` whose request goes later (its claim is written first): until it
   * {@link Reservation.leave}s it counts as arriving any moment, and the next send is spaced from when it did.
   * A send that never goes (its claim lost) is {@link Reservation.cancel}led.
   */
  reserve(rules: readonly PaceRule[], now: number): Reservation {
    for (const rule of rules) {
      const state = this.state(rule.key);
      state.pending += 1;
      if (state.observed && now < state.observed.resetAt) state.observed.remaining -= 1;
    }
    let open = true;
    const close = (at: number | undefined) => {
      if (!open) return;
      open = false;
      for (const rule of rules) {
        const state = this.state(rule.key);
        state.pending -= 1;
        if (at === undefined) continue;
        state.sent = state.sent.filter((time) => time > at - rule.windowMs);
        state.sent.push(at);
        state.sent.sort((a, b) => a - b);
      }
    };
    return { leave: (at) => close(at), cancel: () => close(undefined) };
  }

  /** What a platform's answer said about a limit. */
  observe(observations: readonly PaceObservation[] | undefined, now: number): void {
    for (const { key, remaining, resetAfterMs } of observations ?? []) {
      this.state(key).observed = { remaining, resetAt: now + resetAfterMs };
    }
  }

  /** Nothing under `key` before `until` (a 429). */
  block(key: string, until: number): void {
    const state = this.state(key);
    state.blockedUntil = Math.max(state.blockedUntil, until);
  }

  private ruleReadyAt(rule: PaceRule, now: number): number {
    const state = this.keys.get(rule.key);
    if (!state) return now;
    let ready = Math.max(now, state.blockedUntil);
    // Sends that have not left yet leave at `now` or later: they take their places in every window from now.
    const room = rule.limit - state.pending;
    const recent = state.sent.filter((time) => time > now - rule.windowMs);
    if (room <= 0) ready = Math.max(ready, now + rule.windowMs);
    else if (recent.length >= room) {
      ready = Math.max(ready, (recent[recent.length - room] ?? now) + rule.windowMs);
    }
    const { observed } = state;
    if (observed && observed.remaining <= 0 && now < observed.resetAt) {
      ready = Math.max(ready, observed.resetAt);
    }
    return ready;
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { sent: [], pending: 0, blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}
