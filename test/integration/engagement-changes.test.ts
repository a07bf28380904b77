/**
 * Edits, deletions, removed reactions and anonymous reaction counts against dynalite: each change is applied
 * once and in order, however often and in whatever order it arrives, and stats stay a count of what still
 * counts, on an open day (read from the index) and on a closed one (its rollup rebuilt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RecordChange,
  reactionKey,
  type Tombstone,
  toCountRecord,
  toEngagementRecord,
} from '../../shared/core/engagement.js';
import type { InboundEvent, Space } from '../../shared/core/events.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.close();
});

let spaces = 0;
/** Each test its own workspace, so tests share the table but never a count. */
function freshSpace(): Space {
  spaces += 1;
  return { platform: 'slack', id: `TCHG${spaces}` };
}

const DAY = '2026-11-20';
const AT = new Date(`${DAY}T10:00:00Z`);
const NEXT_DAY = new Date('2026-11-21T12:00:00Z');

function where(space: Space, member: string) {
  return {
    occurredAt: AT,
    member: { platform: space.platform, id: member },
    location: { space, channelId: 'C1' },
  };
}

function post(space: Space, ts: string, member = 'U1', at = AT) {
  const event: InboundEvent = {
    kind: 'message_posted',
    id: `C1/${ts}`,
    messageId: ts,
    textLength: 10,
    ...where(space, member),
  };
  return toEngagementRecord(event, at, { memberId: `m_${member}` });
}

function reaction(space: Space, member: string, emoji = 'tada', at = AT) {
  const event: InboundEvent = {
    kind: 'reaction_added',
    id: 'ignored-for-reactions',
    messageId: '1.0001',
    reaction: emoji,
    ...where(space, member),
  };
  return toEngagementRecord(event, at, { memberId: `m_${member}` });
}

function tombstone(space: Space, memberId?: string): Tombstone {
  return {
    platform: space.platform,
    spaceId: space.id,
    ...(memberId ? { memberId } : {}),
    expiresAt: '2026-11-23T00:00:00Z',
  };
}

const change = (c: RecordChange, now = AT) => table.store.engagement.change(c, now);

async function totals(space: Space, now = AT) {
  const [day] = await table.store.engagement.dayTotals(space, [DAY], now);
  return day;
}

describe('reactions as a state', () => {
  it('counts a reaction while it is on: added, removed, added again, each delivered twice', async () => {
    const space = freshSpace();
    const on = reaction(space, 'U1');
    const off = (sequence: number): RecordChange => ({
      type: 'withdraw',
      key: on.key,
      sequence,
      tombstone: tombstone(space, 'm_U1'),
    });
    expect(await change({ type: 'react', record: on, sequence: 1 })).toBe('applied');
    expect(await change({ type: 'react', record: on, sequence: 1 })).toBe('unchanged');
    expect((await totals(space))?.reactions).toBe(1);
    expect(await change(off(2))).toBe('applied');
    expect(await change(off(2))).toBe('unchanged');
    expect((await totals(space))?.reactions).toBe(0);
    // A replay of the first add, after the removal: stale.
    expect(await change({ type: 'react', record: on, sequence: 1 })).toBe('unchanged');
    expect((await totals(space))?.reactions).toBe(0);
    expect(await change({ type: 'react', record: on, sequence: 3 })).toBe('applied');
    expect((await totals(space))?.reactions).toBe(1);
  });

  it('keeps a removal that overtook its add: the late add does not count', async () => {
    const space = freshSpace();
    const on = reaction(space, 'U2');
    const removal: RecordChange = {
      type: 'withdraw',
      key: on.key,
      sequence: 5,
      tombstone: tombstone(space, 'm_U2'),
    };
    expect(await change(removal)).toBe('absent');
    expect(await change({ type: 'react', record: on, sequence: 4 })).toBe('unchanged');
    expect((await totals(space))?.reactions).toBe(0);
    // The tombstone is the member's: `forget` finds and erases it.
    expect(await table.store.engagement.eraseMember(space, ['m_U2'], AT)).toBe(1);
  });

  it('takes a reaction out of a closed day: the rollup is rebuilt, the member still seen by their message', async () => {
    const space = freshSpace();
    await table.store.engagement.record(post(space, '1.0001', 'U3'));
    const on = reaction(space, 'U3');
    await change({ type: 'react', record: on, sequence: 1 });
    expect(await totals(space, NEXT_DAY)).toMatchObject({ messages: 1, reactions: 1, members: ['m_U3'] });
    await change({ type: 'withdraw', key: on.key, sequence: 2, tombstone: tombstone(space) }, NEXT_DAY);
    expect(await totals(space, NEXT_DAY)).toMatchObject({ messages: 1, reactions: 0, members: ['m_U3'] });
  });

  it('keys a reaction by channel, message, member and emoji', () => {
    const space = freshSpace();
    expect(reaction(space, 'U4', 'fire').key).toBe(reactionKey(space, 'C1', '1.0001', 'm_U4', 'fire'));
    expect(reaction(space, 'U4', 'fire').key).toBe(`slack:${space.id}:reaction:C1/1.0001/m_U4/fire`);
  });
});

