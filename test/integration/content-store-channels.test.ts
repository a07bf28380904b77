/**
 * The content store's channel and member side against dynalite: schedules and digests found by when they are
 * due (ordered, limited), a channel's posts newest first, reactions on a post read from the engagement
 * records, and `forget` erasing a member's library data while other members and communities keep theirs.
 */
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChannelPost,
  ChannelSchedule,
  ContentItem,
  DigestSubscription,
} from '../../shared/core/content/model.js';
import { NO_COUNTS } from '../../shared/core/content/model.js';
import { toCountRecord, toEngagementRecord } from '../../shared/core/engagement.js';
import type { Space } from '../../shared/core/events.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.close();
});

const content = () => table.store.core.content;
const T0 = '2026-11-24T10:00:00.000Z';
let counter = 0;
function fresh(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}
const freshSpace = (): Space => ({ platform: 'slack', id: fresh('TCH') });

function schedule(space: Space, channelId: string, nextAt: string): ChannelSchedule {
  return {
    communityId: 'c_sched',
    space,
    channelId,
    days: ['mon', 'thu'],
    time: '09:30',
    topics: ['events', 'onboarding'],
    setBy: 'p_mod',
    setAt: T0,
    pace: 0.5,
    credit: 0.25,
    postsSincePaceChange: 3,
    nextAt,
    starvedSlots: 1,
    starvedNoticeAt: T0,
  };
}

function post(space: Space, slotAt: string, postId: string, channelId = 'C1'): ChannelPost {
  return {
    communityId: 'c_posts',
    space,
    channelId,
    slotAt,
    postId,
    itemId: 'itm001',
    topics: ['events'],
    promotional: true,
    outboxId: `o_${postId}`,
    helpful: 0,
    notForMe: 0,
    shared: 0,
    mutes: 0,
    reactions: 0,
    replies: 0,
    settled: false,
  };
}

describe('schedules', () => {
  it('saves, lists, deletes, and finds the due ones earliest first, at most `limit`', async () => {
    // Prepare: a far future keeps other tests' schedules (and other runs) out of the due window.
    const [here, there] = [freshSpace(), freshSpace()];
    const due = ['2031-01-01T09:00:00.000Z', '2031-01-01T08:00:00.000Z', '2031-01-01T10:00:00.000Z'];
    await content().saveSchedule(schedule(here, 'C1', due[0] ?? ''));
    await content().saveSchedule(schedule(here, 'C2', due[1] ?? ''));
    await content().saveSchedule(schedule(there, 'C1', due[2] ?? ''));
    await content().saveSchedule(schedule(there, 'C9', '2031-01-01T10:00:00.001Z'));
    const now = new Date('2031-01-01T10:00:00.000Z');

    // Assess
    expect(await content().schedule(here, 'C1')).toEqual(schedule(here, 'C1', due[0] ?? ''));
    expect((await content().schedules(here)).map((found) => found.channelId)).toEqual(['C1', 'C2']);
    const mine = (list: ChannelSchedule[]) =>
      list.filter((found) => [here.id, there.id].includes(found.space.id));
    expect(mine(await content().dueSchedules(now, 50)).map((found) => found.nextAt)).toEqual([
      '2031-01-01T08:00:00.000Z',
      '2031-01-01T09:00:00.000Z',
      '2031-01-01T10:00:00.000Z',
    ]);
    expect((await content().dueSchedules(now, 2)).length).toBe(2);

    // A schedule moved on leaves the due window; a deleted one is gone.
    await content().saveSchedule(schedule(here, 'C2', '2031-01-08T08:00:00.000Z'));
    expect(await content().deleteSchedule(there, 'C1')).toBe(true);
    expect(await content().deleteSchedule(there, 'C1')).toBe(false);
    expect(mine(await content().dueSchedules(now, 50)).map((found) => found.channelId)).toEqual(['C1']);
  });
});

