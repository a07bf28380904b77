import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackInstall } from '../../bots/slack/oauth/platform.js';
import { esbuildOptions } from '../../infra/bundling.js';
import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import { OUTBOX_WORKER_ENTRY, outboxWorkerBundling } from '../../infra/outbox-worker.js';
import { descriptorOf, PLATFORM_DESCRIPTORS } from '../../infra/platforms.js';
import { PLATFORMS, type Platform } from '../../shared/core/events.js';
import { outboxId } from '../../shared/core/outbox/outbox.js';
import { startFakeServer } from '../../shared/platform/fake-server.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import { createStore } from '../../shared/store/index.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { startTestTable, type TestTable } from '../support/table.js';

// The handler bundles exactly as the stack and the benchmark build them, run in fresh Node processes.
const ROOT = join(import.meta.dirname, '../..');
const COLD_START = join(ROOT, 'bench/cold-start.mjs');
const run = promisify(execFile);

interface Bundle {
  readonly file: string;
  readonly code: string;
  /** Every input file that put code in the bundle. */
  readonly inputs: readonly string[];
}

let outdir: string;
const bundles = new Map<BundleName, Bundle>();

/** The bundles checked: each bot's, and the outbox worker's. */
type BundleName = Platform | 'outbox';
const BUNDLES: readonly BundleName[] = [...PLATFORMS, 'outbox'];

/** A bot (or the worker) bundled as deployed: the entry `index.mjs` and its chunks, read together. */
async function bundle(name: BundleName): Promise<Bundle> {
  const dir = join(outdir, name);
  const { entry, bundling } =
    name === 'outbox'
      ? { entry: OUTBOX_WORKER_ENTRY, bundling: outboxWorkerBundling(PLATFORM_DESCRIPTORS) }
      : { entry: descriptorOf(name).handlerEntry, bundling: descriptorOf(name).bundling };
  const result = await build({ ...esbuildOptions({ bundling }, entry, dir), metafile: true });
  const outputs = Object.entries(result.metafile.outputs);
  const inputs = outputs.flatMap(([, output]) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  const code = outputs.map(([path]) => readFileSync(resolve(path), 'utf8')).join('\n');
  return { file: join(dir, 'index.mjs'), code, inputs: [...new Set(inputs)] };
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'bot-bundles-'));
  for (const name of BUNDLES) bundles.set(name, await bundle(name));
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

function bundleOf(name: BundleName): Bundle {
  const found = bundles.get(name);
  if (!found) throw new Error(`no ${name} bundle`);
  return found;
}

/** Input packages whose name matches, e.g. `@aws-sdk/nested-clients`. */
function packagesIn(platform: BundleName, pattern: RegExp): string[] {
  const names = bundleOf(platform).inputs.map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]);
  return [...new Set(names.filter((name): name is string => name !== undefined && pattern.test(name)))];
}

