import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpacesCommand } from '../../infra/ops/spaces.js';
import { linkCodeDigest, newLinkCode, normaliseLinkCode } from '../../shared/core/communities/link-codes.js';
import type { Space } from '../../shared/core/events.js';
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
function space(platform: Space['platform'] = 'telegram'): Space {
  counter += 1;
  return { platform, id: `-100${counter}${Math.floor(Math.random() * 1e6)}` };
}

describe('space directory', () => {
  it('registers a space once, however many first events race, each in a community of its own', async () => {
    const { spaces } = table.store.core;
    const [a, b] = [space(), space()];
    const results = await Promise.all(
      Array.from({ length: 5 }, () => spaces.register(a, { status: 'active' }, T0)),
    );
    const other = await spaces.register(b, { status: 'pending', name: 'B' }, T0);

    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.record.communityId)).size).toBe(1);
    expect(other.record.communityId).not.toBe(results[0]?.record.communityId);
    expect(await spaces.find(b)).toMatchObject({ status: 'pending', name: 'B', formerIds: [] });
  });

  it('moves one space between communities by changing its own item only, and lists each side', async () => {
    const { spaces } = table.store.core;
    const [a, b, c] = [space('slack'), space('discord'), space()];
    const home = (await spaces.register(a, { status: 'active' }, T0)).record.communityId;
    await spaces.register(b, { status: 'active' }, T0);
    const cOwn = (await spaces.register(c, { status: 'active' }, T0)).record.communityId;

    await spaces.move(b, home, later(1000));
    await spaces.move(c, home, later(2000));
    expect((await spaces.spacesOf(home)).map((record) => record.id).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    expect(await spaces.spacesOf(cOwn)).toEqual([]);

    const detached = await spaces.move(c, undefined, later(3000));
    expect(detached.communityId).not.toBe(home);
    expect((await spaces.spacesOf(home)).map((record) => record.id).sort()).toEqual([a.id, b.id].sort());
    expect((await spaces.spacesOf(detached.communityId)).map((record) => record.id)).toEqual([c.id]);
  });

  it('marks a removed space inactive and deletes its installation, keeping the entry', async () => {
    const { spaces } = table.store.core;
    const team = space('slack');
    await spaces.register(team, { status: 'active' }, T0);
    const installation = { pk: { S: `SPACE#slack:${team.id}` }, sk: { S: 'INSTALLATION' } };
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { ...installation, botToken: { S: 'xoxb-1' } },
      }),
    );

    const record = await spaces.deactivate(team, later(1000));

    expect(record?.status).toBe('inactive');
    const { Item } = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: installation }),
    );
    expect(Item).toBeUndefined();
    expect((await spaces.activate(team, later(2000)))?.status).toBe('active');
  });

  it('follows a migrated group to its new id, keeping its community and its old id as history', async () => {
    const { spaces } = table.store.core;
    const [group, supergroup] = [space(), space()];
    const { record } = await spaces.register(group, { status: 'active', name: 'G' }, T0);
    // The new supergroup's first event registered it before the migration message arrived.
    await spaces.register(supergroup, { status: 'active' }, later(500));

    const moved = await spaces.migrate(group, supergroup, later(1000));
    const again = await spaces.migrate(group, supergroup, later(2000));

    expect(moved).toMatchObject({
      id: supergroup.id,
      communityId: record.communityId,
      formerIds: [group.id],
    });
    expect(again).toMatchObject({ id: supergroup.id, communityId: record.communityId });
    expect(await spaces.find(group)).toMatchObject({ status: 'moved', movedTo: supergroup.id });
    expect((await spaces.spacesOf(record.communityId)).map((each) => each.id)).toEqual([supergroup.id]);
  });
});

