import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Space } from '../../shared/core/events.js';
import type { BudgetKey } from '../../shared/core/outbox/model.js';
import type { Item } from '../../shared/store/attributes.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  await table.close();
});

const T0 = new Date('2026-11-24T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
let counter = 0;
function communityId(): string {
  counter += 1;
  return `c_${counter}_${Math.floor(Math.random() * 1e6)}`;
}
function space(platform: Space['platform'] = 'telegram'): Space {
  counter += 1;
  return { platform, id: `-100${counter}${Math.floor(Math.random() * 1e6)}` };
}

async function rawItem(pk: string, sk: string): Promise<Item | undefined> {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('AttentionStore settings', () => {
  it('reads the defaults for a community that changed nothing', async () => {
    expect(await table.store.core.attention.settings(communityId())).toEqual({
      timeZone: 'UTC',
      quietHours: { start: '21:00', end: '08:00' },
      channelPerDay: 2,
      channelPerWeek: 8,
      memberPerWeek: 1,
      paused: false,
    });
  });

  it('keeps what changed over the defaults, turns quiet hours off and on, and keeps communities apart', async () => {
    const { attention } = table.store.core;
    const [c, other] = [communityId(), communityId()];

    const saved = await attention.saveSettings(c, { timeZone: 'Europe/Paris', channelPerDay: 3 });
    const off = await attention.saveSettings(c, { quietHours: undefined });
    const paused = await attention.saveSettings(c, { paused: true, memberPerWeek: 0 });

    expect(saved).toEqual({
      timeZone: 'Europe/Paris',
      quietHours: { start: '21:00', end: '08:00' },
      channelPerDay: 3,
      channelPerWeek: 8,
      memberPerWeek: 1,
      paused: false,
    });
    expect(off).not.toHaveProperty('quietHours');
    const expected = {
      timeZone: 'Europe/Paris',
      channelPerDay: 3,
      channelPerWeek: 8,
      memberPerWeek: 0,
      paused: true,
    };
    expect(paused).toEqual(expected);
    expect(await attention.settings(c)).toEqual(expected);

    await attention.saveSettings(c, { quietHours: { start: '22:30', end: '07:00' }, paused: false });
    expect(await attention.settings(c)).toMatchObject({
      quietHours: { start: '22:30', end: '07:00' },
      paused: false,
    });
    expect(await attention.settings(other)).toMatchObject({ timeZone: 'UTC', channelPerDay: 2 });
  });
});

describe('AttentionStore channels', () => {
  it('reads an unknown channel as no role and not muted', async () => {
    expect(await table.store.core.attention.channel(space(), 'C9')).toMatchObject({
      roles: [],
      muted: false,
    });
  });

  it("adds and removes roles, mutes, lists only the space's channels that have something, and forgets the rest", async () => {
    const { attention } = table.store.core;
    const [where, other] = [space(), space()];

    await attention.setChannelRole(where, 'C1', 'questions', true);
    const both = await attention.setChannelRole(where, 'C1', 'announcements', true);
    await attention.setChannelMuted(where, 'C2', true);
    await attention.setChannelRole(other, 'C1', 'content', true);

    expect(both).toEqual({
      space: where,
      channelId: 'C1',
      roles: ['announcements', 'questions'],
      muted: false,
    });
    expect(await attention.channels(where)).toEqual([
      { space: where, channelId: 'C1', roles: ['announcements', 'questions'], muted: false },
      { space: where, channelId: 'C2', roles: [], muted: true },
    ]);

    await attention.setChannelRole(where, 'C1', 'questions', false);
    await attention.setChannelRole(where, 'C1', 'announcements', false);
    await attention.setChannelMuted(where, 'C2', false);
    expect(await attention.channels(where)).toEqual([]);
    expect(await rawItem(`SPACE#${where.platform}:${where.id}`, 'CHANNEL#C1')).toBeUndefined();
    expect(await attention.channels(other)).toEqual([
      { space: other, channelId: 'C1', roles: ['content'], muted: false },
    ]);
  });
});

describe('AttentionStore member mutes', () => {
  it('tells which ids muted the bot in the community', async () => {
    const { attention } = table.store.core;
    const [c, other] = [communityId(), communityId()];

    await attention.setMemberMuted(c, ['m1', 'm2'], true);
    expect(await attention.mutedMembers(c, ['m1', 'm2', 'm3'])).toEqual(new Set(['m1', 'm2']));
    expect(await attention.mutedMembers(other, ['m1'])).toEqual(new Set());

    await attention.setMemberMuted(c, ['m1'], false);
    expect(await attention.mutedMembers(c, ['m1', 'm2'])).toEqual(new Set(['m2']));
    expect(await attention.mutedMembers(c, [])).toEqual(new Set());
  });
});

describe('AttentionStore spends', () => {
  it('counts a message once, lists sends since a time oldest first, and expires them after 8 days', async () => {
    const { attention } = table.store.core;
    const where = space();
    const key: BudgetKey = { kind: 'channel', space: where, channelId: 'C1' };

    await attention.spend(key, { messageId: 'm2', at: later(HOUR) });
    await attention.spend(key, { messageId: 'm1', at: T0 });
    await attention.spend(key, { messageId: 'm1', at: later(2 * HOUR) });
    await attention.spend(key, { messageId: 'm3', at: later(3 * HOUR) });

    expect(await attention.spends(key, later(-HOUR))).toEqual([
      { messageId: 'm1', at: T0 },
      { messageId: 'm2', at: later(HOUR) },
      { messageId: 'm3', at: later(3 * HOUR) },
    ]);
    expect(await attention.spends(key, later(HOUR))).toEqual([
      { messageId: 'm2', at: later(HOUR) },
      { messageId: 'm3', at: later(3 * HOUR) },
    ]);
    const item = await rawItem(`SPACE#${where.platform}:${where.id}`, 'SPEND#channel#C1#m1');
    expect(item?.expiresAt?.N).toBe(String(Date.parse('2026-12-02T10:00:00Z') / 1000));
  });

  it('keeps each budget apart: channel, greeting, another space, persons and topics', async () => {
    const { attention } = table.store.core;
    const [where, other] = [space(), space()];
    const c = communityId();
    const channel: BudgetKey = { kind: 'channel', space: where, channelId: 'C1' };
    const person: BudgetKey = { kind: 'person', communityId: c, person: 'p1', topic: 'unsolicited' };
    await attention.spend(channel, { messageId: 'a', at: T0 });
    await attention.spend(person, { messageId: 'b', at: T0 });
    await attention.spend({ ...person, topic: 'a#b' }, { messageId: 'c', at: T0 });

    const none = [
      { kind: 'greeting', space: where, channelId: 'C1' },
      { kind: 'channel', space: other, channelId: 'C1' },
      { kind: 'channel', space: where, channelId: 'C12' },
      { kind: 'person', communityId: c, person: 'p12', topic: 'unsolicited' },
      { kind: 'person', communityId: c, person: 'p1', topic: 'a' },
      { kind: 'person', communityId: communityId(), person: 'p1', topic: 'unsolicited' },
    ] as const;
    for (const key of none) expect(await attention.spends(key, later(-HOUR))).toEqual([]);
    expect(await attention.spends(person, later(-HOUR))).toEqual([{ messageId: 'b', at: T0 }]);
    expect(await attention.spends({ ...person, topic: 'a#b' }, later(-HOUR))).toEqual([
      { messageId: 'c', at: T0 },
    ]);
  });
});

describe('AttentionStore.eraseMember', () => {
  it("deletes the member's mutes and person spends, and nobody else's", async () => {
    const { attention } = table.store.core;
    const c = communityId();
    const where = space();
    await attention.setMemberMuted(c, ['gone', 'stays'], true);
    for (const [person, topic, messageId] of [
      ['gone', 'unsolicited', 'a'],
      ['gone', 'digest', 'b'],
      ['stays', 'unsolicited', 'c'],
    ] as const) {
      await attention.spend({ kind: 'person', communityId: c, person, topic }, { messageId, at: T0 });
    }
    await attention.spend({ kind: 'channel', space: where, channelId: 'C1' }, { messageId: 'd', at: T0 });

    expect(await attention.eraseMember(c, ['gone'])).toBe(3);

    expect(await attention.mutedMembers(c, ['gone', 'stays'])).toEqual(new Set(['stays']));
    const spendsOf = (person: string, topic: string) =>
      attention.spends({ kind: 'person', communityId: c, person, topic }, later(-HOUR));
    expect(await spendsOf('gone', 'unsolicited')).toEqual([]);
    expect(await spendsOf('gone', 'digest')).toEqual([]);
    expect(await spendsOf('stays', 'unsolicited')).toHaveLength(1);
    expect(
      await attention.spends({ kind: 'channel', space: where, channelId: 'C1' }, later(-HOUR)),
    ).toHaveLength(1);
    expect(await attention.eraseMember(c, ['gone'])).toBe(0);
  });
});

describe('WelcomeStore', () => {
  it('sets, shows and turns off a space welcome', async () => {
    const { welcomes } = table.store.core;
    const [where, other] = [space(), space()];
    expect(await welcomes.welcome(where)).toBeUndefined();

    await welcomes.setWelcome(where, { text: 'Hello, read the rules', setAt: '2026-11-24T10:00:00.000Z' });
    expect(await welcomes.welcome(where)).toEqual({
      text: 'Hello, read the rules',
      setAt: '2026-11-24T10:00:00.000Z',
    });
    expect(await welcomes.welcome(other)).toBeUndefined();

    await welcomes.setWelcome(where, undefined);
    expect(await welcomes.welcome(where)).toBeUndefined();
  });

  it('welcomes a member once, ever, per space', async () => {
    const { welcomes } = table.store.core;
    const [where, other] = [space(), space()];

    const first = await Promise.all([
      welcomes.markWelcomed(where, 'm1', T0),
      welcomes.markWelcomed(where, 'm1', T0),
    ]);
    expect(first.sort()).toEqual([false, true]);
    expect(await welcomes.markWelcomed(where, 'm1', later(400 * 24 * HOUR))).toBe(false);
    expect(await welcomes.wasWelcomed(where, 'm1')).toBe(true);
    expect(await welcomes.wasWelcomed(other, 'm1')).toBe(false);
    expect(await welcomes.wasWelcomed(where, 'm2')).toBe(false);
    expect((await rawItem(`SPACE#${where.platform}:${where.id}`, 'WELCOMED#m1'))?.expiresAt).toBeUndefined();
  });

  it("erases a member's welcome markers in the given spaces", async () => {
    const { welcomes } = table.store.core;
    const [a, b, untouched] = [space(), space('slack'), space()];
    for (const where of [a, b, untouched]) await welcomes.markWelcomed(where, 'gone', T0);
    await welcomes.markWelcomed(a, 'stays', T0);

    expect(await welcomes.eraseMember([a, b], ['gone', 'nobody'])).toBe(2);

    expect(await welcomes.wasWelcomed(a, 'gone')).toBe(false);
    expect(await welcomes.wasWelcomed(b, 'gone')).toBe(false);
    expect(await welcomes.wasWelcomed(untouched, 'gone')).toBe(true);
    expect(await welcomes.wasWelcomed(a, 'stays')).toBe(true);
    expect(await welcomes.markWelcomed(a, 'gone', later(HOUR))).toBe(true);
  });
});
