import { GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Space } from '../../shared/core/events.js';
import type { MemberAudience, OutboxMessage } from '../../shared/core/outbox/model.js';
import type { Item } from '../../shared/store/attributes.js';
import { startTestTable, type TestTable } from '../support/table.js';

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  await table.close();
});

/**
 * The due index and the lease are one partition and one item for the whole table: tests about them get a
 * table of their own, so another test's messages cannot show up in them.
 */
async function withOwnTable(run: (own: TestTable) => Promise<void>): Promise<void> {
  const own = await startTestTable('outbox-own');
  try {
    await run(own);
  } finally {
    await own.close();
  }
}

const T0 = new Date('2026-11-24T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
let counter = 0;
function communityId(): string {
  counter += 1;
  return `c_${counter}_${Math.floor(Math.random() * 1e6)}`;
}
function space(): Space {
  counter += 1;
  return { platform: 'slack', id: `T${counter}X${Math.floor(Math.random() * 1e6)}` };
}

/** A queued channel post due at `dueAt`. */
function post(community: string, id: string, dueAt: Date, where: Space = space()): OutboxMessage {
  return {
    id,
    key: `announce:${id}`,
    communityId: community,
    purpose: 'announcement',
    audience: { kind: 'channel', target: { space: where, channelId: 'C1' } },
    message: { text: `post ${id}` },
    allowance: { kind: 'unsolicited' },
    status: 'queued',
    createdAt: T0,
    dueAt,
    attempts: 0,
  };
}

/** A member audience whose platform id (`U0SECRET…`) and name must not outlive the message. */
function member(where: Space, memberId: string): MemberAudience {
  return {
    kind: 'member',
    space: where,
    member: { platform: 'slack', id: `U0SECRET${memberId}` },
    memberId,
    privacyKey: `pk-${memberId}`,
    person: `person-${memberId}`,
    name: 'Ada Secretname',
    greetIn: { space: where, channelId: 'CGREET', threadId: '171.5' },
  };
}

/** A private welcome with every optional field set. */
function welcome(
  community: string,
  id: string,
  to: MemberAudience,
  requester: MemberAudience,
): OutboxMessage {
  return {
    id,
    key: `welcome:${id}`,
    communityId: community,
    purpose: 'welcome',
    audience: to,
    message: {
      text: 'Welcome {@0}, secret words',
      buttons: [
        { actionId: 'welcome.rules', label: 'Rules', value: 'v1' },
        { actionId: 'welcome.later', label: 'Later' },
      ],
      mentions: [{ member: { platform: 'slack', id: 'U0MENTIONED' }, name: 'Mentioned Name' }],
    },
    allowance: { kind: 'subscribed', topic: 'digest', perWeek: 2 },
    notBefore: later(60_000),
    expiresAt: later(86_400_000),
    requestedBy: requester,
    status: 'queued',
    createdAt: T0,
    dueAt: later(60_000),
    attempts: 0,
  };
}

async function rawItem(community: string, id: string): Promise<Item | undefined> {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: `COMMUNITY#${community}` }, sk: { S: `OUTBOX#${id}` } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The due index's entries, straight from the index. */
async function indexEntries(own: TestTable): Promise<string[]> {
  const { Items } = await own.client.send(
    new QueryCommand({
      TableName: own.tableName,
      IndexName: 'byMember',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'OUTBOX' } },
    }),
  );
  return (Items ?? []).map((item) => item.gsi2sk?.S ?? '');
}

describe('OutboxStore.add and get', () => {
  it('stores a message whole and keeps the first of two with one id', async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    const where = space();
    const first = welcome(c, 'w1', member(where, 'm1'), member(where, 'mod1'));

    const added = await outbox.add(first);
    const again = await outbox.add({ ...first, message: { text: 'a second text' }, createdAt: later(5000) });

    expect(added).toEqual({ added: true, message: first });
    expect(again.added).toBe(false);
    expect(again.message).toEqual(first);
    expect(await outbox.get(c, 'w1')).toEqual(first);
    expect(await outbox.get(c, 'nothing')).toBeUndefined();
    // Another community's id space is its own.
    expect(await outbox.get(communityId(), 'w1')).toBeUndefined();
  });
});

