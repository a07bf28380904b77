/**
 * The Discord gateway relay under load: the relay bundled like the container's entry (bench/relay-child.ts)
 * runs in its own process, connected to the fake gateway, recording into the embedded DB. Measured: its
 * memory idle (connected, nothing happening), its memory while the gateway sends 100 messages a second for
 * 10 s, and the messages per second it records when the gateway sends 5,000 as fast as it can.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startFakeGateway } from '../bots/discord/fake-gateway.js';
import { discordPlatform } from '../bots/discord/platform.js';
import { SANDBOX_BOT_TOKEN } from '../bots/discord/sandbox-cast.js';
import { gatewayMessage } from '../bots/discord/sandbox-gateway.js';
import { startGatewayBotApi } from '../bots/discord/sandbox-gateway-bot.js';
import { BOT_BUNDLE } from '../infra/bundling.js';
import { ensureTable } from '../infra/local/dynamo.js';
import { startFakeLambda } from '../infra/local/fake-lambda.js';
import { LOCAL_MEMBER_KEY } from '../infra/local/runtime.js';
import type { BotHandler } from '../shared/lambda/http.js';
import { createDynamoClient } from '../shared/store/client.js';
import type { ChildReport, ChildRequest } from './relay-child.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/.out/relay');
const STEADY_RATE = 100;
const STEADY_SECONDS = Number(process.env.BENCH_RELAY_SECONDS ?? 10);
const BURST = Number(process.env.BENCH_RELAY_BURST ?? 5000);
const MB = 1024 * 1024;

export interface RelayBench {
  /** Connected, nothing happening, after a collection: resident set and JS heap, MB. */
  readonly idle: { readonly rssMb: number; readonly heapMb: number };
  /** The most seen, once a second, while 100 messages a second arrived; and what was left to record at the end. */
  readonly steady: { readonly rssMb: number; readonly heapMb: number; readonly backlog: number };
  /** `events` sent at once; how long until all were recorded, and the rate. */
  readonly burst: { readonly events: number; readonly seconds: number; readonly perSecond: number };
}

/** One line for `npm run bench`. */
export function describeRelayBench({ idle, steady, burst }: RelayBench): string {
  return (
    `idle ${idle.rssMb.toFixed(0)} MB RSS / ${idle.heapMb.toFixed(1)} MB heap; at ${STEADY_RATE} events/s ` +
    `${steady.rssMb.toFixed(0)} MB RSS / ${steady.heapMb.toFixed(1)} MB heap (backlog ${steady.backlog}); ` +
    `${burst.events} events recorded in ${burst.seconds.toFixed(1)} s: ${burst.perSecond.toFixed(0)} events/s`
  );
}

/** Runs the relay bench against the embedded DB at `endpoint` (its own table). */
export async function benchRelay(endpoint: string): Promise<RelayBench> {
  const tableName = 'community-bench-relay';
  const client = createDynamoClient({ tableName, endpoint });
  await ensureTable(client, tableName);
  client.destroy();
  const gateway = await startFakeGateway({ token: SANDBOX_BOT_TOKEN });
  const gatewayApi = await startGatewayBotApi(gateway.gatewayBot);
  const api = await discordPlatform.sandbox.startFakeApi();
  const lambda = await startFakeLambda();
  const env = {
    ...discordPlatform.sandbox.env(api.url),
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    SPACES_MODE: 'open',
    MEMBER_KEY: LOCAL_MEMBER_KEY,
    LAMBDA_ENDPOINT: lambda.url,
    AWS_LAMBDA_FUNCTION_NAME: 'bench-discord-relay',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  // The space's first message has its notice posted by the interactions function's later job.
  const handler = discordPlatform.createHandler(env);
  lambda.register(env.AWS_LAMBDA_FUNCTION_NAME, (job) => handler(job as Parameters<BotHandler>[0]));
  // The relay asks the REST root where the gateway is: the sandbox settings, rooted at the gateway's fake.
  const child = await startChild({
    ...env,
    ...discordPlatform.sandbox.env(gatewayApi.url),
    RELAY_HEALTH_PORT: '0',
  });
  try {
    let serial = 0;
    const send = (count: number) => {
      for (let n = 0; n < count; n++) {
        serial += 1;
        const message = gatewayMessage(
          {
            user: `member${serial % 50}`,
            channel: 'general',
            messageId: String(1_600_000_000_000_000_000n + BigInt(serial)),
          },
          new Date(),
        );
        gateway.dispatch(message.t, message.d);
      }
    };
    // The first message registers the space; then the relay sits connected and idle.
    send(1);
    await handledAtLeast(child, serial);
    await lambda.idle();
    await sleep(2000);
    const idle = await probe(child, true);

    const samples: ChildProbe[] = [];
    for (let tick = 0; tick < STEADY_SECONDS * 10; tick++) {
      send(STEADY_RATE / 10);
      await sleep(100);
      if (tick % 10 === 9) samples.push(await probe(child));
    }
    const backlog = serial - (await probe(child)).handled;
    await handledAtLeast(child, serial);

    const started = performance.now();
    send(BURST);
    await handledAtLeast(child, serial);
    const seconds = (performance.now() - started) / 1000;
    return {
      idle: { rssMb: idle.rss / MB, heapMb: idle.heapUsed / MB },
      steady: {
        rssMb: Math.max(...samples.map((sample) => sample.rss)) / MB,
        heapMb: Math.max(...samples.map((sample) => sample.heapUsed)) / MB,
        backlog,
      },
      burst: { events: BURST, seconds, perSecond: BURST / seconds },
    };
  } finally {
    child.send({ type: 'stop' } satisfies ChildRequest);
    await new Promise((done) => child.once('exit', done));
    await lambda.idle();
    await Promise.all([gateway.close(), gatewayApi.close(), api.close(), lambda.close()]);
  }
}

type ChildProbe = Extract<ChildReport, { type: 'probe' }>;

/** Bundles the child as the container's entry is bundled (no Lambda replacements), and starts it. */
async function startChild(env: Record<string, string>): Promise<ChildProcess> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, 'relay-child.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench/relay-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BOT_BUNDLE.target,
    minify: true,
    banner: { js: BOT_BUNDLE.banner },
    outfile,
    logLevel: 'error',
  });
  const child = fork(outfile, [], {
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = (await nextReport(child)) as ChildReport;
  if (first.type !== 'ready') throw new Error(`the relay did not start: ${JSON.stringify(first)}`);
  return child;
}

function nextReport(child: ChildProcess): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: unknown) => {
      child.off('exit', onExit);
      resolve(report as ChildReport);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`the relay exited with ${code}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

async function probe(child: ChildProcess, gc = false): Promise<ChildProbe> {
  const answer = nextReport(child);
  child.send({ type: 'probe', gc } satisfies ChildRequest);
  return (await answer) as ChildProbe;
}

async function handledAtLeast(child: ChildProcess, count: number): Promise<void> {
  while ((await probe(child)).handled < count) await sleep(50);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