describe('link codes', () => {
  it('are prefixed, readable and normalised as typed', () => {
    const code = newLinkCode();
    expect(code).toMatch(/^S-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(normaliseLinkCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(code);
    expect(normaliseLinkCode('S-7Q4K-9D2O')).toBe('S-7Q4K-9D20');
    expect(normaliseLinkCode('M-7Q4K-9D2M')).toBeUndefined();
    expect(normaliseLinkCode('S-7Q4K-9D2')).toBeUndefined();
    expect(new Set(Array.from({ length: 200 }, newLinkCode)).size).toBe(200);
  });

  it('are kept as a digest only, work once, and not after 15 minutes', async () => {
    const { communities } = table.store.core;
    const code = newLinkCode();
    const digest = await linkCodeDigest(code);
    const issuedIn = space('slack');
    const stored = {
      communityId: 'c_test',
      issuedIn,
      issuedBy: { platform: 'slack' as const, id: 'UMOD' },
      expiresAt: later(15 * 60_000).toISOString(),
    };
    await communities.putLinkCode(digest, stored, T0);

    const scanned = JSON.stringify(
      await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: `LINKCODE#${digest}` }, sk: { S: 'LINKCODE' } },
        }),
      ),
    );
    expect(scanned).not.toContain(code);
    expect(await communities.findLinkCode(digest, later(14 * 60_000))).toMatchObject(stored);
    expect(await communities.findLinkCode(digest, later(15 * 60_000))).toBeUndefined();

    // Two spaces confirm at once: one wins; the winner may finish again, the loser never.
    const [b, c] = ['telegram:-1', 'discord:2'];
    const results = await Promise.all([
      communities.consumeLinkCode(digest, b, later(60_000)),
      communities.consumeLinkCode(digest, c, later(60_000)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? b : c;
    const loser = results[0] ? c : b;
    expect(await communities.consumeLinkCode(digest, winner, later(61_000))).toBe(true);
    expect(await communities.consumeLinkCode(digest, loser, later(61_000))).toBe(false);
    expect((await communities.findLinkCode(digest, later(62_000)))?.usedBy).toBe(winner);

    // Once the link is made the code is spent even for the winner (it must not rejoin after an unlink).
    await communities.finishLinkCode(digest, later(63_000));
    expect(await communities.findLinkCode(digest, later(64_000))).toMatchObject({
      usedBy: winner,
      done: true,
    });
    expect(await communities.consumeLinkCode(digest, winner, later(65_000))).toBe(false);
  });

  it('cannot be used once expired, even if never used', async () => {
    const { communities } = table.store.core;
    const digest = await linkCodeDigest(newLinkCode());
    await communities.putLinkCode(
      digest,
      {
        communityId: 'c_x',
        issuedIn: space(),
        issuedBy: { platform: 'telegram', id: '1' },
        expiresAt: later(15 * 60_000).toISOString(),
      },
      T0,
    );
    expect(await communities.consumeLinkCode(digest, 'slack:T1', later(16 * 60_000))).toBe(false);
  });
});

describe('community moderators and audit', () => {
  it('keeps moderators per community and the latest audit entries first', async () => {
    const { communities } = table.store.core;
    const [one, two] = [`c_${++counter}a`, `c_${counter}b`];
    await communities.addModerator(one, { platform: 'slack', id: 'U1' });
    await communities.addModerator(one, { platform: 'telegram', id: '7' });
    for (let index = 0; index < 55; index++) {
      await communities.audit(one, {
        at: later(index * 1000).toISOString(),
        actor: { platform: 'slack', id: 'U1' },
        action: `action ${index}`,
        where: 'slack:T1',
      });
    }

    expect(await communities.moderators(one)).toEqual([
      { platform: 'slack', id: 'U1' },
      { platform: 'telegram', id: '7' },
    ]);
    expect(await communities.moderators(two)).toEqual([]);
    expect(await communities.isModerator(two, { platform: 'slack', id: 'U1' })).toBe(false);
    const trail = await communities.auditTrail(one, 50);
    expect(trail).toHaveLength(50);
    expect(trail[0]?.action).toBe('action 54');
    expect(trail[49]?.action).toBe('action 5');
    expect(await communities.auditTrail(two, 50)).toEqual([]);
  });
});

describe('npm run spaces', () => {
  it('lists spaces, waiting ones first, and approves one with an audit entry', async () => {
    const { spaces, communities } = table.store.core;
    const waiting = space();
    const { record } = await spaces.register(waiting, { status: 'pending', name: 'Waiting group' }, T0);
    const env = { TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: table.endpoint, USER: 'ops-ana' };
    const lines: string[] = [];

    expect(await runSpacesCommand(['list'], env, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^pending /);
    expect(lines.join('\n')).toContain(`telegram:${waiting.id}`);

    const approved: string[] = [];
    expect(
      await runSpacesCommand(
        ['approve', `telegram:${waiting.id}`],
        env,
        (line) => approved.push(line),
        later(5000),
      ),
    ).toBe(0);
    expect(approved[0]).toContain('Approved');
    expect((await spaces.find(waiting))?.status).toBe('active');
    expect(await communities.auditTrail(record.communityId, 5)).toEqual([
      {
        at: later(5000).toISOString(),
        actor: { platform: 'ops', id: 'ops-ana' },
        action: `approved telegram:${waiting.id}`,
        where: 'ops',
      },
    ]);

    const again: string[] = [];
    expect(
      await runSpacesCommand(['approve', `telegram:${waiting.id}`], env, (line) => again.push(line)),
    ).toBe(0);
    expect(again[0]).toContain('served already');
    const unknown: string[] = [];
    expect(await runSpacesCommand(['approve', 'telegram:-999'], env, (line) => unknown.push(line))).toBe(1);
    expect(unknown[0]).toContain('unknown');
    expect(await runSpacesCommand(['approve', 'myspace:1'], env, () => {})).toBe(2);
    expect(await runSpacesCommand(['approve', 'slack:T1'], {}, () => {})).toBe(2);
  });
});