describe('deleted and edited messages', () => {
  it('stops counting a deleted message, on an open day and once', async () => {
    const space = freshSpace();
    const kept = post(space, '2.0001');
    const deleted = post(space, '2.0002', 'U2');
    await table.store.engagement.record(kept);
    await table.store.engagement.record(deleted);
    const deletion: RecordChange = {
      type: 'withdraw',
      key: deleted.key,
      sequence: Number.MAX_SAFE_INTEGER,
      tombstone: tombstone(space),
    };
    expect(await change(deletion)).toBe('applied');
    expect(await change(deletion)).toBe('unchanged');
    expect(await totals(space)).toMatchObject({ messages: 1, members: ['m_U1'] });
  });

  it('rebuilds a closed day when one of its messages is deleted', async () => {
    const space = freshSpace();
    const deleted = post(space, '3.0001');
    await table.store.engagement.record(deleted);
    await table.store.engagement.record(post(space, '3.0002', 'U2'));
    expect((await totals(space, NEXT_DAY))?.messages).toBe(2);
    await change(
      { type: 'withdraw', key: deleted.key, sequence: Number.MAX_SAFE_INTEGER, tombstone: tombstone(space) },
      NEXT_DAY,
    );
    expect(await totals(space, NEXT_DAY)).toMatchObject({ messages: 1, members: ['m_U2'] });
  });

  it('does not count a message whose deletion arrived first', async () => {
    const space = freshSpace();
    const late = post(space, '4.0001');
    await change({
      type: 'withdraw',
      key: late.key,
      sequence: Number.MAX_SAFE_INTEGER,
      tombstone: tombstone(space),
    });
    expect(await table.store.engagement.record(late)).toBe('duplicate');
    expect((await totals(space))?.messages).toBe(0);
  });

  it('keeps the latest edit, not the last to arrive, and never edits a deleted message', async () => {
    const space = freshSpace();
    const message = post(space, '5.0001');
    await table.store.engagement.record(message);
    expect(await change({ type: 'amend', key: message.key, sequence: 20, textLength: 42 })).toBe('applied');
    expect(await change({ type: 'amend', key: message.key, sequence: 10, textLength: 7 })).toBe('unchanged');
    const items = await table.engagementItems();
    expect(items.find((item) => item.key?.S === message.key)?.textLength?.N).toBe('42');
    await change({
      type: 'withdraw',
      key: message.key,
      sequence: Number.MAX_SAFE_INTEGER,
      tombstone: tombstone(space),
    });
    expect(await change({ type: 'amend', key: message.key, sequence: 30, textLength: 1 })).toBe('unchanged');
    expect(await change({ type: 'amend', key: post(space, '5.9999').key, sequence: 30, textLength: 1 })).toBe(
      'unchanged',
    );
  });
});

describe('anonymous reaction counts', () => {
  function counted(space: Space, count: number, emoji = '👍') {
    return toCountRecord(
      {
        kind: 'reactions_counted',
        id: `u${count}`,
        location: { space, channelId: 'C1' },
        occurredAt: AT,
        targetId: 'message:7',
        messageId: '7',
        reaction: emoji,
        count,
      },
      AT,
      395,
    );
  }

  it('counts the latest total for the space and for no member, whatever the order', async () => {
    const space = freshSpace();
    await change({ type: 'count', record: counted(space, 3), sequence: 100, count: 3 });
    await change({ type: 'count', record: counted(space, 2, '🔥'), sequence: 101, count: 2 });
    expect(await totals(space)).toMatchObject({ reactions: 5, members: [] });
    await change({ type: 'count', record: counted(space, 5), sequence: 103, count: 5 });
    // An older count arriving late changes nothing.
    expect(await change({ type: 'count', record: counted(space, 1), sequence: 102, count: 1 })).toBe(
      'unchanged',
    );
    expect((await totals(space))?.reactions).toBe(7);
  });

  it('rebuilds the closed day the count was first made on', async () => {
    const space = freshSpace();
    await change({ type: 'count', record: counted(space, 4, '#️⃣'), sequence: 1, count: 4 });
    expect((await totals(space, NEXT_DAY))?.reactions).toBe(4);
    await change({ type: 'count', record: counted(space, 1, '#️⃣'), sequence: 2, count: 1 }, NEXT_DAY);
    expect((await totals(space, NEXT_DAY))?.reactions).toBe(1);
  });
});
