/**
 * Cadences as moderators type them, and the slots they give in a community's zone: expectations computed by
 * hand from the calendar and the zone rules (Europe/Paris is UTC+1 in winter, UTC+2 in summer; in 2027 it
 * moves forward on 28 March at 01:00 UTC and back on 31 October at 01:00 UTC).
 */
import { describe, expect, it } from 'vitest';
import {
  describeDays,
  isoWeek,
  minimumPace,
  nextSlot,
  parseDays,
  parseTime,
} from '../../shared/core/content/cadence.js';

describe('parseDays', () => {
  it('reads lists and the named sets, Monday first, without repeats', () => {
    expect(parseDays('thu,mon')).toEqual({ days: ['mon', 'thu'] });
    expect(parseDays('Monday, thurs')).toEqual({ days: ['mon', 'thu'] });
    expect(parseDays('weekdays')).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri'] });
    expect(parseDays('weekends')).toEqual({ days: ['sat', 'sun'] });
    expect(parseDays('daily')).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] });
    expect(parseDays('sat,weekends,sun')).toEqual({ days: ['sat', 'sun'] });
  });

  it('names the word that is not a day', () => {
    expect(parseDays('mon,funday')).toEqual({ error: expect.stringContaining('`funday` is not a day') });
    expect(parseDays('mo')).toEqual({ error: expect.stringContaining('`mo` is not a day') });
    expect(parseDays(' , ')).toEqual({ error: expect.stringContaining('Say which days') });
  });

  it('reads the sets back by name', () => {
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri'])).toBe('weekdays');
    expect(describeDays(['mon', 'thu'])).toBe('mon, thu');
  });
});

describe('parseTime', () => {
  it('takes HH:MM in 24 hours, and a single-digit hour', () => {
    expect(parseTime('09:30')).toBe('09:30');
    expect(parseTime('9:30')).toBe('09:30');
    expect(parseTime('23:59')).toBe('23:59');
    expect(parseTime('24:00')).toBeUndefined();
    expect(parseTime('9.30')).toBeUndefined();
    expect(parseTime('9:5')).toBeUndefined();
  });
});

describe('nextSlot', () => {
  it('finds the next chosen day at the local time, strictly after the instant', () => {
    // Tuesday 24 Nov 2026, 14:00 in Paris (UTC+1): the next Monday-or-Thursday 09:30 is Thursday 26.
    const tuesday = new Date('2026-11-24T13:00:00Z');
    expect(nextSlot(['mon', 'thu'], '09:30', 'Europe/Paris', tuesday).toISOString()).toBe(
      '2026-11-26T08:30:00.000Z',
    );
    // At the slot itself: the one after it (Monday 30 Nov).
    expect(
      nextSlot(['mon', 'thu'], '09:30', 'Europe/Paris', new Date('2026-11-26T08:30:00Z')).toISOString(),
    ).toBe('2026-11-30T08:30:00.000Z');
    // The same day when its time is still ahead (Tuesday 18:00 in Paris = 17:00 UTC).
    expect(nextSlot(['tue'], '18:00', 'Europe/Paris', tuesday).toISOString()).toBe(
      '2026-11-24T17:00:00.000Z',
    );
  });

  it('uses the local day, not the UTC one', () => {
    // 23:30 UTC on Sunday 29 Nov is 18:30 on Sunday in New York (UTC-5): Sunday's 19:00 slot is still ahead.
    expect(
      nextSlot(['sun'], '19:00', 'America/New_York', new Date('2026-11-29T23:30:00Z')).toISOString(),
    ).toBe('2026-11-30T00:00:00.000Z');
  });

  it('keeps the local time across the daylight saving change in Europe/Paris', () => {
    // Sunday 21 March 2027 09:30 is CET (08:30 UTC); Sunday 28 March 09:30 is CEST (07:30 UTC).
    const before = new Date('2027-03-20T12:00:00Z');
    const first = nextSlot(['sun'], '09:30', 'Europe/Paris', before);
    expect(first.toISOString()).toBe('2027-03-21T08:30:00.000Z');
    expect(nextSlot(['sun'], '09:30', 'Europe/Paris', first).toISOString()).toBe('2027-03-28T07:30:00.000Z');
    // And back: Sunday 31 October 2027 09:30 is CET again (08:30 UTC), a week after 07:30 UTC.
    expect(nextSlot(['sun'], '09:30', 'Europe/Paris', new Date('2027-10-24T07:30:00Z')).toISOString()).toBe(
      '2027-10-31T08:30:00.000Z',
    );
  });

  it('puts a time the spring change skips an hour later', () => {
    // 02:30 does not exist in Paris on 28 March 2027 (02:00 CET jumps to 03:00 CEST): 03:30 CEST, 01:30 UTC.
    expect(nextSlot(['sun'], '02:30', 'Europe/Paris', new Date('2027-03-27T12:00:00Z')).toISOString()).toBe(
      '2027-03-28T01:30:00.000Z',
    );
  });
});

describe('minimumPace and isoWeek', () => {
  it('floors the pace at one post a fortnight', () => {
    expect(minimumPace(['mon'])).toBe(0.5);
    expect(minimumPace(['mon', 'tue', 'wed', 'thu'])).toBe(0.125);
  });

  it('names ISO weeks, including a 53rd', () => {
    expect(isoWeek(new Date('2026-11-24T10:00:00Z'))).toBe('2026-W48');
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    // 2026 starts on a Thursday, so it has 53 weeks: Friday 1 Jan 2027 is in its last.
    expect(isoWeek(new Date('2027-01-01T10:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2027-01-04T10:00:00Z'))).toBe('2027-W01');
  });
});
