import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_REQUEST_MS } from '../../shared/core/answers.js';
import { toEngagementRecord } from '../../shared/core/engagement.js';
import type { Space } from '../../shared/core/events.js';
import type { FormSession } from '../../shared/core/forms.js';
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
let counter = 0;
/** A fresh space per test, so tests share the table without sharing keys. */
function space(): Space {
  counter += 1;
  return { platform: 'telegram', id: `-100${counter}${Math.floor(Math.random() * 1e6)}` };
}

describe('answer ledger', () => {
  it('claims once; a second claim sees it in progress, then completed', async () => {
    const { ledger } = table.store.core;
    const where = space();
    expect(await ledger.begin(where, 'command:1', T0, IN_REQUEST_MS)).toBe('claimed');
    expect(await ledger.begin(where, 'command:1', later(1000), IN_REQUEST_MS)).toBe('in_progress');
    await ledger.complete(where, 'command:1', later(2000));
    expect(await ledger.begin(where, 'command:1', later(3000), IN_REQUEST_MS)).toBe('completed');
    // Still completed long after the in-progress window, within the completed expiry.
    expect(await ledger.begin(where, 'command:1', later(3600_000), IN_REQUEST_MS)).toBe('completed');
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const { ledger } = table.store.core;
    const where = space();
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => ledger.begin(where, 'press:7', T0, IN_REQUEST_MS)),
    );
    expect(claims.filter((claim) => claim === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim === 'in_progress')).toHaveLength(7);
  });

  it('frees a released claim, and an abandoned one after its window, but never a completed one', async () => {
    const { ledger } = table.store.core;
    const where = space();
    await ledger.begin(where, 'a', T0, IN_REQUEST_MS);
    await ledger.release(where, 'a');
    expect(await ledger.begin(where, 'a', later(10), IN_REQUEST_MS)).toBe('claimed');

    await ledger.begin(where, 'b', T0, IN_REQUEST_MS);
    expect(await ledger.begin(where, 'b', later(IN_REQUEST_MS - 1), IN_REQUEST_MS)).toBe('in_progress');
    expect(await ledger.begin(where, 'b', later(IN_REQUEST_MS + 1), IN_REQUEST_MS)).toBe('claimed');

    await ledger.complete(where, 'b', later(IN_REQUEST_MS + 2));
    await ledger.release(where, 'b');
    expect(await ledger.begin(where, 'b', later(IN_REQUEST_MS + 3), IN_REQUEST_MS)).toBe('completed');
  });

  it('keeps each space apart: the same key in another community is another answer', async () => {
    const { ledger } = table.store.core;
    const [one, two] = [space(), space()];
    expect(await ledger.begin(one, 'command:same', T0, IN_REQUEST_MS)).toBe('claimed');
    expect(await ledger.begin(two, 'command:same', T0, IN_REQUEST_MS)).toBe('claimed');
  });
});