describe('posts', () => {
  it('adds a post once, reads the channel newest first since a time, and finds one by id', async () => {
    const space = freshSpace();
    const slots = ['2026-11-02T09:00:00.000Z', '2026-11-09T09:00:00.000Z', '2026-11-16T09:00:00.000Z'];
    for (const [index, slot] of slots.entries())
      await content().addPost(post(space, slot, `pst0000${index}`));
    await content().addPost(post(space, '2026-11-20T09:00:00.000Z', 'other001', 'C12'));

    const again = await content().addPost({ ...post(space, slots[0] ?? '', 'pst00000'), itemId: 'changed' });
    expect(again).toEqual({ added: false, post: post(space, slots[0] ?? '', 'pst00000') });

    const since = new Date('2026-11-05T00:00:00.000Z');
    expect((await content().posts(space, 'C1', since, 10)).map((found) => found.postId)).toEqual([
      'pst00002',
      'pst00001',
    ]);
    expect((await content().posts(space, 'C1', new Date(0), 1)).map((found) => found.postId)).toEqual([
      'pst00002',
    ]);
    expect(await content().post(space, 'C1', 'pst00001')).toEqual(post(space, slots[1] ?? '', 'pst00001'));
    expect(await content().post(space, 'C1', 'other001')).toBeUndefined();

    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `SPACE#slack:${space.id}` }, sk: { S: `POST#C1#${slots[0]}` } },
      }),
    );
    // 100 days after the slot.
    expect(Number(Item?.expiresAt?.N)).toBe(Date.parse('2027-02-10T09:00:00.000Z') / 1000);
  });

  it("counts members' actions on a post and settles its reactions and replies once", async () => {
    const space = freshSpace();
    const stored = post(space, '2026-11-02T09:00:00.000Z', 'cnt00001');
    await content().addPost(stored);
    await content().countPost(stored, 'mutes', 1);
    await content().countPost(stored, 'shared', 2);
    await content().countPost(stored, 'shared', -1);
    expect(await content().settlePost(stored, { reactions: 4, replies: 2 })).toBe(true);
    // A second settling (another run, a retry) changes nothing and says so.
    expect(await content().settlePost(stored, { reactions: 9, replies: 9 })).toBe(false);
    expect(await content().post(space, 'C1', 'cnt00001')).toEqual({
      ...stored,
      mutes: 1,
      shared: 1,
      reactions: 4,
      replies: 2,
      settled: true,
    });
    // A post that is gone stays gone.
    await content().countPost(post(space, '2026-11-03T09:00:00.000Z', 'gone0001'), 'mutes', 1);
    expect(await content().post(space, 'C1', 'gone0001')).toBeUndefined();
  });
});

describe('digests', () => {
  const subscription = (communityId: string, person: string, nextAt: string): DigestSubscription => ({
    communityId,
    person,
    space: { platform: 'telegram', id: '-100200' },
    member: { platform: 'telegram', id: `u_${person}` },
    since: T0,
    nextAt,
  });

  it('saves, reads, deletes, and finds the due ones earliest first, at most `limit`', async () => {
    const c = fresh('c_dig');
    await content().saveDigest(subscription(c, 'p_b', '2032-03-01T08:00:00.000Z'));
    await content().saveDigest(subscription(c, 'p_a', '2032-03-01T07:00:00.000Z'));
    await content().saveDigest(subscription(c, 'p_c', '2032-03-02T07:00:00.000Z'));
    const now = new Date('2032-03-01T08:00:00.000Z');

    expect(await content().digest(c, 'p_a')).toEqual(subscription(c, 'p_a', '2032-03-01T07:00:00.000Z'));
    const mine = (list: DigestSubscription[]) => list.filter((found) => found.communityId === c);
    expect(mine(await content().dueDigests(now, 50)).map((found) => found.person)).toEqual(['p_a', 'p_b']);
    expect(await content().dueDigests(now, 1)).toHaveLength(1);
    expect(await content().deleteDigest(c, 'p_a')).toBe(true);
    expect(await content().deleteDigest(c, 'p_a')).toBe(false);
    expect(await content().digest(c, 'p_a')).toBeUndefined();
    expect(mine(await content().dueDigests(now, 50)).map((found) => found.person)).toEqual(['p_b']);
  });
});

