import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngagementRecord, toEngagementRecord } from '../../shared/core/engagement.js';
import type { InboundEvent } from '../../shared/core/events.js';
import { StoreError } from '../../shared/store/errors.js';
import { createStore } from '../../shared/store/index.js';
import { type FaultyProxy, startFaultyProxy } from '../support/faulty-proxy.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
let proxy: FaultyProxy;

beforeAll(async () => {
  table = await startTestTable();
  proxy = await startFaultyProxy(table.endpoint);
});

afterAll(async () => {
  await proxy.close();
  await table.close();
});

let sequence = 0;
function message(
  at: string,
  member = 'U1',
  kind: 'message_posted' | 'member_left' = 'message_posted',
): EngagementRecord {
  sequence += 1;
  const event: InboundEvent =
    kind === 'message_posted'
      ? { kind, id: `m${sequence}`, messageId: `m${sequence}`, textLength: 5, ...where(member, at) }
      : { kind, id: `l${sequence}`, ...where(member, at) };
  return toEngagementRecord(event, new Date(at), { memberId: `m_${member}` });
}

function where(member: string, at: string) {
  return {
    occurredAt: new Date(at),
    member: { platform: 'slack' as const, id: member },
    location: { space: { platform: 'slack' as const, id: 'T1' }, channelId: 'C1' },
  };
}

describe('EngagementRepository.record', () => {
  it('writes an event once however often it is delivered, one after another', async () => {
    const record = message('2026-11-20T10:00:00Z');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await table.store.engagement.record(record));
    expect(outcomes).toEqual(['recorded', 'duplicate', 'duplicate']);
    const items = await table.engagementItems();
    expect(items.filter((item) => item.key?.S === record.key)).toHaveLength(1);
  });

  it('lets exactly one of several concurrent deliveries record', async () => {
    const record = message('2026-11-20T10:05:00Z');
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => table.store.engagement.record(record)),
    );
    expect(outcomes.filter((outcome) => outcome === 'recorded')).toHaveLength(1);
  });

  it('never keeps message text', async () => {
    const record = message('2026-11-20T10:06:00Z');
    await table.store.engagement.record(record);
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `EVT#${record.key}` }, sk: { S: 'EVT' } },
      }),
    );
    expect(Item?.textLength?.N).toBe('5');
    expect(Object.keys(Item ?? {}).some((name) => /text$/i.test(name))).toBe(false);
  });

  it('counts its own retried write as recorded when the first response was lost', async () => {
    // Prepare: the put reaches the table, but the answer is lost; the SDK retries the same put.
    const store = createStore({ tableName: table.tableName, endpoint: proxy.endpoint });
    const record = message('2026-11-20T10:10:00Z');
    proxy.failNext('PutItem', 1, 'after');

    // Act
    const outcome = await store.engagement.record(record);

    // Assess
    expect(outcome).toBe('recorded');
    expect(await table.store.engagement.record(record)).toBe('duplicate');
    store.client.destroy();
  });

  it('reports an outage as a StoreError and writes nothing', async () => {
    const store = createStore({ tableName: table.tableName, endpoint: proxy.endpoint });
    const record = message('2026-11-20T10:20:00Z');
    proxy.failNext('PutItem', 3, 'before');
    await expect(store.engagement.record(record)).rejects.toBeInstanceOf(StoreError);
    expect(await table.store.engagement.record(record)).toBe('recorded');
    store.client.destroy();
  });
});

const SLACK_SPACE = { platform: 'slack' as const, id: 'T1' };

