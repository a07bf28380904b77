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
  /** What the platform last said: sends left until `resetAt`. */
  observed?: { remaining: number; resetAt: number };
  /** No send before this (a 429's `retry_after`). */
  blockedUntil: number;
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
    for (const rule of rules) {
      const state = this.state(rule.key);
      state.sent = state.sent.filter((time) => time > now - rule.windowMs);
      state.sent.push(now);
      if (state.observed && now < state.observed.resetAt) state.observed.remaining -= 1;
    }
  }

  /**
   * Moves a send counted at `from` to `to`, when its request actually left: a send is counted when the
   * worker decides it (so no other send takes its place), and its request may leave later (its claim is
   * written first), so the next one is spaced from the real departure.
   */
  restamp(rules: readonly PaceRule[], from: number, to: number): void {
    for (const rule of rules) {
      const sent = this.keys.get(rule.key)?.sent;
      const index = sent?.lastIndexOf(from) ?? -1;
      if (sent && index >= 0) {
        sent[index] = to;
        sent.sort((a, b) => a - b);
      }
    }
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
    const recent = state.sent.filter((time) => time > now - rule.windowMs);
    if (recent.length >= rule.limit) {
      ready = Math.max(ready, (recent[recent.length - rule.limit] ?? now) + rule.windowMs);
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
      state = { sent: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}
