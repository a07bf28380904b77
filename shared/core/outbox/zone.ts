/**
 * Local time in a community's zone: quiet hours are local (`21:00-08:00` in Europe/Paris), and so is "tomorrow
 * morning". Zone rules (offsets, daylight saving) come from @date-fns/tz over the runtime's own zone data.
 */
import { TZDate } from '@date-fns/tz';
import type { QuietHours } from './model.js';

/** Whether `zone` is an IANA zone the runtime knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** `HH:MM` as minutes after local midnight, or `undefined` when it is not a time of day. */
export function minutesOf(time: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Reads `HH:MM-HH:MM` (start and end differ); `undefined` when malformed. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const [start = '', end = '', extra] = text.trim().split('-');
  if (extra !== undefined) return undefined;
  const from = minutesOf(start.trim());
  const to = minutesOf(end.trim());
  if (from === undefined || to === undefined || from === to) return undefined;
  return { start: start.trim(), end: end.trim() };
}

/** Whether `at` falls in the quiet hours (start included, end excluded) in `zone`. */
export function isQuiet(at: Date, zone: string, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const start = minutesOf(quiet.start) ?? 0;
  const end = minutesOf(quiet.end) ?? 0;
  const local = new TZDate(at.getTime(), zone);
  const minute = local.getHours() * 60 + local.getMinutes();
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first instant at or after `at` outside the quiet hours (`at` itself when it is not quiet). */
export function quietEnd(at: Date, zone: string, quiet: QuietHours | undefined): Date {
  if (!quiet || !isQuiet(at, zone, quiet)) return at;
  const end = minutesOf(quiet.end) ?? 0;
  const local = new TZDate(at.getTime(), zone);
  const minute = local.getHours() * 60 + local.getMinutes();
  // Before the end on the same local day (the small hours), or on the next local day (the evening).
  const dayOffset = minute < end ? 0 : 1;
  const ending = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + dayOffset,
    Math.floor(end / 60),
    end % 60,
    zone,
  );
  return new Date(ending.getTime());
}

/** An instant as people in the zone read it: `Tue 25 Nov, 08:00 (Europe/Paris)`. */
export function describeLocal(at: Date, zone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(at);
  return `${text} (${zone})`;
}