describe('reactions and replies on a post', () => {
  const AT = new Date('2026-11-20T10:00:00Z');
  function reaction(space: Space, member: string, messageId: string, emoji: string, at = AT) {
    return toEngagementRecord(
      {
        kind: 'reaction_added',
        id: 'ignored',
        messageId,
        reaction: emoji,
        occurredAt: at,
        member: { platform: space.platform, id: member },
        location: { space, channelId: 'C1' },
      },
      at,
      { memberId: `m_${member}` },
    );
  }

  it('counts distinct members with a live reaction over the days, plus anonymous counts', async () => {
    // Prepare
    const space = freshSpace();
    const engagement = table.store.engagement;
    const next = new Date('2026-11-21T10:00:00Z');
    await engagement.record(reaction(space, 'U1', '1.0001', 'tada'));
    await engagement.record(reaction(space, 'U1', '1.0001', 'fire'));
    await engagement.record(reaction(space, 'U2', '1.0001', 'tada', next));
    const withdrawn = reaction(space, 'U3', '1.0001', 'tada');
    await engagement.record(withdrawn);
    await engagement.change(
      {
        type: 'withdraw',
        key: withdrawn.key,
        sequence: 2,
        tombstone: { platform: 'slack', spaceId: space.id, expiresAt: '2026-11-23T00:00:00Z' },
      },
      AT,
    );
    // Other messages whose ids begin or end like this one, and another channel.
    await engagement.record(reaction(space, 'U4', '1.00011', 'tada'));
    await engagement.record(reaction(space, 'U5', '21.0001', 'tada'));
    const counted = toCountRecord(
      {
        kind: 'reactions_counted',
        id: 'u1',
        location: { space, channelId: 'C1' },
        occurredAt: AT,
        targetId: 'message:1.0001',
        messageId: '1.0001',
        reaction: '👍',
        count: 3,
      },
      AT,
    );
    await engagement.change({ type: 'count', record: counted, sequence: 1, count: 3 }, AT);

    // Act and assess: U1 and U2, and 3 anonymous.
    expect(await engagement.reactionsOn(space, 'C1', '1.0001', ['2026-11-20', '2026-11-21'])).toBe(5);
    expect(await engagement.reactionsOn(space, 'C1', '1.0001', ['2026-11-20'])).toBe(4);
    expect(await engagement.reactionsOn(space, 'C2', '1.0001', ['2026-11-20', '2026-11-21'])).toBe(0);
    expect(await engagement.reactionsOn(freshSpace(), 'C1', '1.0001', ['2026-11-20'])).toBe(0);
  });

  it('counts distinct members who replied to a bot message over the days, in its channel only', async () => {
    // Prepare
    const space = freshSpace();
    const engagement = table.store.engagement;
    const next = new Date('2026-11-21T10:00:00Z');
    const reply = (member: string, ts: string, replyToId: string, channelId = 'C1', at = AT) =>
      toEngagementRecord(
        {
          kind: 'thread_reply',
          id: `reply:${channelId}/${ts}`,
          messageId: ts,
          replyToId,
          occurredAt: at,
          member: { platform: space.platform, id: member },
          location: { space, channelId },
        },
        at,
        { memberId: `m_${member}` },
      );
    await engagement.record(reply('U1', '2.0001', '1.0001'));
    await engagement.record(reply('U1', '2.0002', '1.0001'));
    await engagement.record(reply('U2', '3.0001', '1.0001', 'C1', next));
    // Another message of the channel, the same id in another channel, and a reply to a member.
    await engagement.record(reply('U3', '2.0003', '1.0002'));
    await engagement.record(reply('U4', '2.0004', '1.0001', 'C2'));
    await engagement.record({ ...reply('U5', '2.0005', '1.0001'), toMemberId: 'm_U9' });

    // Act and assess: U1 (twice) and U2.
    expect(await engagement.repliesTo(space, 'C1', '1.0001', ['2026-11-20', '2026-11-21'])).toBe(2);
    expect(await engagement.repliesTo(space, 'C1', '1.0001', ['2026-11-20'])).toBe(1);
    expect(await engagement.repliesTo(space, 'C2', '1.0001', ['2026-11-20'])).toBe(1);
    expect(await engagement.repliesTo(freshSpace(), 'C1', '1.0001', ['2026-11-20'])).toBe(0);
  });
});

