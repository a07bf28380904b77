/**
 * A channel's cadence as moderators write it (`mon,thu 09:30`) and as the scheduler reads it: the slots are
 * local times in the community's zone, so a 09:30 post stays at 09:30 across daylight saving changes. Zone
 * rules come from @date-fns/tz over the runtime's own zone data (as outbox/zone.ts).
 */
import { TZDate } from '@date-fns/tz';
import { minutesOf } from '../outbox/zone.js';
import { WEEKDAYS, type Weekday } from './model.js';

/** The words a moderator may use for a set of days. */
const DAY_SETS: Readonly<Record<string, readonly Weekday[]>> = {
  daily: WEEKDAYS,
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekends: ['sat', 'sun'],
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The days a text names, Monday first, or why it names none. */
export function parseDays(text: string): { days: Weekday[] } | { error: string } {
  const words = text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((word) => word.length > 0);
  const chosen = new Set<Weekday>();
  for (const word of words) {
    const set = DAY_SETS[word] ?? dayNamed(word);
    if (!set) {
      return {
        error: `\`${word}\` is not a day: use days like \`mon,thu\`, or \`weekdays\`, \`weekends\`, \`daily\`.`,
      };
    }
    for (const day of set) chosen.add(day);
  }
  if (chosen.size === 0) return { error: 'Say which days, e.g. `mon,thu`, `weekdays` or `daily`.' };
  return { days: WEEKDAYS.filter((day) => chosen.has(day)) };
}

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** `mon`, `thurs`, `monday`: any spelling of at least three letters that starts a day's name. */
function dayNamed(word: string): readonly Weekday[] | undefined {
  if (word.length < 3) return undefined;
  const index = DAY_NAMES.findIndex((name) => name.startsWith(word));
  const day = WEEKDAYS[index];
  return day ? [day] : undefined;
}

/** `HH:MM` (a single-digit hour is accepted: `9:30`), normalised, or `undefined`. */
export function parseTime(text: string): string | undefined {
  const trimmed = text.trim();
  const padded = /^\d:\d\d$/.test(trimmed) ? `0${trimmed}` : trimmed;
  return minutesOf(padded) === undefined ? undefined : padded;
}

/** The days as moderators read them back: `daily`, `weekdays`, `weekends` or `mon, thu`. */
export function describeDays(days: readonly Weekday[]): string {
  for (const [name, set] of Object.entries(DAY_SETS)) {
    if (set.length === days.length && set.every((day) => days.includes(day))) return name;
  }
  return days.join(', ');
}

/** The weekday of a local date (date-fns: Sunday is 0). */
function weekdayOf(local: TZDate): Weekday {
  return WEEKDAYS[(local.getDay() + 6) % 7] as Weekday;
}

/**
 * The first slot strictly after `after`: a chosen day at `time` in `zone`. A local time that does not exist
 * on a spring-forward day (02:30 in Paris) lands where the zone rules put it (03:30).
 */
export function nextSlot(days: readonly Weekday[], time: string, zone: string, after: Date): Date {
  const minutes = minutesOf(time) ?? 0;
  const local = new TZDate(after.getTime(), zone);
  // Eight local days cover a whole week whatever the hour of `after`.
  for (let offset = 0; offset <= 8; offset += 1) {
    const slot = new TZDate(
      local.getFullYear(),
      local.getMonth(),
      local.getDate() + offset,
      Math.floor(minutes / 60),
      minutes % 60,
      zone,
    );
    if (days.includes(weekdayOf(slot)) && slot.getTime() > after.getTime()) return new Date(slot.getTime());
  }
  // Only without days: a schedule always has at least one (parseDays), so this is a week on, never a loop.
  return new Date(after.getTime() + 7 * DAY_MS);
}

/** The lowest pace of a cadence: one post a fortnight. */
export function minimumPace(days: readonly Weekday[]): number {
  return 1 / (2 * Math.max(1, days.length));
}

/** The ISO week of an instant (UTC), `2026-W49`: names weekly things (a digest, a notice) for good. */
export function isoWeek(at: Date): string {
  const date = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  // The Thursday of the week decides its year.
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const year = date.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const firstWeekday = (firstThursday.getUTCDay() + 6) % 7;
  firstThursday.setUTCDate(firstThursday.getUTCDate() - firstWeekday + 3);
  const week = 1 + Math.round((date.getTime() - firstThursday.getTime()) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
