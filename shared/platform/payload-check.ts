/**
 * Checking a payload against its documented shape (valibot), the same way on every platform: the typed value,
 * or `unreadable` naming the first field that does not fit, never quoting its value (it could be message text).
 */
import * as v from 'valibot';
import { type Parsed, unreadable } from './ignored.js';

/**
 * A value that passed its check. Wrapped, so that a payload with an `ignored` key of its own is not taken
 * for an ignored result.
 */
export interface Checked<T> {
  readonly value: T;
}

/**
 * Checks `value` against `schema`: the typed value, or `unreadable` naming the first field that does not
 * fit (`event.ts: expected a Slack timestamp (seconds.micros), got an array`).
 */
export function check<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
  what: string,
): Parsed<Checked<v.InferOutput<TSchema>>> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return { value: result.output };
  const [issue] = result.issues;
  const path = issue ? v.getDotPath(issue) : null;
  // A missing key's schema issue expects the key's name; say what is meant instead.
  const missing = issue?.kind === 'schema' && issue.input === undefined;
  const expected = missing ? 'a value' : issue?.kind === 'schema' ? issue.expected : issue?.message;
  const field = `${what}${path ? `.${path}` : ''}`;
  return unreadable(`${field}: expected ${expected ?? 'a documented value'}, got ${kindOf(issue?.input)}`);
}

/** What a value is, in words, without showing it. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `a string of ${value.length} characters`;
  return `a ${typeof value}`;
}