describe('erasing a member', () => {
  function libraryItem(communityId: string, id: string, person: string, pending: boolean): ContentItem {
    return {
      communityId,
      id,
      title: `Item ${id}`,
      body: 'Body.',
      topics: [],
      kind: 'tip',
      author: {
        kind: 'member',
        person,
        member: { platform: 'slack', id: `U_${person}` },
        space: { platform: 'slack', id: 'T_ERASE' },
      },
      language: 'en',
      promotional: false,
      status: pending ? 'draft' : 'live',
      review: { state: pending ? 'pending' : 'approved' },
      createdAt: T0,
      updatedAt: T0,
      counts: NO_COUNTS,
    };
  }

  /** Every item of a partition, through the raw client. */
  async function partition(pk: string) {
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
      }),
    );
    return Items ?? [];
  }

  async function seed(c: string, person: string) {
    await content().save(libraryItem(c, `liv${person.slice(-3)}`, person, false), { kind: 'new' });
    await content().save(libraryItem(c, `pen${person.slice(-3)}`, person, true), { kind: 'new' });
    await content().vote({ communityId: c, itemId: 'shared', person, value: 'helpful', at: T0 });
    await content().vote({ communityId: c, itemId: 'shared', person, value: 'not_for_me', at: T0 });
    await content().markShown(c, person, ['shared', 'aaa111'], new Date(T0));
    await content().saveDigest({
      communityId: c,
      person,
      space: { platform: 'slack', id: 'T_ERASE' },
      member: { platform: 'slack', id: `U_${person}` },
      since: T0,
      nextAt: '2026-12-01T08:00:00.000Z',
    });
  }

  it('erases votes (off the counts), shown, digest, pending suggestions and credit; others stay', async () => {
    // Prepare
    const [c, other] = [fresh('c_erase'), fresh('c_erase')];
    for (const where of [c, other]) {
      await content().save(libraryItem(where, 'shared', 'p_mod', false), { kind: 'new' });
      await seed(where, 'p_era');
      await seed(where, 'p_kep');
    }
    const otherBefore = [await partition(`COMMUNITY#${other}`), await partition(`LIBRARY#${other}`)];
    const version = (await content().meta(c)).version;
    // A vote, 2 items shown, the digest, 2 items written.
    expect(await content().countMember(c, ['p_era'])).toBe(6);
    // A moderator's edit of the credited item, read before the erasure and saved after it.
    const readBefore = await content().get(c, 'livera');
    const erasedAt = new Date('2026-11-25T08:00:00.000Z');

    // Act
    const erased = await content().eraseMember(c, ['p_era'], erasedAt);
    const lateEdit =
      readBefore &&
      (await content().save(
        { ...readBefore, title: 'Edited' },
        { kind: 'replace', expectedUpdatedAt: readBefore.updatedAt },
      ));

    // Assess: 1 vote, 2 shown, 1 digest, 1 pending deleted, 1 uncredited.
    expect(erased).toBe(6);
    expect(JSON.stringify(await partition(`COMMUNITY#${c}`))).not.toContain('p_era');
    expect(JSON.stringify(await partition(`LIBRARY#${c}`))).not.toContain('p_era');
    expect(await content().get(c, 'penera')).toBeUndefined();
    expect(await content().get(c, 'livera')).toMatchObject({
      author: { kind: 'member' },
      updatedAt: erasedAt.toISOString(),
    });
    // The edit cannot write the credit back.
    expect(lateEdit).toBe('conflict');
    expect((await content().get(c, 'shared'))?.counts).toMatchObject({ helpful: 0, notForMe: 1 });
    expect((await content().meta(c)).version).toBe(version + 1);
    expect(await content().shownTo(c, ['p_kep'], new Date(T0))).toEqual(new Set(['shared', 'aaa111']));
    expect(await content().digest(c, 'p_kep')).toBeDefined();
    expect((await content().get(c, 'penkep'))?.author.person).toBe('p_kep');
    expect((await content().queue(c)).map((found) => found.id)).toEqual(['penkep']);
    expect([await partition(`COMMUNITY#${other}`), await partition(`LIBRARY#${other}`)]).toEqual(otherBefore);
    expect(await content().countMember(c, ['p_era'])).toBe(0);
    expect(await content().eraseMember(c, ['p_era'], erasedAt)).toBe(0);
    expect((await content().get(c, 'shared'))?.counts).toMatchObject({ helpful: 0, notForMe: 1 });
  });
});