describe.each(BUNDLES)('the %s bundle', (platform) => {
  it('imports node:http as CommonJS, so loading it does not load undici', () => {
    const { code, inputs } = bundleOf(platform);

    expect(code).not.toMatch(/from\s*["']node:http["']/);
    expect(code).not.toMatch(/import\(\s*["']node:http["']\s*\)/);
    expect(inputs).toContain('infra/bundle-stubs/node-http.cjs');
  });

  it('carries the environment credential provider and no other', () => {
    expect(packagesIn(platform, /^@aws-sdk\/(credential-provider|nested-clients|token-providers)/)).toEqual([
      '@aws-sdk/credential-provider-env',
    ]);
  });

  it('carries no Secrets Manager client: secrets come through the Lambda extension', () => {
    expect(packagesIn(platform, /client-secrets-manager|powertools\/parameters/)).toEqual([]);
  });
});

describe('platform stubs', () => {
  it('leaves discord-api-types out of the Discord bundle', () => {
    expect(packagesIn('discord', /^discord-api-types$/)).toEqual([]);
    expect(bundleOf('discord').inputs).toContain('bots/discord/bundle-stubs/discord-api-types-payloads.mjs');
  });

  it('leaves @slack/types and path-to-regexp out of the Slack bundle', () => {
    expect(packagesIn('slack', /^(@slack\/types|path-to-regexp)$/)).toEqual([]);
  });

  it('leaves the installation flow (@slack/oauth, its JWT state) out of the Slack events bundle', () => {
    expect(packagesIn('slack', /^(@slack\/oauth|jsonwebtoken|jws)$/)).toEqual([]);
    expect(bundleOf('slack').inputs.filter((path) => path.startsWith('bots/slack/oauth/'))).toEqual([]);
  });

  it("leaves Socket Mode (npm run dev's relay, the SDK client and its WebSocket) out of the Slack bundle", () => {
    expect(packagesIn('slack', /^(@slack\/socket-mode|undici|ws)$/)).toEqual([]);
    expect(bundleOf('slack').inputs.filter((path) => /^infra\/local\/|sandbox-socket/.test(path))).toEqual(
      [],
    );
  });
});

describe('the bundled handlers', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await startTestTable();
  });

  afterAll(async () => {
    await table.close();
  });

  const actions: Record<Platform, SandboxAction> = {
    slack: { kind: 'message', user: 'alice', channel: 'general', text: 'hello', messageId: '1' },
    discord: { kind: 'command', user: 'alice', channel: 'general', text: '/community help' },
    telegram: { kind: 'message', user: 'alice', channel: 'general', text: 'hello', messageId: '1' },
  };

  /** Who sent the signed delivery, as the platform names them in its payload. */
  const senderOf: Record<Platform, (body: Record<string, unknown>) => unknown> = {
    slack: (body) => (body.event as { user: string }).user,
    discord: (body) => (body.member as { user: { id: string } }).user.id,
    telegram: (body) => (body.message as { from: { id: number } }).from.id,
  };

  it.each(PLATFORMS)(
    '%s: handles a signed delivery in a fresh Node process and records it',
    async (platform) => {
      // Prepare
      const { sandbox } = descriptorOf(platform);
      const api = await sandbox.startFakeApi();
      const request = sandbox.sign(actions[platform]);
      const eventFile = join(outdir, `${platform}-event.json`);
      writeFileSync(eventFile, JSON.stringify(httpEvent(request.path, request.body, { ...request.headers })));
      const before = (await table.engagementItems()).length;

      // Act
      const { stdout } = await run(process.execPath, [COLD_START, bundleOf(platform).file, eventFile], {
        env: {
          PATH: process.env.PATH,
          ...sandbox.env(api.url),
          TABLE_NAME: table.tableName,
          DYNAMODB_ENDPOINT: table.endpoint,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          // A new space is served at once, as in `npm run dev` (the stack's default waits for approval).
          SPACES_MODE: 'open',
          MEMBER_KEY: LOCAL_MEMBER_KEY,
        },
      });
      await api.close();

      // Assess: one more record, under the sender's opaque id (the bundle hashes as documented).
      expect(JSON.parse(stdout)).toMatchObject({ status: 200 });
      const after = await table.engagementItems();
      expect(after).toHaveLength(before + 1);
      const sender = String(senderOf[platform](JSON.parse(request.body)));
      expect(after.map((item) => item.memberId?.S)).toContain(expectedMemberId(platform, sender));
    },
  );
});

describe('the bundled outbox worker', () => {
  // Loads the worker bundle and runs it once as its schedule would, printing its report.
  const RUNNER = `
    import { pathToFileURL } from 'node:url';
    const { handler } = await import(pathToFileURL(process.argv[2]).href);
    const report = await handler(
      { source: 'community.outbox', wake: false },
      { getRemainingTimeInMillis: () => 70000 },
    );
    process.stdout.write(JSON.stringify(report));
    process.exit(0);
  `;
  let table: TestTable;

  beforeAll(async () => {
    table = await startTestTable();
  });

  afterAll(async () => {
    await table.close();
  });

  it('sends a due message in a fresh Node process and marks it sent', async () => {
    // Prepare: a Telegram post due now, quiet hours off (the test may run at any hour).
    const api = await descriptorOf('telegram').sandbox.startFakeApi();
    const store = createStore({ tableName: table.tableName, endpoint: table.endpoint });
    const communityId = 'c-bundle';
    const target = { space: { platform: 'telegram', id: '-100200300' }, channelId: '-100200300' } as const;
    const key = 'announce:bundle-test';
    const id = await outboxId(communityId, key);
    const now = new Date();
    await store.core.attention.saveSettings(communityId, { quietHours: undefined });
    await store.core.outbox.add({
      id,
      key,
      communityId,
      purpose: 'announcement',
      audience: { kind: 'channel', target },
      message: { text: 'Sent by the bundled worker' },
      allowance: { kind: 'unsolicited' },
      status: 'queued',
      createdAt: now,
      dueAt: now,
      attempts: 0,
    });
    const runner = join(outdir, 'run-worker.mjs');
    writeFileSync(runner, RUNNER);
    // Every platform's sandbox settings, as the stack gives the worker every bot's; only Telegram listens.
    const platforms = Object.assign(
      {},
      ...PLATFORM_DESCRIPTORS.map((bot) =>
        bot.sandbox.env(bot.platform === 'telegram' ? api.url : 'http://127.0.0.1:9'),
      ),
    );

    // Act
    const { stdout } = await run(process.execPath, [runner, bundleOf('outbox').file], {
      env: {
        PATH: process.env.PATH,
        ...platforms,
        TABLE_NAME: table.tableName,
        DYNAMODB_ENDPOINT: table.endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });
    await api.close();

    // Assess: posted once to the group, and the item says where it went.
    expect(JSON.parse(stdout)).toMatchObject({ leased: true, sent: 1, failed: 0 });
    const posts = api.requests.filter((request) => request.path.endsWith('/sendMessage'));
    expect(posts.map((request) => request.payload)).toEqual([
      // Telegram's chat ids are numbers in the Bot API's JSON.
      expect.objectContaining({ chat_id: Number(target.channelId), text: 'Sent by the bundled worker' }),
    ]);
    expect(await store.core.outbox.get(communityId, id)).toMatchObject({
      status: 'sent',
      posted: { channelId: target.channelId },
    });
    store.client.destroy();
  });
});

describe('the bundled Slack installation flow', () => {
  it('starts an installation in a fresh Node process: a 302 to Slack with the state cookie', async () => {
    // Prepare: bundled as the stack bundles it, with the sandbox's settings.
    const dir = join(outdir, 'slack-install');
    await build(esbuildOptions(slackInstall, slackInstall.handlerEntry, dir));
    const eventFile = join(outdir, 'slack-install-event.json');
    writeFileSync(
      eventFile,
      JSON.stringify(buildHttpEvent({ method: 'GET', path: '/slack/install', body: '' })),
    );

    // Act
    const { stdout } = await run(process.execPath, [COLD_START, join(dir, 'index.mjs'), eventFile], {
      env: {
        PATH: process.env.PATH,
        ...slackInstall.sandboxEnv('http://127.0.0.1:9'),
        TABLE_NAME: 'community-test',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });

    // Assess: no table or Slack call is needed to start.
    expect(JSON.parse(stdout)).toMatchObject({ status: 302 });
  });
});

describe('the credential stub', () => {
  // A DynamoDB client with no credentials in its config, bundled with the bots' aliases: it must sign with
  // what Lambda puts in the environment, and never look further (no profile files, no IMDS).
  const ENTRY = `
    import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
    const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'eu-west-1', maxAttempts: 1 });
    try {
      await client.send(new PutItemCommand({ TableName: 'community', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
      console.log('sent');
    } catch (error) {
      console.log(error.message);
    }
    process.exit(0);
  `;
  let file: string;

  beforeAll(async () => {
    file = join(outdir, 'signed-put.mjs');
    const {
      entryPoints: _entry,
      outdir: _outdir,
      splitting: _splitting,
      ...options
    } = esbuildOptions(descriptorOf('discord'), 'unused', outdir);
    await build({ ...options, outfile: file, stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' } });
  });

  async function putWith(env: Record<string, string>) {
    // A fake DynamoDB: records the signed request and answers PutItem's empty output.
    const fake = await startFakeServer('dynamodb', () => ({ body: {} }));
    const { stdout } = await run(process.execPath, [file], {
      env: { PATH: process.env.PATH, DYNAMODB_ENDPOINT: fake.url, ...env },
    });
    await fake.close();
    return { output: stdout.trim(), requests: fake.requests };
  }

  it('signs with the credentials Lambda puts in the environment', async () => {
    const { output, requests } = await putWith({
      AWS_ACCESS_KEY_ID: 'ASIAFUNCTIONROLE',
      AWS_SECRET_ACCESS_KEY: 'function-role-secret',
      AWS_SESSION_TOKEN: 'function-role-session',
    });

    expect(output).toBe('sent');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAFUNCTIONROLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/,
    );
    expect(requests[0]?.headers['x-amz-security-token']).toBe('function-role-session');
  });

  it('fails at once without them, instead of trying profiles or the instance metadata service', async () => {
    const { output, requests } = await putWith({});

    expect(output).toMatch(/Unable to find environment variable credentials/);
    expect(requests).toHaveLength(0);
  });
});
