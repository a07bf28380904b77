/**
 * The attention budget: whether an unasked message may go now, and if not, until when it waits. Pure: the
 * worker gathers what it needs (settings, mutes, past sends) and asks; so does `enqueue`, to tell a moderator
 * when their announcement is expected to go.
 *
 * Budgets are rolling windows (any 24 hours, any 7 days), so a burst at midnight cannot double a day's posts.
 */
import type { AttentionSettings, OutboxMessage } from './model.js';
import { isQuiet, quietEnd } from './zone.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** How often a paused community's messages are looked at again. */
export const PAUSE_RECHECK_MS = 15 * 60 * 1000;

export type Decision =
  | { readonly kind: 'send' }
  | { readonly kind: 'hold'; readonly until: Date; readonly reason: string }
  | { readonly kind: 'expire'; readonly reason: string }
  | { readonly kind: 'drop'; readonly reason: string };

/** What the policy knows about one message's situation. */
export interface Situation {
  readonly settings: AttentionSettings;
  /** Why the recipient or the channel must never get it, if so (opted out, muted). */
  readonly blocked?: string;
  /** Sends counted against the budget this message spends from, oldest first (within the last week). */
  readonly spends: readonly Date[];
}

/** A window's cap: at most `limit` sends in any `windowMs`. */
interface Cap {
  readonly limit: number;
  readonly windowMs: number;
  readonly name: string;
}

/** The caps a message counts against (none for a reply to the member's own action). */
export function capsOf(
  message: Pick<OutboxMessage, 'audience' | 'allowance'>,
  settings: AttentionSettings,
): Cap[] {
  const { allowance, audience } = message;
  if (allowance.kind === 'reply') return [];
  if (allowance.kind === 'subscribed') {
    return [{ limit: allowance.perWeek, windowMs: WEEK_MS, name: `your ${allowance.topic} setting` }];
  }
  if (audience.kind === 'channel') {
    return [
      { limit: settings.channelPerDay, windowMs: DAY_MS, name: "the channel's daily budget" },
      { limit: settings.channelPerWeek, windowMs: WEEK_MS, name: "the channel's weekly budget" },
    ];
  }
  return [{ limit: settings.memberPerWeek, windowMs: WEEK_MS, name: "the member's weekly budget" }];
}

/** When the caps next allow one more send (`now` if they do now), and which cap holds it. */
export function budgetFrees(
  caps: readonly Cap[],
  spends: readonly Date[],
  now: Date,
): { at: Date; cap?: string } {
  let at = now.getTime();
  let holding: string | undefined;
  for (const cap of caps) {
    const inWindow = spends
      .map((spend) => spend.getTime())
      .filter((time) => time > now.getTime() - cap.windowMs)
      .sort((a, b) => a - b);
    if (inWindow.length < cap.limit) continue;
    // The window frees a place when its oldest spends that keep it full age out.
    const oldest = inWindow[inWindow.length - cap.limit] ?? now.getTime();
    const frees = cap.limit <= 0 ? Number.POSITIVE_INFINITY : oldest + cap.windowMs;
    if (frees > at) {
      at = frees;
      holding = cap.name;
    }
  }
  return holding ? { at: new Date(at), cap: holding } : { at: now };
}

/** What to do with `message` at `now`. */
export function decide(message: OutboxMessage, situation: Situation, now: Date): Decision {
  const { settings } = situation;
  const expires = message.expiresAt?.getTime();
  if (expires !== undefined && expires <= now.getTime())
    return { kind: 'expire', reason: 'too late to be useful' };
  if (situation.blocked) return { kind: 'drop', reason: situation.blocked };
  const hold = (until: Date, reason: string): Decision =>
    expires !== undefined && until.getTime() >= expires
      ? { kind: 'expire', reason: `${reason} until after it would be useful` }
      : { kind: 'hold', until, reason };
  if (settings.paused) return hold(new Date(now.getTime() + PAUSE_RECHECK_MS), 'paused by the moderators');
  if (isQuiet(now, settings.timeZone, settings.quietHours)) {
    return hold(quietEnd(now, settings.timeZone, settings.quietHours), 'quiet hours');
  }
  const frees = budgetFrees(capsOf(message, settings), situation.spends, now);
  if (frees.cap) {
    if (!Number.isFinite(frees.at.getTime())) return { kind: 'drop', reason: `${frees.cap} is 0` };
    return hold(frees.at, `held by ${frees.cap}`);
  }
  return { kind: 'send' };
}

/**
 * When the message is expected to go if nothing else is sent meanwhile: the policy applied forward through
 * quiet hours and budgets. `undefined` with a reason when it will not go.
 */
export function expectedSend(
  message: OutboxMessage,
  situation: Situation,
  now: Date,
): { at?: Date; reason?: string } {
  let at = new Date(Math.max(now.getTime(), message.dueAt.getTime()));
  let reason: string | undefined;
  // Quiet hours, then a budget, then quiet hours again: a few steps settle it.
  for (let step = 0; step < 6; step += 1) {
    const decision = decide(message, situation, at);
    if (decision.kind === 'send') return reason ? { at, reason } : { at };
    if (decision.kind !== 'hold') return { reason: decision.reason };
    at = decision.until;
    reason = decision.reason;
    if (situation.settings.paused) return { at, reason };
  }
  return { at, ...(reason ? { reason } : {}) };
}
