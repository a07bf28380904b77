import * as v from 'valibot';

export { type Checked, check, kindOf } from '../../shared/platform/payload-check.js';

/**
 * The building blocks of the Slack payload checks (shapes.ts for what Bolt relies on, parse.ts for what
 * the core is given): Slack's id and timestamp formats, and one way to turn a failed check into an
 * `unreadable` reason that names the field and never quotes its value (it could be message text).
 */

/**
 * A Slack object id: team, enterprise, channel, user, bot (`T0001`, `C2147483705`, `USLACKBOT`; Slack's own
 * SDK tests also use `T_SOURCE`, `T-auth`). Bounded, since ids end up in DynamoDB keys, which have a size
 * limit. Never a name Object.prototype carries (`constructor`, `__proto__`): Bolt looks teams up in its
 * client pool, a plain object, and fails on those.
 */
export const slackId = v.pipe(
  v.string(),
  v.regex(/^[\w-]{1,64}$/, 'a Slack id (letters, digits, _ or -)'),
  v.check((id) => !(id in Object.prototype), 'a Slack id, not an Object.prototype member'),
);

/**
 * A user a reply or a reaction is addressed to (`parent_user_id`, `item_user`, a thread root's `user`): a
 * Slack id, or nothing. One that does not fit is dropped rather than failing the check: the event stays
 * readable and only loses who it was addressed to.
 */
export const targetId = v.fallback(v.optional(slackId), undefined);

/** A message timestamp (`1355517523.000005`): the message's id in its channel, and a time. */
export const slackTs = v.pipe(
  v.string(),
  v.regex(/^\d{1,12}\.\d{1,9}$/, 'a Slack timestamp (seconds.micros)'),
);

/** `event_id` of an Events API delivery (`Ev123ABC456`), the same on every retry. */
export const eventId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{1,64}$/, 'a Slack event id'));

/** `trigger_id` of a command or interaction (`13345224609.738474920.8088930838d88f008e0`). */
export const triggerId = v.pipe(v.string(), v.regex(/^[\w.-]{1,128}$/, 'a Slack trigger id'));

/** A name Slack chose and we store (a reaction, an action id): bounded, never empty. */
export const shortName = v.pipe(
  v.string(),
  v.minLength(1, 'a non-empty name'),
  v.maxLength(255, 'a name of at most 255 characters'),
);

/** Any JSON object: Bolt uses `in` and property reads on these, which fail on null and primitives. */
export const anObject = v.looseObject({});

/** Upper bound for any payload-chosen text that goes into a log line (ids, event types, command names). */
const LOGGED_TEXT_LIMIT = 80;

/** A payload string fit for a log line: cut short, so an absurd value cannot flood the logs. */
export function loggable(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > LOGGED_TEXT_LIMIT ? `${value.slice(0, LOGGED_TEXT_LIMIT)}...` : value;
}
