import type { LogFields, Logger } from '../lambda/logger.js';

/**
 * The one way an adapter says "this payload is not for us, on purpose". Every platform parser returns either
 * what it understood or an {@link Ignored} with the reason, and the adapter logs that reason, so nothing is
 * dropped silently and a reader of the logs can tell "not engagement" from "could not be read".
 */

/**
 * Why a payload is deliberately not acted on. `unreadable` marks a correctly signed payload whose shape is
 * not what the platform documents: it is answered with a logged 200 (or a 400 where the platform shows the
 * member an error and never redelivers), never a 500, since a redelivery would carry the same bytes.
 */
export interface Ignored {
  readonly ignored: string;
  readonly unreadable?: true;
}

export type Parsed<T> = T | Ignored;

/** A payload that is valid but not engagement (a bot's message, an edit, an event type we do not use). */
export function ignore(reason: string): Ignored {
  return { ignored: reason };
}

/** A signed payload whose shape is not what the platform documents; the reason names the field. */
export function unreadable(reason: string): Ignored {
  return { ignored: reason, unreadable: true };
}

export function isIgnored<T extends object>(result: Parsed<T>): result is Ignored {
  return 'ignored' in result;
}

/** The log line for an ignored payload: unreadable ones at warn (someone should look), the rest at debug. */
export function logIgnored(
  logger: Pick<Logger, 'debug' | 'warn'>,
  result: Ignored,
  ids: LogFields = {},
): void {
  if (result.unreadable) {
    logger.warn('payload unreadable', { code: 'payload_unreadable', reason: result.ignored, ...ids });
  } else {
    logger.debug('payload ignored', { reason: result.ignored, ...ids });
  }
}
