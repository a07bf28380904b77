/**
 * `/community tip` and `/community find` on a 5,000-item library, through the Slack bot's real bundle: cold
 * (a fresh Node process loads the bundle and answers one command, as a cold Lambda would) and warm (p50/p99
 * over many commands in one process). Slack wants the answer within its 3-second acknowledgement window, and a
 * Slack command is answered in the acknowledgement itself, so the cold figure is the one that must fit.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SLACK_SANDBOX } from '../bots/slack/sandbox.js';
import { itemId } from '../shared/core/content/ids.js';
import { NO_COUNTS } from '../shared/core/content/model.js';
import type { HttpEvent } from '../shared/lambda/http.js';
import type { PlatformSandbox } from '../shared/platform/sandbox.js';
import { createStore } from '../shared/store/index.js';
import { httpEventFor, median, percentile } from './stats.js';

export const LIBRARY_ITEMS = Number(process.env.BENCH_LIBRARY_ITEMS ?? 5000);
const COLD_RUNS = Number(process.env.BENCH_CONTENT_COLD_RUNS ?? 7);
const WARM_COMMANDS = Number(process.env.BENCH_CONTENT_WARM ?? 100);
/** Slack's acknowledgement window. */
export const ACK_WINDOW_MS = 3000;

const TOPICS = ['onboarding', 'moderation', 'events', 'engagement', 'growth', 'support', 'tools', 'writing'];
const WORDS = (
  'welcome newcomer question answer thread pinned guide rules thanks contributor event meetup agenda ' +
  'speaker recording feedback survey poll vote idea roadmap release changelog onboarding checklist intro ' +
  'mentor buddy channel topic archive search summary digest weekly monthly moderator report spam kindness ' +
  'tone language translation timezone schedule reminder calendar workshop demo tutorial example template ' +
  'integration webhook bot command shortcut emoji reaction highlight spotlight member story case study'
).split(' ');

/** A deterministic pseudo-random sequence, so every run seeds the same library. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

/** Fills the Slack sandbox workspace's library with `count` live items of 600 to 1,200 characters. */
export async function seedLibrary(endpoint: string, tableName: string, count: number): Promise<string> {
  const store = createStore({ tableName, endpoint });
  const space = await store.core.spaces.find({ platform: 'slack', id: SLACK_SANDBOX.teamId });
  if (!space) throw new Error('the Slack sandbox workspace is not registered yet');
  const { communityId } = space;
  for (const topic of TOPICS) await store.core.content.setTopic(communityId, topic, true);
  const random = seeded(11);
  const at = new Date('2026-11-01T00:00:00Z').toISOString();
  for (let n = 0; n < count; n += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - n) }, async (_, k) => {
        const index = n + k;
        const body = words(random, 90 + Math.floor(random() * 90));
        await store.core.content.save(
          {
            communityId,
            id: itemId(communityId, `bench:${index}`),
            title: `${words(random, 4)} ${index}`,
            body,
            topics: [TOPICS[index % TOPICS.length] as string],
            kind: 'tip',
            author: { kind: 'import' },
            language: 'en',
            promotional: index % 7 === 0,
            status: 'live',
            createdAt: at,
            updatedAt: at,
            counts: { ...NO_COUNTS, helpful: index % 5, notForMe: index % 3 },
          },
          { kind: 'new' },
        );
      }),
    );
  }
  store.client.destroy();
  return communityId;
}

export interface PullFigures {
  readonly coldMs: readonly number[];
  readonly warmP50: number;
  readonly warmP99: number;
}

export interface ContentPullBench {
  readonly items: number;
  readonly tip: PullFigures;
  readonly find: PullFigures;
}

const execFileAsync = promisify(execFile);

/**
 * Times `tip` and `find` with the bundle at `bundle`, in fresh processes (cold) and one long-lived one (warm).
 * `runDir` holds the event files; `env` points the bundle at the seeded table.
 */
export async function benchContentPull(options: {
  readonly bundle: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sandbox: PlatformSandbox;
  readonly runDir: string;
  readonly benchDir: string;
}): Promise<ContentPullBench> {
  let serial = 0;
  const event = (text: string): HttpEvent => {
    serial += 1;
    return httpEventFor(
      options.sandbox.sign({ kind: 'command', user: `reader${serial}`, channel: 'general', text }),
    );
  };
  const run = async (script: string, file: string) => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [join(options.benchDir, script), options.bundle, file],
      {
        env: options.env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };
  const file = (name: string, content: unknown) => {
    const path = join(options.runDir, `${name}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const texts = {
    tip: () => '/community tip',
    find: () => `/community find ${WORDS[serial % WORDS.length]} ${WORDS[(serial * 7) % WORDS.length]}`,
  };
  const cold: Record<'tip' | 'find', number[]> = { tip: [], find: [] };
  for (let n = 0; n < COLD_RUNS; n += 1) {
    for (const kind of ['tip', 'find'] as const) {
      const result = await run('cold-start.mjs', file('content-cold', event(texts[kind]())));
      if (result.status !== 200)
        throw new Error(`content ${kind}: a cold start answered ${String(result.status)}`);
      cold[kind].push(result.totalMs as number);
    }
  }
  const warm = async (kind: 'tip' | 'find') => {
    const events = Array.from({ length: WARM_COMMANDS + 1 }, () => event(texts[kind]()));
    const { timings } = (await run('warm.mjs', file('content-warm', events))) as { timings: number[] };
    return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
  };
  const [tipWarm, findWarm] = [await warm('tip'), await warm('find')];
  return {
    items: LIBRARY_ITEMS,
    tip: { coldMs: cold.tip, warmP50: tipWarm.p50, warmP99: tipWarm.p99 },
    find: { coldMs: cold.find, warmP50: findWarm.p50, warmP99: findWarm.p99 },
  };
}

export function describeContentPull(result: ContentPullBench): string {
  const line = (name: string, figures: PullFigures) =>
    `${name}: cold median ${median(figures.coldMs).toFixed(0)} ms, worst ${Math.max(...figures.coldMs).toFixed(0)} ms ` +
    `(window ${ACK_WINDOW_MS} ms); warm p50 ${figures.warmP50.toFixed(1)} ms, p99 ${figures.warmP99.toFixed(1)} ms`;
  return [
    `content on a ${result.items}-item library`,
    line('  tip', result.tip),
    line('  find', result.find),
  ].join('\n');
}