describe('OutboxStore.due and nextDue', () => {
  it('lists waiting messages earliest first across communities, within the limit, and only those due', async () => {
    await withOwnTable(async (own) => {
      const { outbox } = own.store.core;
      const [c1, c2] = [communityId(), communityId()];
      await outbox.add(post(c1, 'a', later(2000)));
      await outbox.add(post(c2, 'b', later(0)));
      await outbox.add(post(c1, 'c', later(1000)));
      await outbox.add(post(c2, 'd', later(600_000)));

      expect((await outbox.due(later(5000), 10)).map((m) => m.id)).toEqual(['b', 'c', 'a']);
      expect((await outbox.due(later(5000), 2)).map((m) => m.id)).toEqual(['b', 'c']);
      expect((await outbox.due(later(1000), 10)).map((m) => m.id)).toEqual(['b', 'c']);
      expect(await outbox.nextDue()).toEqual(later(0));
    });
  });

  it('drops an ended message from the index, and ignores an index entry the table contradicts', async () => {
    await withOwnTable(async (own) => {
      const { outbox } = own.store.core;
      const c = communityId();
      const [a, b] = [post(c, 'a', later(0)), post(c, 'b', later(1000))];
      await outbox.add(a);
      await outbox.add(b);

      await outbox.end(a, { status: 'sent', posted: { channelId: 'C1', messageId: '171.1' } }, later(500));
      expect(await indexEntries(own)).toEqual([`${later(1000).toISOString()}#${c}#b`]);
      expect(await outbox.nextDue()).toEqual(later(1000));

      // Prepare: the index lags the table, so it may still list a message that ended (simulated here).
      await own.client.send(
        new UpdateItemCommand({
          TableName: own.tableName,
          Key: { pk: { S: `COMMUNITY#${c}` }, sk: { S: 'OUTBOX#a' } },
          UpdateExpression: 'SET gsi2pk = :p, gsi2sk = :s',
          ExpressionAttributeValues: { ':p': { S: 'OUTBOX' }, ':s': { S: `${T0.toISOString()}#${c}#a` } },
        }),
      );
      // Assess: the item decides.
      expect((await outbox.due(later(5000), 10)).map((m) => m.id)).toEqual(['b']);
    });
  });

  it('has nothing due in an empty outbox', async () => {
    await withOwnTable(async (own) => {
      expect(await own.store.core.outbox.nextDue()).toBeUndefined();
      expect(await own.store.core.outbox.due(later(5000), 10)).toEqual([]);
    });
  });
});

