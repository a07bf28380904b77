const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. Stats use UTC days everywhere. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The `count` UTC days ending with the day of `now`, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    days.push(utcDay(new Date(now.getTime() - back * DAY_MS)));
  }
  return days;
}

/** The instant a UTC day ends (the next day's midnight). */
export function endOfDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS);
}
