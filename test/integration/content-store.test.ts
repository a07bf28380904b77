/**
 * The content library's store against dynalite: the library meta and its version, items written whole in one
 * transaction with the meta (nothing written on a conflict), counts moved only by ADD, a large library read
 * whole, the suggestion queue, votes that move counts exactly once, and what a member was shown.
 */
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelPost, ContentItem } from '../../shared/core/content/model.js';
import { NO_COUNTS } from '../../shared/core/content/model.js';
import { itemAttributes, itemKey } from '../../shared/store/content-items.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.close();
});

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const content = () => table.store.core.content;
const T0 = '2026-11-24T10:00:00.000Z';
let communities = 0;
/** Each test its own community, so tests share the table but never a key. */
function freshCommunity(): string {
  communities += 1;
  return `c_lib_${communities}`;
}

function item(communityId: string, id: string, extra: Partial<ContentItem> = {}): ContentItem {
  return {
    communityId,
    id,
    title: `Item ${id}`,
    body: `The body of ${id}.`,
    topics: ['onboarding', 'events'],
    kind: 'tip',
    author: { kind: 'moderator', person: 'p_mod' },
    language: 'en',
    promotional: false,
    status: 'live',
    createdAt: T0,
    updatedAt: T0,
    counts: NO_COUNTS,
    ...extra,
  };
}

/** The raw stored item, read with the table's own client. */
async function raw(communityId: string, id: string) {
  const { Item } = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: itemKey(communityId, id), ConsistentRead: true }),
  );
  return Item;
}

describe('library meta and topics', () => {
  it('starts empty, adds and removes topics, and bumps the version only on a change', async () => {
    const c = freshCommunity();
    expect(await content().meta(c)).toEqual({ communityId: c, topics: [], version: 0 });

    expect(await content().setTopic(c, 'events', true)).toEqual({
      meta: { communityId: c, topics: ['events'], version: 1 },
      changed: true,
    });
    await content().setTopic(c, 'onboarding', true);
    expect((await content().setTopic(c, 'events', true)).changed).toBe(false);
    expect(await content().setTopic(c, 'events', false)).toEqual({
      meta: { communityId: c, topics: ['onboarding'], version: 3 },
      changed: true,
    });
    expect((await content().setTopic(c, 'missing', false)).changed).toBe(false);
    expect(await content().meta(c)).toEqual({ communityId: c, topics: ['onboarding'], version: 3 });
  });

  it('keeps topic changes that race with item saves', async () => {
    const c = freshCommunity();
    await Promise.all([
      content().setTopic(c, 'a', true),
      content().save(item(c, 'aaaaa1'), { kind: 'new' }),
      content().setTopic(c, 'b', true),
      content().save(item(c, 'aaaaa2'), { kind: 'new' }),
    ]);
    const meta = await content().meta(c);
    expect([...meta.topics].sort()).toEqual(['a', 'b']);
    expect(meta.version).toBe(4);
  });
});

