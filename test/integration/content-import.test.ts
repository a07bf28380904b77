import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_FILE } from '../../infra/local/data-dir.js';
import { ensureTable, startEmbeddedDynamo } from '../../infra/local/dynamo.js';
import { runContentCommand } from '../../infra/ops/content.js';
import { importedItemId } from '../../shared/core/content/import.js';
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';
import type { Space } from '../../shared/core/events.js';
import type { Env } from '../../shared/lambda/env.js';
import { createStore } from '../../shared/store/index.js';
import { TABLE } from '../../shared/store/table.js';
import { startTestTable, type TestTable } from '../support/table.js';

const STARTER = new URL('../../infra/content/starter-library.md', import.meta.url).pathname;
const NOW = new Date('2026-11-20T09:00:00.000Z');

let table: TestTable;
let folder: string;
let spaceCount = 0;

beforeAll(async () => {
  table = await startTestTable('content-import');
  folder = mkdtempSync(join(tmpdir(), 'content-import-'));
});

afterAll(async () => {
  await table.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A community of its own per test: tests run shuffled and share the table. */
async function community(): Promise<{ space: Space; communityId: string }> {
  spaceCount += 1;
  const space: Space = { platform: 'telegram', id: `-100${spaceCount}` };
  const { record } = await table.store.core.spaces.register(space, { status: 'active' }, NOW);
  return { space, communityId: record.communityId };
}

async function run(
  args: readonly string[],
  env: Env = { TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: table.endpoint },
) {
  const lines: string[] = [];
  let out = '';
  const code = await runContentCommand(
    args,
    env,
    { log: (line) => lines.push(line), out: (text) => (out += text) },
    NOW,
  );
  return { code, lines, out };
}

function fileWith(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** What a library holds, as members see it, by key. */
async function library(communityId: string) {
  const { content } = table.store.core;
  const [meta, items] = await Promise.all([content.meta(communityId), content.items(communityId)]);
  const byKey = items.map((item) => [item.sourceKey ?? `item-${item.id}`, pick(item)] as const);
  return {
    topics: [...meta.topics].sort(),
    items: Object.fromEntries(byKey.sort(([a], [b]) => a.localeCompare(b))),
  };
}

function pick({ title, body, topics, kind, link, language, promotional, status }: ContentItem) {
  return { title, body, topics, kind, link, language, promotional, status };
}

describe('content:import', () => {
  it('imports the starter library, and importing it again changes nothing', async () => {
    // Prepare
    const { space, communityId } = await community();
    const { content } = table.store.core;

    // Act
    const first = await run(['import', STARTER, '--space', `telegram:${space.id}`]);
    const version = (await content.meta(communityId)).version;
    const again = await run(['import', STARTER, '--space', `telegram:${space.id}`]);

    // Assess
    expect(first).toMatchObject({ code: 0 });
    expect(first.lines).toEqual([
      `Imported starter-library.md into community ${communityId}: added 15, updated 0, unchanged 0, topics added 4.`,
    ]);
    const items = await content.items(communityId);
    expect(items).toHaveLength(15);
    const welcome = items.find((item) => item.sourceKey === 'welcome-by-name');
    expect(welcome).toMatchObject({
      id: importedItemId(communityId, 'welcome-by-name'),
      title: 'Welcome newcomers by name',
      topics: ['onboarding'],
      kind: 'tip',
      author: { kind: 'import' },
      status: 'live',
      promotional: false,
      createdAt: NOW.toISOString(),
    });
    expect((await content.meta(communityId)).topics).toEqual([
      'onboarding',
      'moderation',
      'events',
      'engagement',
    ]);
    expect(again.lines).toEqual([
      `Imported starter-library.md into community ${communityId}: added 0, updated 0, unchanged 15.`,
    ]);
    expect((await content.meta(communityId)).version).toBe(version);
  });

  it('replaces an edited item, keeping its counts, and leaves items the file no longer names', async () => {
    // Prepare
    const { communityId } = await community();
    const { content } = table.store.core;
    await run(['import', STARTER, '--community', communityId]);
    const id = importedItemId(communityId, 'quiet-hours');
    await content.count(communityId, id, { shown: 3, helpful: 2 });
    const edited = readFileSync(STARTER, 'utf8')
      .replace('Respect quiet hours', 'Respect quiet hours, always')
      .replace(/---\nkey: recap-posts[\s\S]*?(?=\n---\nkey: measure)/, '');

    // Act
    const result = await run(['import', fileWith('edited.md', edited), '--community', communityId]);

    // Assess
    expect(result.lines).toEqual([
      `Imported edited.md into community ${communityId}: added 0, updated 1, unchanged 13.`,
    ]);
    expect(await content.get(communityId, id)).toMatchObject({
      title: 'Respect quiet hours, always',
      counts: { ...NO_COUNTS, shown: 3, helpful: 2 },
      createdAt: NOW.toISOString(),
    });
    expect(await content.items(communityId)).toHaveLength(15);
  });

  it('refuses a file with problems, naming each with its key and line, and writes nothing', async () => {
    // Prepare
    const { communityId } = await community();
    const text = [
      '---',
      'topics: [onboarding]',
      '---',
      '---',
      'key: fine',
      'title: Fine',
      'topics: [onboarding]',
      '---',
      'A fine body.',
      '---',
      'key: long',
      'title: Too long',
      'topics: [pricing]',
      'kind: webinar',
      '---',
      'x'.repeat(1501),
      '---',
      'key: fine',
      'title: Twice',
      '---',
      'Body.',
    ].join('\n');

    // Act
    const result = await run(['import', fileWith('bad.md', text), '--community', communityId]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `${folder}/bad.md:10 [long]: The body has 1501 characters; keep it bite-sized, at most 1500.`,
      `${folder}/bad.md:10 [long]: Unknown topic \`pricing\` (topics: \`onboarding\`; moderators add one with \`/community topics add <topic>\`).`,
      `${folder}/bad.md:10 [long]: Unknown kind \`webinar\`: one of \`tip\`, \`answer\`, \`guide\`, \`tool\`, \`expert-session\`, \`event\`.`,
      `${folder}/bad.md:17 [fine]: The key \`fine\` is used twice (first on line 4).`,
      '4 problems: nothing was imported.',
    ]);
    expect(await table.store.core.content.items(communityId)).toEqual([]);
    expect(await table.store.core.content.meta(communityId)).toEqual({ communityId, topics: [], version: 0 });
  });

  it('says what is wrong with a missing file, unreadable YAML, or an unknown community or space', async () => {
    const { communityId } = await community();
    const yaml = fileWith('broken.yaml', 'items:\n  - key: a\n    title: A: B\n');

    const missing = await run(['import', join(folder, 'nowhere.md'), '--community', communityId]);
    const unreadable = await run(['import', yaml, '--community', communityId]);
    const unknownCommunity = await run(['import', STARTER, '--community', 'c-nobody']);
    const unknownSpace = await run(['import', STARTER, '--space', 'discord:42']);

    expect(missing).toMatchObject({ code: 1, lines: [`${folder}/nowhere.md: no such file.`] });
    expect(unreadable.code).toBe(1);
    expect(unreadable.lines[0]).toMatch(new RegExp(`^${folder}/broken.yaml:3: Unreadable YAML: `));
    expect(unknownCommunity).toMatchObject({
      code: 1,
      lines: [`Unknown community c-nobody in table content-import at ${table.endpoint}.`],
    });
    expect(unknownSpace.code).toBe(1);
    expect(unknownSpace.lines[0]).toMatch(/^Unknown space discord:42 in table content-import/);
    expect(await table.store.core.content.items(communityId)).toEqual([]);
  });

  it('prints the plan of a dry run and writes nothing', async () => {
    const { communityId } = await community();
    const text = '---\ntopics: [events]\n---\n---\nkey: ama\ntitle: AMA\ntopics: events\n---\nAsk us.\n';

    const result = await run(['import', fileWith('plan.md', text), '--community', communityId, '--dry-run']);

    expect(result).toMatchObject({ code: 0 });
    expect(result.lines).toEqual([
      'add topic events',
      `add ama (${importedItemId(communityId, 'ama')})`,
      'Dry run, nothing written: would have added 1, updated 0, unchanged 0, topics added 1.',
    ]);
    expect(await table.store.core.content.meta(communityId)).toEqual({ communityId, topics: [], version: 0 });
  });

  it('says how far a long import got every 100 items', async () => {
    const { communityId } = await community();
    const items = Array.from(
      { length: 250 },
      (_, index) => `  - { key: k${index}, title: T${index}, body: B${index} }`,
    );
    const path = fileWith('long.yml', `items:\n${items.join('\n')}\n`);

    const result = await run(['import', path, '--community', communityId]);

    expect(result.lines).toEqual([
      '... 100 of 250 items',
      '... 200 of 250 items',
      `Imported long.yml into community ${communityId}: added 250, updated 0, unchanged 0.`,
    ]);
  });
});

describe('content:export', () => {
  it.each(['md', 'yaml'])(
    'writes a %s file that reproduces the library in an empty community',
    async (extension) => {
      // Prepare: the starter library, a moderator's own item (no key of its own) and a retired one.
      const { communityId } = await community();
      const { content } = table.store.core;
      await run(['import', STARTER, '--community', communityId]);
      const own: ContentItem = {
        communityId,
        id: 'mod001',
        title: 'Our own tip',
        body: 'Written here.\n---\nwith a rule line',
        topics: ['events'],
        kind: 'tool',
        link: 'https://example.org/tool',
        author: { kind: 'moderator', person: 'p-1' },
        language: 'de',
        promotional: false,
        status: 'retired',
        createdAt: '2026-11-21T00:00:00.000Z',
        updatedAt: '2026-11-21T00:00:00.000Z',
        counts: NO_COUNTS,
      };
      expect(await content.save(own, { kind: 'new' })).toBe('written');
      const path = join(folder, `export-${communityId}.${extension}`);
      const empty = await community();

      // Act
      const exported = await run(['export', path, '--community', communityId]);
      const imported = await run(['import', path, '--community', empty.communityId]);
      const version = (await content.meta(communityId)).version;
      const back = await run(['import', path, '--community', communityId]);

      // Assess
      expect(exported.lines).toEqual([
        `Exported 16 items and 4 topics of community ${communityId} to ${path}.`,
      ]);
      expect(imported.code).toBe(0);
      expect(await library(empty.communityId)).toEqual(await library(communityId));
      expect(back.lines).toEqual([
        `Imported export-${communityId}.${extension} into community ${communityId}: added 0, updated 0, unchanged 16.`,
      ]);
      expect((await content.meta(communityId)).version).toBe(version);
    },
  );

  it('writes Markdown to standard output without a file', async () => {
    const { communityId } = await community();
    await run(['import', STARTER, '--community', communityId]);

    const result = await run(['export', '--community', communityId]);

    expect(result.code).toBe(0);
    expect(result.out).toContain('---\nkey: hosted-offer\ntitle: Let us run the bots for you\n');
  });
});

describe('the table of npm run dev', () => {
  it("imports into the sandbox's Slack workspace in the data folder when nothing else is named", async () => {
    // Prepare: a data folder where the sandbox's workspace was registered, and nobody runs.
    const dataDir = mkdtempSync(join(tmpdir(), 'content-data-'));
    const dynamo = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
    const store = createStore({ tableName: TABLE.localName, endpoint: dynamo.endpoint });
    await ensureTable(store.client, TABLE.localName);
    const { record } = await store.core.spaces.register(
      { platform: 'slack', id: 'T0SANDBOX' },
      { status: 'active' },
      NOW,
    );
    store.client.destroy();
    await dynamo.close();

    // Act
    const result = await run(['import', STARTER, '--dry-run'], { DATA_DIR: dataDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.lines[0]).toBe(
      `Using the sandbox's Slack workspace slack:T0SANDBOX (community ${record.communityId}).`,
    );
    expect(result.lines.at(-1)).toBe(
      'Dry run, nothing written: would have added 15, updated 0, unchanged 0, topics added 4.',
    );
    rmSync(dataDir, { recursive: true, force: true });
  });
  it('reaches the table of a running npm run dev through what it published in the data folder', async () => {
    // Prepare: a dev server's file naming this process (alive) and the test engine, where the local table is.
    const dataDir = mkdtempSync(join(tmpdir(), 'content-dev-'));
    const info = { url: 'http://127.0.0.1:1', pid: process.pid };
    writeFileSync(join(dataDir, SERVER_FILE), JSON.stringify(info));
    const unpublished = await run(['export'], { DATA_DIR: dataDir });
    writeFileSync(join(dataDir, SERVER_FILE), JSON.stringify({ ...info, dynamoEndpoint: table.endpoint }));
    await ensureTable(table.client, TABLE.localName);
    const local = createStore({ tableName: TABLE.localName, endpoint: table.endpoint });
    await local.core.spaces.register({ platform: 'slack', id: 'T0SANDBOX' }, { status: 'active' }, NOW);
    local.client.destroy();

    // Act
    const result = await run(['import', STARTER], { DATA_DIR: dataDir });

    // Assess
    expect(unpublished.code).toBe(1);
    expect(unpublished.lines[0]).toMatch(/^npm run dev \(pid \d+\) holds .*: pass its endpoint/);
    expect(result.code).toBe(0);
    expect(result.lines.at(-1)).toMatch(/: added 15, updated 0, unchanged 0, topics added 4\.$/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
