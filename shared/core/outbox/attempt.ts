/**
 * One attempt at sending one message, and what its outcome means. A message is never posted twice:
 * an attempt starts with a conditional claim (of two runs, one sends), and after an outcome nobody knows
 * (a timeout, a dropped connection) the platform's own way decides what happens next: Discord drops a
 * repeat with the same nonce, Slack is asked whether the message is in the channel, and Telegram, where
 * nothing can be checked, is never tried again (logged as unconfirmed).
 */
import type { CoreLogger } from '../feature.js';
import type { Clock, OutboxMessage, OutboxStore, OutboxTransport, SendResult } from './model.js';
import type { Pacer, Reservation } from './pacer.js';
import type { Tally } from './worker.js';

/** Attempts before a message is marked failed (each 429, 5xx or unknown outcome is one). */
export const MAX_ATTEMPTS = 8;
/** How long an attempt may run before another run may treat its outcome as unknown. */
export const ATTEMPT_LEASE_MS = 60_000;
/** The longest wait before acting on an unknown outcome (a resend or a lookup). */
const UNKNOWN_RETRY_MS = 5000;
/** Marks a message whose last attempt's outcome is unknown. */
export const UNKNOWN_OUTCOME = 'unknown outcome';

export interface AttemptDeps {
  readonly outbox: OutboxStore;
  readonly clock: Clock;
  readonly logger: CoreLogger;
  readonly pacer: Pacer;
  readonly tally: Tally;
  /** The send's place under its platform's limits, taken when the worker chose it. */
  readonly reservation: Reservation;
  /** Told when the request is about to leave (its claim written). */
  readonly departing?: () => void;
  /** A private message the platform will not start, for a member who can be greeted in a channel instead. */
  readonly onUnreachable: (message: OutboxMessage) => Promise<void>;
}

/** Backoff after a failure without `retry_after`: 1 s, 2 s, 4 s ... up to a minute. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export async function attemptSend(
  message: OutboxMessage,
  transport: OutboxTransport,
  deps: AttemptDeps,
): Promise<void> {
  const { outbox, clock } = deps;
  const at = clock.now();
  const claimed = await outbox.claim({
    id: message.id,
    communityId: message.communityId,
    attempts: message.attempts,
    at,
    leaseUntil: new Date(at.getTime() + ATTEMPT_LEASE_MS),
  });
  if (!claimed) return;
  const current: OutboxMessage = {
    ...message,
    status: 'sending',
    attempts: message.attempts + 1,
    firstAttemptAt: message.firstAttemptAt ?? at,
  };
  const earlierUnknown = message.status === 'sending' || message.reason?.startsWith(UNKNOWN_OUTCOME) === true;
  if (earlierUnknown && !(await mayResend(current, transport, deps))) return;
  let result: SendResult;
  deps.departing?.();
  try {
    result = await transport.send(current);
  } catch (error) {
    // A transport maps every platform answer; anything thrown is as unknown as a timeout.
    result = { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    // Counted from when the worker chose it; the next send is spaced from the answer, the latest moment the
    // platform can have counted this one (its own clock counts arrivals, which ours cannot see).
    deps.reservation.leave(deps.clock.now().getTime());
  }
  await settle(current, transport, result, deps);
}

/**
 * After an unknown outcome: whether a resend is safe. Settles the message itself when it is not (found in
 * the channel: sent; Telegram: unconfirmed; Slack could not tell: tried again later).
 */
async function mayResend(
  message: OutboxMessage,
  transport: OutboxTransport,
  deps: AttemptDeps,
): Promise<boolean> {
  if (transport.onUnknown === 'resend') {
    const since = deps.clock.now().getTime() - (message.firstAttemptAt ?? deps.clock.now()).getTime();
    if (transport.resendWithinMs === undefined || since < transport.resendWithinMs) return true;
    await giveUp(message, `${message.reason ?? 'unknown outcome'}; too late to resend safely`, deps);
    return false;
  }
  if (transport.onUnknown === 'give-up' || !transport.find) {
    await giveUp(message, message.reason ?? 'an earlier attempt ended without an answer', deps);
    return false;
  }
  const found = await transport.find(message).catch((error: unknown) => ({
    kind: 'unknown' as const,
    reason: error instanceof Error ? error.message : String(error),
  }));
  if (found.kind === 'absent') return true;
  if (found.kind === 'found') {
    await end(message, { status: 'sent', posted: found.posted }, deps);
    return false;
  }
  await again(
    message,
    backoffMs(message.attempts),
    `${UNKNOWN_OUTCOME}: lookup failed: ${found.reason}`,
    deps,
  );
  return false;
}

async function settle(
  message: OutboxMessage,
  transport: OutboxTransport,
  result: SendResult,
  deps: AttemptDeps,
): Promise<void> {
  const now = deps.clock.now().getTime();
  switch (result.kind) {
    case 'sent':
      deps.pacer.observe(result.observed, now);
      return end(message, { status: 'sent', posted: result.posted }, deps);
    case 'retry': {
      deps.pacer.observe(result.observed, now);
      const narrowest = transport.paceRules(message.audience)[0];
      if (result.afterMs !== undefined && narrowest) deps.pacer.block(narrowest.key, now + result.afterMs);
      return again(message, result.afterMs ?? backoffMs(message.attempts), result.reason, deps);
    }
    case 'unknown':
      if (transport.onUnknown === 'give-up') return giveUp(message, result.reason, deps);
      // Soon: a platform that drops repeats only does so for a few minutes.
      return again(
        message,
        Math.min(backoffMs(message.attempts), UNKNOWN_RETRY_MS),
        `${UNKNOWN_OUTCOME}: ${result.reason}`,
        deps,
      );
    case 'refused':
      return end(message, { status: 'failed', reason: result.reason }, deps);
    case 'unreachable':
      if (message.audience.kind === 'member' && message.audience.greetIn) return deps.onUnreachable(message);
      return end(message, { status: 'dropped', reason: `cannot be written to: ${result.reason}` }, deps);
  }
}

/** Tries again after `afterMs`, unless the attempts are used up. */
async function again(
  message: OutboxMessage,
  afterMs: number,
  reason: string,
  deps: AttemptDeps,
): Promise<void> {
  if (message.attempts >= MAX_ATTEMPTS) {
    return end(
      message,
      { status: 'failed', reason: `gave up after ${message.attempts} attempts: ${reason}` },
      deps,
    );
  }
  await deps.outbox.retry(message, new Date(deps.clock.now().getTime() + afterMs), reason);
  deps.tally.retried += 1;
}

async function giveUp(message: OutboxMessage, reason: string, deps: AttemptDeps): Promise<void> {
  deps.logger.warn('outbox message may not have been delivered; not sent again', {
    code: 'outbox_unconfirmed',
    id: message.id,
    purpose: message.purpose,
    reason,
  });
  await end(message, { status: 'unconfirmed', reason }, deps);
}

async function end(
  message: OutboxMessage,
  ending: Parameters<OutboxStore['end']>[1],
  deps: AttemptDeps,
): Promise<void> {
  await deps.outbox.end(message, ending, deps.clock.now());
  const { status } = ending;
  deps.tally[status === 'sent' ? 'sent' : status] += 1;
  if (status === 'failed') {
    deps.logger.error('outbox message failed', {
      code: 'outbox_failed',
      id: message.id,
      communityId: message.communityId,
      purpose: message.purpose,
      reason: ending.reason,
    });
  }
}
