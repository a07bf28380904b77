/**
 * What one answer of Discord's REST API means for the outbox (outbox.ts): the rate-limit state it announced,
 * and the {@link SendResult} of the call. Discord's facts relied on here (developer docs, "Rate Limits" and
 * "JSON Error Codes"):
 *
 * - every answer may carry the route's bucket: `X-RateLimit-Limit`, `-Remaining`, `-Reset-After` (seconds,
 *   float); a bucket refills whole once `Reset-After` has passed.
 * - a 429 carries `{ retry_after (seconds, float), global }`, `Retry-After` and `X-RateLimit-Scope`: `user`
 *   (this bot's bucket for the route), `global` (the bot's 50 requests a second), `shared` (the resource's
 *   limit, shared with others: it says nothing about the bot's own budget).
 * - 401, 403 and 429 answers count towards the 10,000 invalid requests per 10 minutes that get an IP banned,
 *   so a refusal is never tried again: 401 (token rejected) and 403/404 are `refused`.
 * - 50007 "Cannot send messages to this user": DMs closed, the bot blocked, or no shared server.
 */
import type { PaceObservation, PaceRule, SendResult } from '../../shared/core/outbox/model.js';
import { DiscordErrorCode } from './rest.js';

/** One call's outcome: Discord's answer, or none (a timeout, a dropped connection). */
export type CallOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly headers: Headers; readonly body: unknown }
  | { readonly kind: 'lost'; readonly reason: string };

/** The pace key of the bot's global limit. */
export const GLOBAL_KEY = 'discord:global';

/** Seconds (a float, as Discord writes them) as whole milliseconds, rounded up so a wait is never short. */
export function secondsToMs(seconds: number): number {
  return Math.ceil(Math.round(seconds * 1e6) / 1e3);
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** The bucket this answer announced, as the worker's pacer reads it under `key`. */
export function bucketObservation(headers: Headers, key: string): PaceObservation | undefined {
  const remaining = headerNumber(headers, 'x-ratelimit-remaining');
  const resetAfter = headerNumber(headers, 'x-ratelimit-reset-after');
  if (remaining === undefined || resetAfter === undefined) return undefined;
  return { key, remaining, resetAfterMs: secondsToMs(resetAfter) };
}

/**
 * The bucket's rule, when this answer opened a fresh window (one request spent of `X-RateLimit-Limit`): then
 * `Reset-After` is the window's length, less the time the call took, so it is rounded up to whole seconds.
 */
export function announcedRule(headers: Headers, key: string): PaceRule | undefined {
  const limit = headerNumber(headers, 'x-ratelimit-limit');
  const remaining = headerNumber(headers, 'x-ratelimit-remaining');
  const resetAfter = headerNumber(headers, 'x-ratelimit-reset-after');
  if (limit === undefined || remaining === undefined || resetAfter === undefined) return undefined;
  if (limit < 1 || remaining !== limit - 1) return undefined;
  return { key, limit, windowMs: Math.max(1000, Math.ceil(resetAfter) * 1000) };
}

/** Discord's error body: `{ code, message }` (absent when a proxy answered). */
function errorOf(body: unknown): { code: number; message: string } {
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  return { code: typeof code === 'number' ? code : 0, message: typeof message === 'string' ? message : '' };
}

function describe(status: number, body: unknown): string {
  const { code, message } = errorOf(body);
  return `Discord ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
}

/** A 429: wait `retry_after`, and tell the pacer which limit is empty (`key` is the channel's bucket). */
export function rateLimited(status: number, headers: Headers, body: unknown, key: string): SendResult {
  const { retry_after: retryAfter, global } = (body ?? {}) as { retry_after?: unknown; global?: unknown };
  const seconds = typeof retryAfter === 'number' ? retryAfter : headerNumber(headers, 'retry-after');
  const afterMs = seconds === undefined || seconds < 0 ? undefined : secondsToMs(seconds);
  const scope = headers.get('x-ratelimit-scope') ?? (global === true ? 'global' : 'user');
  const empty = (limitKey: string): PaceObservation[] =>
    afterMs === undefined ? [] : [{ key: limitKey, remaining: 0, resetAfterMs: afterMs }];
  // A shared limit is the resource's, not the bot's: wait, but the bot's own buckets are as they were.
  const observed = scope === 'global' ? empty(GLOBAL_KEY) : scope === 'shared' ? [] : empty(key);
  return {
    kind: 'retry',
    reason: `Discord ${status}: rate limited (${scope})`,
    ...(afterMs === undefined ? {} : { afterMs }),
    ...(observed.length > 0 ? { observed } : {}),
  };
}

/**
 * A 4xx other than 429 is a refusal Discord will repeat: 10003 Unknown Channel (deleted), 50001 Missing
 * Access (the bot cannot see it, or was removed), 50013 Missing Permissions (cannot write there), 401 (the
 * token), 50035 (a body Discord will never accept). A private message Discord will not start is
 * `unreachable`, so the core can greet the member elsewhere.
 */
function refusedOrUnreachable(status: number, body: unknown, direct: boolean): SendResult {
  const reason = describe(status, body);
  const closed = errorOf(body).code === DiscordErrorCode.CannotSendMessagesToUser;
  return closed && direct ? { kind: 'unreachable', reason } : { kind: 'refused', reason };
}

/**
 * Create Message's outcome. A 5xx or no answer is `unknown`: Discord may have created the message before
 * failing, and a resend with the same nonce returns it instead of posting again.
 */
export function readPosted(outcome: CallOutcome, key: string, direct: boolean): SendResult {
  if (outcome.kind === 'lost') return { kind: 'unknown', reason: outcome.reason };
  const { status, headers, body } = outcome;
  const bucket = bucketObservation(headers, key);
  const observed = bucket ? { observed: [bucket] } : {};
  if (status === 429) return rateLimited(status, headers, body, key);
  if (status >= 500) return { kind: 'unknown', reason: describe(status, body) };
  if (status >= 400) return refusedOrUnreachable(status, body, direct);
  const { id, channel_id: channelId } = (body ?? {}) as { id?: unknown; channel_id?: unknown };
  if (typeof id !== 'string' || typeof channelId !== 'string') {
    return { kind: 'unknown', reason: `Discord ${status} without a message id` };
  }
  return { kind: 'sent', posted: { channelId, messageId: id }, ...observed };
}

/**
 * Create DM's outcome: the DM channel, or why there is none. Nothing was posted yet, so a 5xx or no answer
 * is a plain `retry`.
 */
export function readOpened(
  outcome: CallOutcome,
  key: string,
):
  | { readonly kind: 'opened'; readonly channelId: string }
  | { readonly kind: 'failed'; readonly result: SendResult } {
  if (outcome.kind === 'lost') return { kind: 'failed', result: { kind: 'retry', reason: outcome.reason } };
  const { status, headers, body } = outcome;
  if (status === 429) return { kind: 'failed', result: rateLimited(status, headers, body, key) };
  if (status >= 500) return { kind: 'failed', result: { kind: 'retry', reason: describe(status, body) } };
  if (status >= 400) return { kind: 'failed', result: refusedOrUnreachable(status, body, true) };
  const { id } = (body ?? {}) as { id?: unknown };
  if (typeof id !== 'string') {
    return { kind: 'failed', result: { kind: 'retry', reason: `Discord ${status} without a DM channel id` } };
  }
  return { kind: 'opened', channelId: id };
}