describe('items', () => {
  it('writes a new item whole with zero counts and bumps the version; a second new writes nothing', async () => {
    const c = freshCommunity();
    const suggestion = item(c, 'abc123', {
      link: 'https://example.org/guide',
      author: {
        kind: 'member',
        person: 'p_ana',
        member: { platform: 'slack', id: 'U0ANA' },
        space: { platform: 'slack', id: 'T0A' },
      },
      review: { state: 'approved', note: 'thanks', by: 'p_mod', at: T0 },
      sourceKey: 'starter/welcome',
      promotional: true,
      counts: { shown: 9, helpful: 9, notForMe: 9, shared: 9, engaged: 0 },
    });

    expect(await content().save(suggestion, { kind: 'new' })).toBe('written');
    expect(await content().get(c, 'abc123')).toEqual({ ...suggestion, counts: NO_COUNTS });
    expect((await content().meta(c)).version).toBe(1);

    const before = await raw(c, 'abc123');
    expect(await content().save({ ...suggestion, title: 'Another' }, { kind: 'new' })).toBe('exists');
    expect(await raw(c, 'abc123')).toEqual(before);
    expect((await content().meta(c)).version).toBe(1);
  });

  it('replaces only from the version read, keeping the counts votes moved meanwhile', async () => {
    const c = freshCommunity();
    const first = item(c, 'rep001', { link: 'https://example.org' });
    await content().save(first, { kind: 'new' });
    await content().count(c, 'rep001', { shown: 3, helpful: 2 });
    const edited = { ...first, title: 'Edited', updatedAt: '2026-11-24T11:00:00.000Z' };
    delete (edited as { link?: string }).link;

    // A stale edit: nothing changes, not even the version.
    const before = await raw(c, 'rep001');
    expect(
      await content().save(edited, { kind: 'replace', expectedUpdatedAt: '2026-01-01T00:00:00.000Z' }),
    ).toBe('conflict');
    expect(await raw(c, 'rep001')).toEqual(before);
    expect((await content().meta(c)).version).toBe(1);

    expect(await content().save(edited, { kind: 'replace', expectedUpdatedAt: T0 })).toBe('written');
    expect(await content().get(c, 'rep001')).toEqual({
      ...edited,
      counts: { shown: 3, helpful: 2, notForMe: 0, shared: 0, engaged: 0 },
    });
    expect((await content().meta(c)).version).toBe(2);
    // Replacing an item that does not exist is a conflict too, and writes nothing.
    expect(await content().save(item(c, 'nope00'), { kind: 'replace', expectedUpdatedAt: T0 })).toBe(
      'conflict',
    );
    expect(await content().get(c, 'nope00')).toBeUndefined();
  });

  it('moves counts by adding, and never makes an item out of counts alone', async () => {
    const c = freshCommunity();
    await content().save(item(c, 'cnt001'), { kind: 'new' });
    await Promise.all([
      content().count(c, 'cnt001', { shown: 1 }),
      content().count(c, 'cnt001', { shown: 1, shared: 1 }),
      content().count(c, 'cnt001', { notForMe: 2, helpful: 0 }),
      content().count(c, 'cnt001', { engaged: 3 }),
    ]);
    expect((await content().get(c, 'cnt001'))?.counts).toEqual({
      shown: 2,
      helpful: 0,
      notForMe: 2,
      shared: 1,
      engaged: 3,
    });
    await content().count(c, 'gone00', { shown: 1 });
    expect(await raw(c, 'gone00')).toBeUndefined();
  });

  it("reads a library of 1,200 items whole, and no other community's", async () => {
    // Prepare: written straight into the table (a save each would only slow the test down).
    const c = freshCommunity();
    // Ids spread over every first character, as hashed ids are.
    const ids = Array.from(
      { length: 1200 },
      (_, index) =>
        `${BASE36[index % 36]}${Math.floor(index / 36)
          .toString(36)
          .padStart(5, '0')}`,
    );
    for (let start = 0; start < ids.length; start += 25) {
      await table.client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [table.tableName]: ids.slice(start, start + 25).map((id) => ({
              PutRequest: {
                Item: { ...itemKey(c, id), ...itemAttributes(item(c, id, { body: 'x'.repeat(1000) })) },
              },
            })),
          },
        }),
      );
    }
    const other = freshCommunity();
    await content().save(item(other, 'zzzzzz'), { kind: 'new' });

    // Act
    const all = await content().items(c);

    // Assess
    expect(all).toHaveLength(1200);
    expect(new Set(all.map((found) => found.id))).toEqual(new Set(ids));
    expect(all.every((found) => found.communityId === c && found.body.length === 1000)).toBe(true);
  });

  it('queues pending suggestions oldest first, until they are reviewed', async () => {
    const c = freshCommunity();
    const pending = (id: string, createdAt: string) =>
      item(c, id, {
        status: 'draft',
        createdAt,
        updatedAt: createdAt,
        author: { kind: 'member', person: `p_${id}` },
        review: { state: 'pending' },
      });
    await content().save(pending('sug002', '2026-11-24T12:00:00.000Z'), { kind: 'new' });
    await content().save(pending('sug001', '2026-11-24T09:00:00.000Z'), { kind: 'new' });
    await content().save(pending('sug003', '2026-11-24T15:00:00.000Z'), { kind: 'new' });
    await content().save(item(c, 'live01'), { kind: 'new' });
    await content().save(pending('sug999', T0), { kind: 'new' });
    expect((await content().queue(freshCommunity())).length).toBe(0);

    expect((await content().queue(c)).map((found) => found.id)).toEqual([
      'sug001',
      'sug999',
      'sug002',
      'sug003',
    ]);

    const approved = { ...pending('sug002', '2026-11-24T12:00:00.000Z'), status: 'live' as const };
    await content().save(
      {
        ...approved,
        review: { state: 'approved', by: 'p_mod', at: T0 },
        updatedAt: '2026-11-24T16:00:00.000Z',
      },
      { kind: 'replace', expectedUpdatedAt: '2026-11-24T12:00:00.000Z' },
    );
    expect((await content().queue(c)).map((found) => found.id)).toEqual(['sug001', 'sug999', 'sug003']);
  });
});

