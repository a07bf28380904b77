/**
 * How long raw engagement records are kept. A record expires (the table's TTL) `retention` days after the end
 * of the day it counts towards; its day's rollup (final 15 minutes after that day) keeps the totals, so stats
 * stay right after the records are gone.
 */

/** Kept for 13 months unless the community says otherwise: a year, compared with the same month before. */
export const DEFAULT_RETENTION_DAYS = 395;

/** Shorter than a month would lose records before anyone looked at their month. */
export const MIN_RETENTION_DAYS = 30;

/** Longer than about ten years is not "retention" any more. */
export const MAX_RETENTION_DAYS = 3650;
