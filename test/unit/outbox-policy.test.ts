import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTENTION, type OutboxMessage } from '../../shared/core/outbox/model.js';
import { decide, expectedSend } from '../../shared/core/outbox/policy.js';
import { describeLocal, isQuiet, parseQuietHours, quietEnd } from '../../shared/core/outbox/zone.js';

const space = { platform: 'slack', id: 'T1' } as const;

function post(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: 'o1',
    key: 'k',
    communityId: 'c1',
    purpose: 'announcement',
    audience: { kind: 'channel', target: { space, channelId: 'C1' } },
    message: { text: 'hi' },
    allowance: { kind: 'unsolicited' },
    status: 'queued',
    createdAt: new Date('2026-11-24T10:00:00Z'),
    dueAt: new Date('2026-11-24T10:00:00Z'),
    attempts: 0,
    ...overrides,
  };
}

const settings = { ...DEFAULT_ATTENTION, timeZone: 'Europe/Paris' };

describe('quiet hours in the community zone', () => {
  it('reads HH:MM-HH:MM and refuses what is not', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: '21:00', end: '08:00' });
    expect(parseQuietHours('22:30 - 06:15')).toEqual({ start: '22:30', end: '06:15' });
    expect(parseQuietHours('25:00-08:00')).toBeUndefined();
    expect(parseQuietHours('08:00-08:00')).toBeUndefined();
    expect(parseQuietHours('8-9')).toBeUndefined();
  });

  it('knows local evening and small hours, across a daylight saving change', () => {
    const quiet = { start: '21:00', end: '08:00' };
    // 20:59 and 21:00 in Paris (UTC+1 in November).
    expect(isQuiet(new Date('2026-11-24T19:59:00Z'), 'Europe/Paris', quiet)).toBe(false);
    expect(isQuiet(new Date('2026-11-24T20:00:00Z'), 'Europe/Paris', quiet)).toBe(true);
    // 07:59 local is quiet, 08:00 is not.
    expect(isQuiet(new Date('2026-11-25T06:59:00Z'), 'Europe/Paris', quiet)).toBe(true);
    expect(isQuiet(new Date('2026-11-25T07:00:00Z'), 'Europe/Paris', quiet)).toBe(false);
    // The night clocks go forward (29 March 2026): 08:00 CEST is 06:00 UTC.
    expect(quietEnd(new Date('2026-03-28T21:30:00Z'), 'Europe/Paris', quiet).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    );
    // Daytime hours within a day (start before end).
    expect(isQuiet(new Date('2026-11-24T12:30:00Z'), 'UTC', { start: '12:00', end: '13:00' })).toBe(true);
    expect(describeLocal(new Date('2026-11-25T07:00:00Z'), 'Europe/Paris')).toBe(
      'Wed 25 Nov, 08:00 (Europe/Paris)',
    );
  });
});

describe('the attention budget decides', () => {
  const noon = new Date('2026-11-24T11:00:00Z'); // 12:00 in Paris

  it('sends within the budget and outside quiet hours', () => {
    expect(decide(post(), { settings, spends: [] }, noon)).toEqual({ kind: 'send' });
  });

  it('holds in quiet hours until the local morning', () => {
    const late = new Date('2026-11-24T21:30:00Z'); // 22:30 in Paris
    expect(decide(post(), { settings, spends: [] }, late)).toEqual({
      kind: 'hold',
      until: new Date('2026-11-25T07:00:00Z'),
      reason: 'quiet hours',
    });
  });

  it('holds a third post in 24 hours until the first ages out', () => {
    const spends = [new Date('2026-11-24T08:00:00Z'), new Date('2026-11-24T10:00:00Z')];
    expect(decide(post(), { settings, spends }, noon)).toEqual({
      kind: 'hold',
      until: new Date('2026-11-25T08:00:00Z'),
      reason: "held by the channel's daily budget",
    });
  });

  it('holds a ninth post in a week by the weekly budget', () => {
    const spends = Array.from({ length: 8 }, (_, day) => new Date(Date.UTC(2026, 10, 17 + day, 9)));
    const decision = decide(post(), { settings, spends }, noon);
    // The oldest of the eight (17 Nov 09:00) ages out on 24 Nov 09:00, already past: the second oldest
    // (18 Nov 09:00) is in the window, and the window holds 7 from 18 Nov on. 24 Nov 09:00 is one of them.
    expect(decision).toEqual({ kind: 'send' });
    const full = [...spends.slice(1), new Date('2026-11-24T10:30:00Z')];
    expect(decide(post(), { settings: { ...settings, channelPerDay: 5 }, spends: full }, noon)).toEqual({
      kind: 'hold',
      until: new Date('2026-11-25T09:00:00Z'),
      reason: "held by the channel's weekly budget",
    });
  });

  it('gives a member one unasked private message a week, and a subscriber their own cap', () => {
    const audience = {
      kind: 'member',
      space,
      member: { platform: 'slack', id: 'U1' },
      memberId: 'm_1',
      privacyKey: 'p1',
      person: 'm_1',
    } as const;
    const spends = [new Date('2026-11-20T11:00:00Z')];
    expect(decide(post({ audience }), { settings, spends }, noon)).toEqual({
      kind: 'hold',
      until: new Date('2026-11-27T11:00:00Z'),
      reason: "held by the member's weekly budget",
    });
    const digest = post({ audience, allowance: { kind: 'subscribed', topic: 'digest', perWeek: 3 } });
    expect(decide(digest, { settings, spends }, noon)).toEqual({ kind: 'send' });
    const reply = post({ audience, allowance: { kind: 'reply' } });
    expect(decide(reply, { settings, spends: [noon, noon, noon] }, noon)).toEqual({ kind: 'send' });
  });

  it('drops what a member or channel refused, and expires what would arrive late', () => {
    expect(decide(post(), { settings, spends: [], blocked: 'the member opted out' }, noon)).toEqual({
      kind: 'drop',
      reason: 'the member opted out',
    });
    const reminder = post({ expiresAt: new Date('2026-11-24T22:00:00Z') });
    const late = new Date('2026-11-24T21:30:00Z');
    expect(decide(reminder, { settings, spends: [] }, late).kind).toBe('expire');
    expect(decide(reminder, { settings, spends: [] }, new Date('2026-11-24T22:00:00Z')).kind).toBe('expire');
  });

  it('holds everything while paused', () => {
    const decision = decide(post(), { settings: { ...settings, paused: true }, spends: [] }, noon);
    expect(decision).toMatchObject({ kind: 'hold', reason: 'paused by the moderators' });
  });

  it('forecasts through a budget into quiet hours and out again', () => {
    // Two posts today at 19:00 and 19:30 Paris: the next frees at 19:00 tomorrow, still before 21:00.
    const spends = [new Date('2026-11-24T18:00:00Z'), new Date('2026-11-24T18:30:00Z')];
    const evening = new Date('2026-11-24T19:00:00Z');
    expect(expectedSend(post({ dueAt: evening }), { settings, spends }, evening)).toEqual({
      at: new Date('2026-11-25T18:00:00Z'),
      reason: "held by the channel's daily budget",
    });
    const lateSpends = [new Date('2026-11-24T19:30:00Z'), new Date('2026-11-24T19:45:00Z')];
    expect(expectedSend(post({ dueAt: evening }), { settings, spends: lateSpends }, evening)).toEqual({
      at: new Date('2026-11-25T19:30:00Z'),
      reason: "held by the channel's daily budget",
    });
  });
});