describe('OutboxStore.claim, hold and retry', () => {
  it('lets one of two claims that read the same attempts win', async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    await outbox.add(post(c, 'x', T0));
    const claim = { id: 'x', communityId: c, attempts: 0, at: later(100), leaseUntil: later(30_000) };

    const results = await Promise.all([outbox.claim(claim), outbox.claim(claim)]);

    expect(results.sort()).toEqual([false, true]);
    expect(await outbox.get(c, 'x')).toMatchObject({
      status: 'sending',
      attempts: 1,
      firstAttemptAt: later(100),
      dueAt: later(30_000),
    });
    expect((await rawItem(c, 'x'))?.gsi2sk?.S).toBe(`${later(30_000).toISOString()}#${c}#x`);
  });

  it('requeues after a retry and keeps when the first attempt started', async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    const message = post(c, 'y', T0);
    await outbox.add(message);
    await outbox.claim({ id: 'y', communityId: c, attempts: 0, at: later(100), leaseUntil: later(30_000) });

    await outbox.retry(message, later(60_000), 'rate limited');
    expect(await outbox.get(c, 'y')).toMatchObject({
      status: 'queued',
      attempts: 1,
      dueAt: later(60_000),
      reason: 'rate limited',
    });
    expect(
      await outbox.claim({
        id: 'y',
        communityId: c,
        attempts: 0,
        at: later(61_000),
        leaseUntil: later(90_000),
      }),
    ).toBe(false);
    expect(
      await outbox.claim({
        id: 'y',
        communityId: c,
        attempts: 1,
        at: later(61_000),
        leaseUntil: later(90_000),
      }),
    ).toBe(true);
    expect(await outbox.get(c, 'y')).toMatchObject({ attempts: 2, firstAttemptAt: later(100) });
  });

  it('holds with a reason and a promise, and never brings back an ended message', async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    const message = post(c, 'z', T0);
    await outbox.add(message);

    await outbox.hold(message, later(3_600_000), 'quiet hours', later(3_600_000));
    expect(await outbox.get(c, 'z')).toMatchObject({
      status: 'queued',
      dueAt: later(3_600_000),
      reason: 'quiet hours',
      promisedAt: later(3_600_000),
    });

    await outbox.end(message, { status: 'dropped', reason: 'channel muted' }, later(1000));
    await outbox.end(message, { status: 'failed', reason: 'a late second ending' }, later(2000));
    await outbox.hold(message, later(7_200_000), 'quiet hours');
    await outbox.retry(message, later(7_200_000), 'again');
    expect(
      await outbox.claim({ id: 'z', communityId: c, attempts: 0, at: later(2000), leaseUntil: later(9000) }),
    ).toBe(false);
    expect(await outbox.get(c, 'z')).toMatchObject({
      status: 'dropped',
      reason: 'channel muted',
      endedAt: later(1000),
    });
    expect((await rawItem(c, 'z'))?.gsi2pk).toBeUndefined();
  });
});

describe('OutboxStore.end', () => {
  it('strips the text and every platform user id, keeps the opaque ids, and expires the item after 30 days', async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    const where = space();
    const message = welcome(c, 'w', member(where, 'm7'), member(where, 'mod7'));
    await outbox.add(message);

    await outbox.end(message, { status: 'sent', posted: { channelId: 'D0PRIVATE', messageId: '171.2' } }, T0);

    const item = await rawItem(c, 'w');
    const stored = JSON.stringify(item);
    for (const gone of [
      'U0SECRET',
      'secret words',
      'Secretname',
      'U0MENTIONED',
      'Mentioned Name',
      'D0PRIVATE',
      'Rules',
    ]) {
      expect(stored).not.toContain(gone);
    }
    expect(item?.expiresAt?.N).toBe(String(Date.parse('2026-12-24T10:00:00Z') / 1000));
    expect(item?.gsi2pk).toBeUndefined();
    const ended = await outbox.get(c, 'w');
    expect(ended).toMatchObject({ status: 'sent', endedAt: T0, message: { text: '' } });
    expect(ended?.audience).toMatchObject({ kind: 'member', memberId: 'm7', person: 'person-m7' });
    expect(ended?.requestedBy).toMatchObject({ memberId: 'mod7', person: 'person-mod7' });
  });

  it("keeps where a channel post went, and a failure's reason", async () => {
    const { outbox } = table.store.core;
    const c = communityId();
    const [sent, failed] = [post(c, 's', T0), post(c, 'f', T0)];
    await outbox.add(sent);
    await outbox.add(failed);

    await outbox.end(sent, { status: 'sent', posted: { channelId: 'C1', messageId: '171.3' } }, later(1000));
    await outbox.end(failed, { status: 'failed', reason: 'channel_not_found' }, later(1000));

    expect(await outbox.get(c, 's')).toMatchObject({
      status: 'sent',
      posted: { channelId: 'C1', messageId: '171.3' },
    });
    expect(await outbox.get(c, 'f')).toMatchObject({
      status: 'failed',
      reason: 'channel_not_found',
      endedAt: later(1000),
    });
  });
});

