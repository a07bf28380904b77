/**
 * The clock of `npm run dev`: the system's time plus an offset that only grows, so `npm run say -- --advance 7d`
 * can show a week of scheduled posts in a few seconds. Everything in the dev runtime that reads the time
 * (the bots' handlers, the outbox worker and the content scheduler it runs) reads this one clock; waiting
 * stays real (a pause between two sends is still a pause).
 *
 * The offset is kept in the data folder: the table holds schedules, leases and posts stamped with the
 * shifted time, and a restart that went back to the system's time would find them all in its future.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../shared/core/outbox/clock.js';
import type { Clock } from '../../shared/core/outbox/model.js';

/** Where the offset is kept in the data folder. */
export const CLOCK_FILE = 'clock.json';

/** The dev runtime's clock. */
export interface DevClock extends Clock {
  /** How far ahead of the system's time it is, in milliseconds (0 until advanced). */
  offsetMs(): number;
  /** Moves it forward by `ms` (never back), and keeps the new offset. */
  advance(ms: number): void;
}

/**
 * A clock `offset` ahead of the system's time, starting where the data folder's last run left it
 * (`dataDir` given) or at the system's time.
 */
export function createDevClock(dataDir?: string): DevClock {
  const file = dataDir === undefined ? undefined : join(dataDir, CLOCK_FILE);
  let offset = file ? readOffset(file) : 0;
  return {
    now: () => new Date(Date.now() + offset),
    sleep: systemClock.sleep,
    offsetMs: () => offset,
    advance(ms) {
      offset += Math.max(0, ms);
      if (file) writeFileSync(file, JSON.stringify({ offsetMs: offset }));
    },
  };
}

/** The kept offset; 0 when there is none or it is unreadable (a fresh data folder). */
function readOffset(file: string): number {
  try {
    const { offsetMs } = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown };
    return typeof offsetMs === 'number' && Number.isFinite(offsetMs) && offsetMs > 0 ? offsetMs : 0;
  } catch {
    return 0;
  }
}
