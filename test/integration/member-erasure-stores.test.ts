import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_REQUEST_MS } from '../../shared/core/answers.js';
import { ERASED_MEMBER_ID } from '../../shared/core/communities/model.js';
import type { Member, Space } from '../../shared/core/events.js';
import type { Item } from '../../shared/store/attributes.js';
import { MAX_ATTEMPTS } from '../../shared/store/client.js';
import { StoreError } from '../../shared/store/errors.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { type FaultyProxy, startFaultyProxy } from '../support/faulty-proxy.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
let proxy: FaultyProxy;
/** The stores under test reach dynalite through the proxy, so a test can make a call fail. */
let store: Store;

beforeAll(async () => {
  table = await startTestTable();
  proxy = await startFaultyProxy(table.endpoint);
  store = createStore({ tableName: table.tableName, endpoint: proxy.endpoint });
});

afterAll(async () => {
  store.client.destroy();
  await proxy.close();
  await table.close();
});

const T0 = new Date('2026-11-24T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
let counter = 0;
/** A fresh Slack workspace per test, so tests share the table without sharing keys. */
function space(): Space {
  counter += 1;
  return { platform: 'slack', id: `T${counter}X${Math.floor(Math.random() * 1e6)}` };
}
function communityId(): string {
  counter += 1;
  return `c_${counter}_${Math.floor(Math.random() * 1e6)}`;
}

/** The member erased. No other id in these tests contains this one, so a plain substring check finds it. */
const ERASED: Member = { platform: 'slack', id: 'U0ERASE' };
const OTHER: Member = { platform: 'slack', id: 'U0KEEP' };
const MODERATOR: Member = { platform: 'slack', id: 'U0MOD' };

/** Every item of one partition, read through the raw client (not the repository under test). */
async function itemsIn(pk: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function sortKeys(items: readonly Item[]): string[] {
  return items.map((item) => item.sk?.S ?? '').sort();
}

function holdsId(items: readonly Item[], id: string): boolean {
  return JSON.stringify(items).includes(id);
}

describe('AnswerLedger.eraseMember', () => {
  async function deliveredTo(where: Space, key: string): Promise<void> {
    await store.core.ledger.begin(where, key, T0, IN_REQUEST_MS);
    await store.core.ledger.complete(where, key, later(1000));
  }

  it("deletes the space's claims addressed to the member, and nothing else", async () => {
    // Prepare
    const [here, elsewhere] = [space(), space()];
    await deliveredTo(here, `feedback:n1:to:${ERASED.id}`);
    // Still in progress: erased all the same.
    await store.core.ledger.begin(here, `feedback:n2:to:${ERASED.id}`, T0, IN_REQUEST_MS);
    await deliveredTo(here, `feedback:n1:to:${OTHER.id}`);
    // Contains the member's suffix but names a longer id.
    await deliveredTo(here, `feedback:n3:to:${ERASED.id}2`);
    await deliveredTo(here, 'command:e1');
    await deliveredTo(elsewhere, `feedback:n1:to:${ERASED.id}`);
    const elsewhereBefore = await itemsIn(`ONCE#slack:${elsewhere.id}`);

    // Act
    const erased = await store.core.ledger.eraseMember(here, ERASED);

    // Assess
    expect(erased).toBe(2);
    expect(sortKeys(await itemsIn(`ONCE#slack:${here.id}`))).toEqual(
      ['command:e1', `feedback:n1:to:${OTHER.id}`, `feedback:n3:to:${ERASED.id}2`].sort(),
    );
    expect(await itemsIn(`ONCE#slack:${elsewhere.id}`)).toEqual(elsewhereBefore);
    expect(await store.core.ledger.eraseMember(here, ERASED)).toBe(0);
  });

  it('deletes more claims than one batch holds', async () => {
    const here = space();
    for (let note = 0; note < 30; note++) await deliveredTo(here, `feedback:n${note}:to:${ERASED.id}`);
    await deliveredTo(here, `feedback:n0:to:${OTHER.id}`);

    expect(await store.core.ledger.eraseMember(here, ERASED)).toBe(30);
    expect(sortKeys(await itemsIn(`ONCE#slack:${here.id}`))).toEqual([`feedback:n0:to:${OTHER.id}`]);
  });

  it('fails as a StoreError when the table does, and a second run finishes the erasure', async () => {
    // Prepare: the first batch of 25 reaches the table but every answer is lost, so the caller sees failure.
    const here = space();
    for (let note = 0; note < 30; note++) await deliveredTo(here, `feedback:n${note}:to:${ERASED.id}`);
    proxy.failNext('BatchWriteItem', MAX_ATTEMPTS, 'after', `ONCE#slack:${here.id}`);

    // Act
    const failed = store.core.ledger.eraseMember(here, ERASED);

    // Assess
    await expect(failed).rejects.toBeInstanceOf(StoreError);
    expect(await itemsIn(`ONCE#slack:${here.id}`)).toHaveLength(5);
    expect(await store.core.ledger.eraseMember(here, ERASED)).toBe(5);
    expect(await itemsIn(`ONCE#slack:${here.id}`)).toEqual([]);
  });
});

describe('PendingAnswerStore.eraseMember', () => {
  it("deletes the member's waiting answers in the space only", async () => {
    // Prepare
    const { pending } = store.core;
    const [here, elsewhere] = [space(), space()];
    await pending.put(here, ERASED, { text: 'your stats' }, T0);
    await pending.put(here, ERASED, { text: 'your other stats' }, T0);
    const kept = await pending.put(here, OTHER, { text: 'their stats' }, T0);
    await pending.put(elsewhere, ERASED, { text: 'stats elsewhere' }, T0);
    const elsewhereBefore = await itemsIn(`PENDING#slack:${elsewhere.id}`);

    // Act
    const erased = await pending.eraseMember(here, ERASED);

    // Assess
    expect(erased).toBe(2);
    const left = await itemsIn(`PENDING#slack:${here.id}`);
    expect(left.map((item) => item.memberId?.S)).toEqual([OTHER.id]);
    expect(holdsId(left, ERASED.id)).toBe(false);
    expect(await pending.peek(kept, OTHER, later(1000))).toEqual({ text: 'their stats' });
    expect(await itemsIn(`PENDING#slack:${elsewhere.id}`)).toEqual(elsewhereBefore);
    expect(await pending.eraseMember(here, ERASED)).toBe(0);
  });
});

describe('FeedbackStore.eraseMember', () => {
  function note(where: Space, id: string, from: Member) {
    return { space: where, id, from, text: `note ${id}`, createdAt: T0.toISOString() };
  }

  it('deletes the notes the member wrote and forgets that they read others', async () => {
    // Prepare
    const { feedback } = store.core;
    const [here, elsewhere] = [space(), space()];
    await feedback.add(note(here, 'unread-by-them', ERASED), T0);
    await feedback.add(note(here, 'read-by-mod', ERASED), T0);
    await feedback.markRead(here, 'read-by-mod', MODERATOR, later(1000));
    await feedback.add(note(here, 'read-by-them', OTHER), T0);
    await feedback.markRead(here, 'read-by-them', ERASED, later(1000));
    await feedback.add(note(here, 'unread', OTHER), T0);
    await feedback.add(note(here, 'read-by-mod-too', OTHER), T0);
    await feedback.markRead(here, 'read-by-mod-too', MODERATOR, later(1000));
    await feedback.add(note(elsewhere, 'theirs', ERASED), T0);
    await feedback.add(note(elsewhere, 'read-by-them', OTHER), T0);
    await feedback.markRead(elsewhere, 'read-by-them', ERASED, later(1000));
    const untouched = ['unread', 'read-by-mod-too'];
    const before = await itemsIn(`FEEDBACK#slack:${here.id}`);
    const elsewhereBefore = await itemsIn(`FEEDBACK#slack:${elsewhere.id}`);

    // Act
    const erased = await feedback.eraseMember(here, ERASED);

    // Assess: two notes deleted, one no longer says who read it.
    expect(erased).toBe(3);
    const after = await itemsIn(`FEEDBACK#slack:${here.id}`);
    expect(sortKeys(after)).toEqual(['read-by-them', ...untouched].sort());
    expect(holdsId(after, ERASED.id)).toBe(false);
    const forgotten = after.find((item) => item.sk?.S === 'read-by-them');
    expect(forgotten?.readBy?.S).toBe(ERASED_MEMBER_ID);
    expect(forgotten?.fromId?.S).toBe(OTHER.id);
    expect(forgotten?.readAt?.S).toBe(later(1000).toISOString());
    expect(after.filter((item) => untouched.includes(item.sk?.S ?? ''))).toEqual(
      before.filter((item) => untouched.includes(item.sk?.S ?? '')),
    );
    expect(await itemsIn(`FEEDBACK#slack:${elsewhere.id}`)).toEqual(elsewhereBefore);
    expect(await feedback.eraseMember(here, ERASED)).toBe(0);
  });

  it('still answers that a note was read once its reader is erased', async () => {
    const { feedback } = store.core;
    const here = space();
    await feedback.add(note(here, 'n1', OTHER), T0);
    await feedback.markRead(here, 'n1', ERASED, later(1000));

    expect(await feedback.eraseMember(here, ERASED)).toBe(1);

    expect(await feedback.markRead(here, 'n1', MODERATOR, later(2000))).toEqual({
      kind: 'already',
      readBy: ERASED_MEMBER_ID,
    });
    expect(await feedback.get(here, 'n1')).toBeUndefined();
  });
});

describe('CommunityStore.eraseMember', () => {
  it("deletes the member's moderator entry and erases them from the audit trail, keeping the actions", async () => {
    // Prepare
    const { communities } = store.core;
    const [here, elsewhere] = [communityId(), communityId()];
    await communities.addModerator(here, ERASED);
    await communities.addModerator(here, OTHER);
    await communities.addModerator(elsewhere, ERASED);
    const entries = [
      { actor: ERASED, action: 'asked for a link code' },
      { actor: ERASED, action: `made \`slack:${OTHER.id}\` a community moderator` },
      { actor: OTHER, action: `made \`slack:${ERASED.id}\` a community moderator` },
      { actor: OTHER, action: 'linked slack:T2 into this community (code from slack:T1)' },
      { actor: { platform: 'ops' as const, id: 'ops-ana' }, action: 'approved slack:T2' },
    ];
    for (const [index, entry] of entries.entries()) {
      await communities.audit(here, { at: later(index * 1000).toISOString(), where: 'slack:T1', ...entry });
    }
    await communities.audit(elsewhere, {
      at: T0.toISOString(),
      actor: ERASED,
      action: `made \`slack:${ERASED.id}\` a community moderator`,
      where: 'slack:T9',
    });
    const elsewhereBefore = await itemsIn(`COMMUNITY#${elsewhere}`);

    // Act
    const erased = await communities.eraseMember(here, ERASED);

    // Assess: the moderator entry and three audit entries.
    expect(erased).toBe(4);
    expect(holdsId(await itemsIn(`COMMUNITY#${here}`), ERASED.id)).toBe(false);
    expect(await communities.moderators(here)).toEqual([OTHER]);
    const gone = { platform: 'slack', id: ERASED_MEMBER_ID };
    expect(await communities.auditTrail(here, 10)).toEqual(
      [
        { actor: gone, action: 'asked for a link code' },
        { actor: gone, action: `made \`slack:${OTHER.id}\` a community moderator` },
        { actor: OTHER, action: `made \`slack:${ERASED_MEMBER_ID}\` a community moderator` },
        entries[3],
        entries[4],
      ]
        .map((entry, index) => ({ at: later(index * 1000).toISOString(), where: 'slack:T1', ...entry }))
        .reverse(),
    );
    expect(await itemsIn(`COMMUNITY#${elsewhere}`)).toEqual(elsewhereBefore);
    expect(await communities.eraseMember(here, ERASED)).toBe(0);
  });

  it('leaves ids that only contain the member id alone', async () => {
    // Prepare
    const { communities } = store.core;
    const here = communityId();
    const short: Member = { platform: 'slack', id: 'U1' };
    const longer: Member = { platform: 'slack', id: 'U12' };
    await communities.addModerator(here, longer);
    await communities.audit(here, {
      at: T0.toISOString(),
      actor: longer,
      action: 'made `slack:U12` a community moderator',
      where: 'slack:T1',
    });
    await communities.audit(here, {
      at: later(1000).toISOString(),
      actor: longer,
      action: 'made `slack:U1` a community moderator',
      where: 'slack:T1',
    });

    // Act
    const erased = await communities.eraseMember(here, short);

    // Assess
    expect(erased).toBe(1);
    expect(await communities.moderators(here)).toEqual([longer]);
    expect(await communities.auditTrail(here, 10)).toEqual([
      {
        at: later(1000).toISOString(),
        actor: longer,
        action: `made \`slack:${ERASED_MEMBER_ID}\` a community moderator`,
        where: 'slack:T1',
      },
      {
        at: T0.toISOString(),
        actor: longer,
        action: 'made `slack:U12` a community moderator',
        where: 'slack:T1',
      },
    ]);
  });
});