describe('OutboxStore.failed', () => {
  it("lists the community's failed messages, most recent first, and no other community's", async () => {
    const { outbox } = table.store.core;
    const [c, other] = [communityId(), communityId()];
    const ending = { status: 'failed', reason: 'refused' } as const;
    for (const [id, endedAt] of [
      ['f1', later(1000)],
      ['f2', later(3000)],
      ['f3', later(2000)],
    ] as const) {
      await outbox.add(post(c, id, T0));
      await outbox.end(post(c, id, T0), ending, endedAt);
    }
    await outbox.add(post(c, 'ok', T0));
    await outbox.end(
      post(c, 'ok', T0),
      { status: 'sent', posted: { channelId: 'C1', messageId: '1' } },
      later(4000),
    );
    await outbox.add(post(c, 'waiting', T0));
    await outbox.add(post(other, 'f9', T0));
    await outbox.end(post(other, 'f9', T0), ending, later(5000));

    expect((await outbox.failed(c, 10)).map((m) => m.id)).toEqual(['f2', 'f3', 'f1']);
    expect((await outbox.failed(c, 2)).map((m) => m.id)).toEqual(['f2', 'f3']);
    expect((await outbox.failed(communityId(), 10)).map((m) => m.id)).toEqual([]);
  });
});

describe('OutboxStore.eraseMember', () => {
  it('deletes messages to the member and asked by them, in that community only', async () => {
    const { outbox } = table.store.core;
    const [c, other] = [communityId(), communityId()];
    const where = space();
    const [erased, kept] = [member(where, 'gone'), member(where, 'stays')];
    await outbox.add(welcome(c, 'to-gone', erased, kept));
    await outbox.add(welcome(c, 'ended-to-gone', erased, kept));
    await outbox.end(welcome(c, 'ended-to-gone', erased, kept), { status: 'dropped', reason: 'muted' }, T0);
    await outbox.add({ ...post(c, 'asked-by-gone', T0), requestedBy: erased });
    await outbox.add(welcome(c, 'to-stays', kept, kept));
    await outbox.add(post(c, 'plain', T0));
    await outbox.add(welcome(other, 'elsewhere', erased, kept));

    expect(await outbox.eraseMember(c, ['gone', 'nobody'])).toBe(3);

    for (const id of ['to-gone', 'ended-to-gone', 'asked-by-gone'])
      expect(await rawItem(c, id)).toBeUndefined();
    expect(await outbox.get(c, 'to-stays')).toBeDefined();
    expect(await outbox.get(c, 'plain')).toBeDefined();
    expect(await outbox.get(other, 'elsewhere')).toBeDefined();
    expect(await outbox.eraseMember(c, ['gone'])).toBe(0);
  });
});

describe('WorkerLease', () => {
  it('is held by one run until it lapses', async () => {
    await withOwnTable(async ({ store: { lease } }) => {
      expect(await lease.acquire('run-1', T0, later(60_000))).toBe(0);
      expect(await lease.acquire('run-2', later(1000), later(61_000))).toBeUndefined();
      expect(await lease.renew('run-1', later(90_000))).toBe(0);
      expect(await lease.acquire('run-2', later(80_000), later(140_000))).toBeUndefined();

      // Assess: run-1 lapsed (it died): run-2 takes over, and run-1 can no longer renew or release it.
      expect(await lease.acquire('run-2', later(90_001), later(150_000))).toBe(0);
      expect(await lease.renew('run-1', later(200_000))).toBeUndefined();
      expect(await lease.release('run-1', 0)).toBe(false);
      expect(await lease.release('run-2', 0)).toBe(true);
      expect(await lease.acquire('run-3', later(91_000), later(151_000))).toBe(0);
    });
  });

  it('is not let go when a wake-up came after the count was read', async () => {
    await withOwnTable(async ({ store: { lease } }) => {
      await lease.wake();
      expect(await lease.acquire('run-1', T0, later(60_000))).toBe(1);

      await lease.wake();
      await lease.wake();
      expect(await lease.release('run-1', 1)).toBe(false);
      expect(await lease.renew('run-1', later(90_000))).toBe(3);
      expect(await lease.release('run-1', 3)).toBe(true);
      expect(await lease.acquire('run-2', later(1000), later(60_000))).toBe(3);
    });
  });
});
