/**
 * `npm run bench`: bundle size, cold start, warm latency and DynamoDB cost per event for each bot, beside
 * reference apps bundled the same way, all in one run (compare ratios, not absolute times: this machine is
 * shared). Runs: BENCH_RUNS cold starts per bundle (default 9), BENCH_EVENTS warm events (default 200).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/bundling.js';
import type { Platform } from '../shared/core/events.js';
import type { HttpEvent } from '../shared/lambda/http.js';
import { ensureTable, startEmbeddedDynamo } from '../shared/local/dynamo.js';
import type { FakeServer } from '../shared/local/fake-server.js';
import type { PlatformSandbox, SandboxAction } from '../shared/local/sandbox.js';
import { SANDBOXES } from '../shared/local/sandboxes/index.js';
import { createDynamoClient } from '../shared/store/client.js';
import { type DynamoUsage, startDynamoMeter } from './dynamo-meter.js';
import { httpEventFor, median, percentile, ratio } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/.out');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);

interface Case {
  readonly name: string;
  readonly platform: Platform;
  readonly entry: string;
  /** The event each cold start handles; `undefined` to time the import alone. */
  readonly action?: (n: number) => SandboxAction;
  readonly reference?: string;
  /** Target: our cold start at most this multiple of the reference's. */
  readonly target?: number;
}

const message = (n: number): SandboxAction => ({
  kind: 'message',
  user: `member${n % 50}`,
  channel: 'general',
  text: 'hello there',
  messageId: String(100_000 + n),
});
// A different member each time: the Discord sandbox derives an interaction id from the action and the instant.
const command = (n: number): SandboxAction => ({
  kind: 'command',
  user: `member${n}`,
  channel: 'general',
  text: '/community help',
});

const CASES: readonly Case[] = [
  {
    name: 'ref: minimal Bolt app',
    platform: 'slack',
    entry: 'bench/reference/bolt-minimal.ts',
    action: message,
  },
  {
    name: 'slack handler',
    platform: 'slack',
    entry: 'bots/slack/handler.ts',
    action: message,
    reference: 'ref: minimal Bolt app',
    target: 0.6,
  },
  { name: 'ref: bare discord.js', platform: 'discord', entry: 'bench/reference/discordjs-import.ts' },
  {
    name: 'discord handler',
    platform: 'discord',
    entry: 'bots/discord/handler.ts',
    action: command,
    reference: 'ref: bare discord.js',
    target: 0.3,
  },
  {
    name: 'ref: minimal grammY app',
    platform: 'telegram',
    entry: 'bench/reference/grammy-minimal.ts',
    action: message,
  },
  {
    name: 'telegram handler',
    platform: 'telegram',
    entry: 'bots/telegram/handler.ts',
    action: message,
    reference: 'ref: minimal grammY app',
    target: 2,
  },
];

async function bundle(kase: Case): Promise<string> {
  const outfile = join(OUT, `${kase.name.replace(/[^a-z0-9]+/gi, '-')}.mjs`);
  const options = esbuildOptions(kase.platform, join(ROOT, kase.entry), outfile);
  // References are bundled the same way, without our aliases (infra/bundling.ts): those are our optimisation.
  await build(kase.reference ? options : { ...options, alias: {} });
  return outfile;
}

const execFileAsync = promisify(execFile);