describe('votes', () => {
  const post = (c: string): ChannelPost => ({
    communityId: c,
    space: { platform: 'slack', id: `T_${c}` },
    channelId: 'C1',
    slotAt: '2026-11-24T09:00:00.000Z',
    postId: 'post0001',
    itemId: 'vot001',
    topics: ['events'],
    promotional: false,
    outboxId: 'o1',
    helpful: 0,
    notForMe: 0,
    shared: 0,
    mutes: 0,
    reactions: 0,
    replies: 0,
    settled: false,
  });
  const vote = (c: string, person: string, value: 'helpful' | 'not_for_me') => ({
    communityId: c,
    itemId: 'vot001',
    person,
    value,
    at: T0,
  });

  it('counts a new vote once, a same vote not again, and a changed one both ways, on the item and the post', async () => {
    // Prepare
    const c = freshCommunity();
    await content().save(item(c, 'vot001'), { kind: 'new' });
    const onPost = post(c);
    await content().addPost(onPost);
    const counts = async () => (await content().get(c, 'vot001'))?.counts;
    const postCounts = async () => {
      const stored = await content().post(onPost.space, 'C1', 'post0001');
      return [stored?.helpful, stored?.notForMe];
    };

    // Act and assess
    expect(await content().vote(vote(c, 'p_ana', 'helpful'), onPost)).toEqual({ kind: 'new' });
    expect(await content().vote(vote(c, 'p_bob', 'helpful'))).toEqual({ kind: 'new' });
    expect(await counts()).toMatchObject({ helpful: 2, notForMe: 0 });
    expect(await postCounts()).toEqual([1, 0]);

    expect(await content().vote(vote(c, 'p_ana', 'helpful'), onPost)).toEqual({ kind: 'same' });
    expect(await counts()).toMatchObject({ helpful: 2, notForMe: 0 });
    expect(await postCounts()).toEqual([1, 0]);

    expect(await content().vote(vote(c, 'p_ana', 'not_for_me'), onPost)).toEqual({
      kind: 'changed',
      from: 'helpful',
    });
    expect(await counts()).toMatchObject({ helpful: 1, notForMe: 1 });
    expect(await postCounts()).toEqual([0, 1]);
  });

  it('counts a double press once', async () => {
    const c = freshCommunity();
    await content().save(item(c, 'vot001'), { kind: 'new' });
    const outcomes = await Promise.all([
      content().vote(vote(c, 'p_ana', 'helpful')),
      content().vote(vote(c, 'p_ana', 'helpful')),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['new', 'same']);
    expect((await content().get(c, 'vot001'))?.counts.helpful).toBe(1);
  });

  it('moves nothing for an item that is gone', async () => {
    const c = freshCommunity();
    expect(await content().vote(vote(c, 'p_ana', 'helpful'))).toEqual({ kind: 'same' });
    expect(await raw(c, 'vot001')).toBeUndefined();
  });
});

describe('items shown', () => {
  it('remembers what each person was shown for 180 days, per community', async () => {
    const [c, other] = [freshCommunity(), freshCommunity()];
    const now = new Date(T0);
    await content().markShown(c, 'p_ana', ['aaa111', 'bbb222'], now);
    await content().markShown(c, 'p_ana', ['aaa111'], now);
    await content().markShown(c, 'p_bob', ['ccc333'], now);
    await content().markShown(c, 'p_an', ['ddd444'], now);
    await content().markShown(other, 'p_ana', ['eee555'], now);

    expect(await content().shownTo(c, ['p_ana'], now)).toEqual(new Set(['aaa111', 'bbb222']));
    expect(await content().shownTo(c, ['p_ana', 'p_bob'], now)).toEqual(
      new Set(['aaa111', 'bbb222', 'ccc333']),
    );
    expect(await content().shownTo(c, [], now)).toEqual(new Set());
    // 180 days on, a mark the table has not removed yet no longer counts.
    const later = new Date(now.getTime() + 180 * 24 * 3600 * 1000);
    expect(await content().shownTo(c, ['p_ana'], new Date(later.getTime() - 1000))).toEqual(
      new Set(['aaa111', 'bbb222']),
    );
    expect(await content().shownTo(c, ['p_ana'], later)).toEqual(new Set());
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `COMMUNITY#${c}` }, sk: { S: 'SHOWN#p_ana#aaa111' } },
      }),
    );
    expect(Number(Item?.expiresAt?.N)).toBe(Date.parse('2027-05-23T10:00:00.000Z') / 1000);
  });
});
