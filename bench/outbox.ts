/**
 * The outbox against the clock: 600 messages to 30 channels (10 per platform, 20 each) sent by the real
 * worker through the real SDK clients to the fake platform APIs, which enforce the documented limits
 * strictly, on the wall clock. Printed: the time taken against the least the limits allow, and how long a
 * message due now takes to leave when nothing is queued (the worker woken as the webhooks wake it).
 */
import { ensureTable } from '../infra/local/dynamo.js';
import type { Platform } from '../shared/core/events.js';
import type { OutboxDraft } from '../shared/core/outbox/model.js';
import { createOutbox } from '../shared/core/outbox/outbox.js';
import { createStore } from '../shared/store/index.js';
import { benchChannel, quiet, SECOND, startStrictPlatforms } from './strict-platforms.js';

const CHANNELS = 10;
const PER_CHANNEL = 20;

/** The least time the documented limits allow for `count` messages to one channel of `platform`. */
export function minimumMs(platform: Platform, count: number): number {
  const gaps = count - 1;
  // Slack: 1 a second per channel. Discord: a Create Message bucket of 5 every 5 s. Telegram: 1 a second
  // per chat and 20 a minute per group.
  if (platform === 'slack') return gaps * SECOND;
  if (platform === 'discord') return (Math.ceil(count / 5) - 1) * 5 * SECOND;
  return Math.max(gaps * SECOND, Math.floor(gaps / 20) * 60 * SECOND);
}

const channelOf = (platform: Platform, index: number) => benchChannel(platform, index, 15);

export interface OutboxBench {
  readonly messages: number;
  readonly tookMs: number;
  readonly minimumMs: number;
  readonly ratio: number;
  /** From enqueuing a message due now (worker idle) to the platform receiving it, median of 5. */
  readonly dueNowMs: number;
  readonly violations: number;
}

export async function benchOutbox(endpoint: string): Promise<OutboxBench> {
  const tableName = 'community-bench-outbox';
  const store = createStore({ tableName, endpoint, quietHours: 'off' });
  await ensureTable(store.client, tableName);
  const platformsUnderTest = await startStrictPlatforms(store);
  const { worker } = platformsUnderTest;
  const { outbox, attention, members } = store.core;
  let running: Promise<unknown> | undefined;
  const wake = async () => {
    running = worker.run();
  };
  const queue = createOutbox({ store: outbox, attention, members, wake, logger: quiet });
  const draft = (platform: Platform, index: number, key: string): OutboxDraft => ({
    key,
    communityId: `bench-${platform}`,
    purpose: 'announcement',
    audience: { kind: 'channel', target: channelOf(platform, index) },
    // Replies spend no budget: only the platforms' limits pace this run.
    allowance: { kind: 'reply' },
    message: { text: `bench ${key}` },
  });

  // Throughput: everything queued first (no wake), then one run drains it.
  const platforms = ['slack', 'discord', 'telegram'] as const;
  for (let round = 0; round < PER_CHANNEL; round += 1) {
    for (const platform of platforms) {
      for (let index = 0; index < CHANNELS; index += 1) {
        await outbox.add({
          ...draft(platform, index, `${platform}-${index}-${round}`),
          id: `bench-${platform}-${index}-${round}`,
          status: 'queued',
          createdAt: new Date(),
          dueAt: new Date(),
          attempts: 0,
        });
      }
    }
  }
  const started = performance.now();
  await worker.run({ until: new Date(Date.now() + 120 * SECOND) });
  const tookMs = performance.now() - started;
  const least = Math.max(...platforms.map((platform) => minimumMs(platform, PER_CHANNEL)));

  // Due now, nothing queued: from enqueue to the platform.
  const latencies: number[] = [];
  for (let sample = 0; sample < 5; sample += 1) {
    const before = platformsUnderTest.slackDelivered();
    const start = performance.now();
    // A channel with nothing sent yet: only the worker's own start stands between the message and Slack.
    await queue.enqueue(draft('slack', CHANNELS + sample, `due-now-${sample}`), new Date());
    while (platformsUnderTest.slackDelivered() === before)
      await new Promise((resolve) => setTimeout(resolve, 5));
    latencies.push(performance.now() - start);
    await running;
  }
  latencies.sort((a, b) => a - b);
  const delivered = platformsUnderTest.delivered();
  const violations = platformsUnderTest.violations();
  await platformsUnderTest.close();
  store.client.destroy();
  return {
    messages: delivered,
    tookMs,
    minimumMs: least,
    ratio: tookMs / least,
    dueNowMs: latencies[2] ?? Number.NaN,
    violations,
  };
}