describe('EngagementRepository.dayTotals', () => {
  it('counts live days from the records and freezes closed days into rollups that agree with them', async () => {
    // Prepare: a separate platform-day so other tests' records do not interfere.
    const day = '2026-10-01';
    for (const member of ['A', 'B', 'A'])
      await table.store.engagement.record(message(`${day}T08:00:00Z`, member));
    await table.store.engagement.record(message(`${day}T09:00:00Z`, 'C', 'member_left'));
    const whileOpen = new Date(`${day}T23:59:00Z`);
    const afterClose = new Date('2026-10-02T01:00:00Z');

    // Act
    const [live] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], whileOpen);
    const [closed] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], afterClose);
    // A record that could never arrive for a closed day shows that the rollup is what later reads use.
    await table.store.engagement.record(message(`${day}T10:00:00Z`, 'D'));
    const [rolledUp] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], afterClose);

    // Assess: 3 messages by 2 members (their opaque ids); the departure counts for nothing.
    expect(live).toMatchObject({ messages: 3, replies: 0, joins: 0, members: ['m_A', 'm_B'] });
    expect(closed).toEqual(live);
    expect(rolledUp).toEqual(live);
  });

  it("reads one space's keys only: another workspace's records never reach its totals", async () => {
    // Prepare: a day with records in T1 only.
    const day = '2026-10-05';
    await table.store.engagement.record(message(`${day}T08:00:00Z`, 'A'));

    // Act
    const [own] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], new Date(`${day}T12:00:00Z`));
    const [other] = await table.store.engagement.dayTotals(
      { platform: 'slack', id: 'T2' },
      [day],
      new Date(`${day}T12:00:00Z`),
    );

    // Assess
    expect(own).toMatchObject({ spaceId: 'T1', messages: 1, members: ['m_A'] });
    expect(other).toMatchObject({ spaceId: 'T2', messages: 0, members: [] });
  });

  it('recomputes a rollup written by an older version (members were platform ids then), and replaces it', async () => {
    // Prepare: a closed day rolled up, then its rollup turned into one without a version and other numbers.
    const day = '2026-10-08';
    await table.store.engagement.record(message(`${day}T08:00:00Z`, 'A'));
    const afterClose = new Date('2026-10-09T01:00:00Z');
    const [first] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], afterClose);
    const key = { pk: { S: 'ROLLUP#slack:T1' }, sk: { S: day } };
    const { Item: rollup } = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    expect(rollup?.version?.N).toBe('2');
    const { version: _, ...older } = rollup ?? {};
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { ...older, messages: { N: '99' }, members: { SS: ['U1'] } },
      }),
    );

    // Act
    const [again] = await table.store.engagement.dayTotals(SLACK_SPACE, [day], afterClose);

    // Assess: the records' numbers, not the older rollup's, and the rollup is of this version again.
    expect(first).toMatchObject({ messages: 1, members: ['m_A'] });
    expect(again).toEqual(first);
    const { Item: replaced } = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    expect(replaced?.version?.N).toBe('2');
    expect(replaced?.messages?.N).toBe('1');
  });

  it('returns zeros for days without records, in the order asked', async () => {
    const totals = await table.store.engagement.dayTotals(
      { platform: 'telegram', id: '-1001' },
      ['2026-09-02', '2026-09-01'],
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(totals.map((day) => [day.day, day.messages, day.members.length])).toEqual([
      ['2026-09-02', 0, 0],
      ['2026-09-01', 0, 0],
    ]);
  });
});

describe('EngagementRepository.dayEdges', () => {
  function addressed(
    at: string,
    id: string,
    from: string,
    to: string | undefined,
    space = 'T1',
  ): EngagementRecord {
    const event: InboundEvent = {
      kind: 'thread_reply',
      id,
      messageId: id,
      replyToId: 'root',
      textLength: 3,
      occurredAt: new Date(at),
      member: { platform: 'slack', id: from },
      location: { space: { platform: 'slack', id: space }, channelId: 'C1' },
    };
    return toEngagementRecord(event, new Date(at), {
      memberId: `m_${from}`,
      ...(to ? { toMemberId: `m_${to}` } : {}),
    });
  }

  it("lists one space-day's replies addressed to someone, by opaque ids, and nothing from another space or day", async () => {
    // Prepare: two addressed replies and one without an addressee on one day; one on the next day; one in T2.
    const day = '2026-10-09';
    await table.store.engagement.record(addressed(`${day}T08:00:00Z`, 'e1', 'A', 'B'));
    await table.store.engagement.record(addressed(`${day}T09:00:00Z`, 'e2', 'B', 'A'));
    await table.store.engagement.record(addressed(`${day}T10:00:00Z`, 'e3', 'C', undefined));
    await table.store.engagement.record(addressed('2026-10-10T08:00:00Z', 'e4', 'A', 'C'));
    await table.store.engagement.record(addressed(`${day}T08:00:00Z`, 'e5', 'D', 'A', 'T2'));

    // Act
    const edges = await table.store.engagement.dayEdges(SLACK_SPACE, day);

    // Assess
    expect(edges.map((edge) => `${edge.kind} ${edge.from}->${edge.to}`).sort()).toEqual([
      'thread_reply m_A->m_B',
      'thread_reply m_B->m_A',
    ]);
  });
});

describe('StoreError', () => {
  it('keeps the SDK error as its cause and a stable code', () => {
    const cause = new Error('boom');
    const error = new StoreError('PutItem', { cause });
    expect(error.code).toBe('store_unavailable');
    expect(error.cause).toBe(cause);
  });
});