describe('pending private answers', () => {
  it('hands the answer only to its member, until used, before expiry', async () => {
    const { pending } = table.store.core;
    const where = space();
    const member = { platform: 'telegram' as const, id: '42' };
    const token = await pending.put(where, member, { text: 'your stats' }, T0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(await pending.peek(token, { platform: 'telegram', id: '43' }, T0)).toBeUndefined();
    expect(await pending.peek(token, member, later(1000))).toEqual({ text: 'your stats' });
    expect(await pending.peek(token, member, later(25 * 3600_000))).toBeUndefined();
    await pending.consume(token, member);
    expect(await pending.peek(token, member, later(1000))).toBeUndefined();
  });

  it('refuses tokens that are not its own shape', async () => {
    const member = { platform: 'telegram' as const, id: '42' };
    for (const token of ['', 'nounderscore', '../../etc', `${'x'.repeat(70)}_1`]) {
      expect(await table.store.core.pending.peek(token, member, T0)).toBeUndefined();
    }
  });
});

describe('guided form sessions', () => {
  it('keeps one session per member until deleted or expired', async () => {
    const { forms } = table.store.core;
    const member = { platform: 'telegram' as const, id: String(1000 + counter++) };
    const session = {
      form: { formId: 'feedback', title: 'Feedback', submitLabel: 'Send', fields: [] },
      answers: { note: 'half' },
      origin: { kind: 'command_invoked' },
    } as unknown as FormSession;
    await forms.put(member, session, T0);
    expect(await forms.get(member, later(1000))).toEqual(session);
    expect(await forms.get(member, later(31 * 60_000))).toBeUndefined();
    await forms.delete(member);
    expect(await forms.get(member, later(1000))).toBeUndefined();
  });
});

describe('feedback notes', () => {
  it('stores a note once, marks it read once and erases its text', async () => {
    const { feedback } = table.store.core;
    const where = space();
    const from = { platform: 'telegram' as const, id: '7' };
    const note = { space: where, id: 'n1', from, text: 'please add dark mode', createdAt: T0.toISOString() };
    await feedback.add(note, T0);
    await feedback.add({ ...note, text: 'a redelivery must not overwrite' }, T0);
    expect(await feedback.get(where, 'n1')).toEqual(note);
    const moderator = { platform: 'telegram' as const, id: '9' };
    expect(await feedback.markRead(where, 'n1', moderator, later(1000))).toEqual({ kind: 'read', note });
    expect(await feedback.markRead(where, 'n1', moderator, later(2000))).toEqual({
      kind: 'already',
      readBy: '9',
    });
    expect(await feedback.get(where, 'n1')).toBeUndefined();
    expect(await feedback.markRead(where, 'nope', moderator, later(2000))).toEqual({ kind: 'missing' });
  });

  it('never shows one community the notes of another', async () => {
    const { feedback } = table.store.core;
    const [one, two] = [space(), space()];
    const from = { platform: 'telegram' as const, id: '7' };
    await feedback.add({ space: one, id: 'same', from, text: 'for one', createdAt: T0.toISOString() }, T0);
    expect(await feedback.get(two, 'same')).toBeUndefined();
    expect(await feedback.markRead(two, 'same', from, T0)).toEqual({ kind: 'missing' });
  });
});

describe('interaction claims on the engagement record', () => {
  function interaction(id: string) {
    return toEngagementRecord(
      {
        kind: 'command_invoked',
        id,
        input: { text: 'help' },
        answer: {},
        occurredAt: T0,
        member: { platform: 'telegram', id: '7' },
        location: { space: space(), channelId: 'c' },
      },
      T0,
      { memberId: 'm_seven' },
    );
  }

  it('records and claims in one write; a redelivery finds it in progress, abandoned, then completed', async () => {
    const { engagement } = table.store.core;
    const record = interaction(`i-${counter++}`);
    expect(await engagement.recordInteraction(record, T0, IN_REQUEST_MS, false)).toEqual({
      outcome: 'recorded',
      claim: 'claimed',
    });
    expect(await engagement.recordInteraction(record, later(10), IN_REQUEST_MS, false)).toEqual({
      outcome: 'duplicate',
      claim: 'in_progress',
    });
    // The first delivery died: past its window a redelivery takes the claim over.
    expect(
      (await engagement.recordInteraction(record, later(IN_REQUEST_MS + 1), IN_REQUEST_MS, false)).claim,
    ).toBe('claimed');
    await engagement.completeInteraction(record.key);
    expect(
      (await engagement.recordInteraction(record, later(IN_REQUEST_MS + 2), IN_REQUEST_MS, false)).claim,
    ).toBe('completed');
    expect(
      await table
        .engagementItems()
        .then((items) => items.filter((item) => item.pk?.S === `EVT#${record.key}`)),
    ).toHaveLength(1);
  });

  it('claims an answer carried in the acknowledgement as given at once, and frees it when released', async () => {
    const { engagement } = table.store.core;
    const record = interaction(`i-${counter++}`);
    expect((await engagement.recordInteraction(record, T0, IN_REQUEST_MS, true)).claim).toBe('claimed');
    expect((await engagement.recordInteraction(record, later(1), IN_REQUEST_MS, true)).claim).toBe(
      'completed',
    );
    await engagement.releaseInteraction(record.key);
    const takers = await Promise.all(
      Array.from({ length: 6 }, () => engagement.recordInteraction(record, later(2), IN_REQUEST_MS, true)),
    );
    expect(takers.filter(({ claim }) => claim === 'claimed')).toHaveLength(1);
    expect(takers.every(({ outcome }) => outcome === 'duplicate')).toBe(true);
  });
});