/** Runs a measuring script in a fresh Node process, asynchronously: DynamoDB and the fakes live in this one. */
async function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [join(ROOT, 'bench', script), ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

function eventFile(name: string, events: HttpEvent | HttpEvent[]): string {
  const file = join(OUT, `${name}.json`);
  writeFileSync(file, JSON.stringify(events));
  return file;
}

let serial = 0;
function signedEvent(sandbox: PlatformSandbox, action: (n: number) => SandboxAction): HttpEvent {
  serial += 1;
  return httpEventFor(sandbox.sign(action(serial)));
}

interface Result {
  bytes: number;
  coldMs: number[];
  warm?: { p50: number; p99: number; statuses: Record<string, number> };
  perEvent?: DynamoUsage;
  perRedelivery?: DynamoUsage;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  console.log(
    `bench: ${RUNS} cold starts per bundle, ${EVENTS} warm events, Node ${process.version}, ${process.arch}`,
  );
  const dynamo = await startEmbeddedDynamo();
  const tableName = 'community-bench';
  const client = createDynamoClient({ tableName, endpoint: dynamo.endpoint });
  await ensureTable(client, tableName);
  client.destroy();
  const meter = await startDynamoMeter(dynamo.endpoint);
  const fakes: FakeServer[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: meter.endpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    NODE_NO_WARNINGS: '1',
  };
  for (const sandbox of SANDBOXES) {
    const fake = await sandbox.startFakeApi();
    fakes.push(fake);
    Object.assign(env, sandbox.env(fake.url));
  }

  const bundles = new Map<string, string>();
  for (const kase of CASES) {
    process.stdout.write(`building ${kase.name}... `);
    bundles.set(kase.name, await bundle(kase));
    console.log(`${(statSync(bundles.get(kase.name) ?? '').size / 1024).toFixed(0)} KB`);
  }

  const results = new Map<string, Result>(
    CASES.map((kase) => [kase.name, { bytes: statSync(bundles.get(kase.name) ?? '').size, coldMs: [] }]),
  );
  // Interleave the cases run by run, so a burst of load on the machine hits them all alike.
  for (let run = 1; run <= RUNS; run++) {
    process.stdout.write(`\rcold starts: run ${run}/${RUNS}`);
    for (const kase of CASES) {
      const sandbox = sandboxOf(kase.platform);
      const file = kase.action ? eventFile('cold-event', signedEvent(sandbox, kase.action)) : 'none';
      const { totalMs, status } = JSON.parse(
        await runNode('cold-start.mjs', [bundles.get(kase.name) ?? '', file], env),
      ) as { totalMs: number; status: number | null };
      if (kase.action && status !== 200) throw new Error(`${kase.name}: cold-start event answered ${status}`);
      results.get(kase.name)?.coldMs.push(totalMs);
    }
  }
  console.log();
  meter.take();

  for (const kase of CASES.filter((candidate) => candidate.action)) {
    process.stdout.write(`warm: ${kase.name}... `);
    const sandbox = sandboxOf(kase.platform);
    const action = kase.action as (n: number) => SandboxAction;
    const events = Array.from({ length: EVENTS + 1 }, () => signedEvent(sandbox, action));
    const warm = JSON.parse(
      await runNode('warm.mjs', [bundles.get(kase.name) ?? '', eventFile('warm-events', events)], env),
    ) as { timings: number[]; statuses: Record<string, number> };
    const result = results.get(kase.name) as Result;
    result.warm = {
      p50: percentile(warm.timings, 50),
      p99: percentile(warm.timings, 99),
      statuses: warm.statuses,
    };
    const used = meter.take();
    result.perEvent = perEvent(used, events.length);
    if (kase.reference) {
      const again = Array.from({ length: 21 }, () => events[1] as HttpEvent);
      await runNode('warm.mjs', [bundles.get(kase.name) ?? '', eventFile('redelivered-events', again)], env);
      result.perRedelivery = perEvent(meter.take(), again.length);
    }
    console.log('done');
  }
  report(results);
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(Object.fromEntries(results), null, 2));
  await Promise.all(fakes.map((fake) => fake.close()));
  await meter.close();
  await dynamo.close();
}

function sandboxOf(platform: Platform): PlatformSandbox {
  const sandbox = SANDBOXES.find((candidate) => candidate.platform === platform);
  if (!sandbox) throw new Error(`no sandbox for ${platform}`);
  return sandbox;
}

function perEvent(usage: DynamoUsage, events: number): DynamoUsage {
  const calls = Object.fromEntries(Object.entries(usage.calls).map(([name, n]) => [name, n / events]));
  return { calls, writeCalls: usage.writeCalls / events, writeUnits: usage.writeUnits / events };
}

function report(results: Map<string, Result>) {
  const rows = CASES.map((kase) => {
    const result = results.get(kase.name) as Result;
    const cold = median(result.coldMs);
    const reference = kase.reference ? median(results.get(kase.reference)?.coldMs ?? []) : undefined;
    const r = reference ? ratio(cold, reference) : undefined;
    return {
      bundle: kase.name,
      'size KB': (result.bytes / 1024).toFixed(0),
      'cold ms (median)': cold.toFixed(0),
      'vs ref':
        r === undefined
          ? ''
          : `${r.toFixed(3)}x (target <= ${kase.target}x) ${r <= (kase.target ?? Infinity) ? 'OK' : 'MISSED'}`,
      'warm p50/p99 ms': result.warm ? `${result.warm.p50.toFixed(1)} / ${result.warm.p99.toFixed(1)}` : '',
      'DynamoDB per event': result.perEvent && kase.reference ? describeUsage(result.perEvent) : '',
      'per redelivery': result.perRedelivery ? describeUsage(result.perRedelivery) : '',
    };
  });
  console.table(rows);
  console.log(
    'Cold start = fresh Node process: import the bundle + handle one signed event against embedded DynamoDB',
  );
  console.log(
    '(the discord.js reference only imports). Write units follow DynamoDB billing: 1 per KB of item, plus the byDay index entry.',
  );
}

function describeUsage(usage: DynamoUsage): string {
  const calls = Object.entries(usage.calls)
    .map(([name, n]) => `${n.toFixed(2)} ${name}`)
    .join(', ');
  return `${usage.writeCalls.toFixed(2)} write calls, ${usage.writeUnits.toFixed(2)} WCU (${calls})`;
}

await main();
