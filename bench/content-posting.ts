/**
 * Scheduled posting to 1,000 channels at one slot (400 Slack channels, 300 Discord channels, 300 Telegram
 * groups): the real scheduler picks and queues each channel's post, the real worker sends them through the real
 * SDK clients to the fake platform APIs, which enforce the documented limits strictly, on the wall clock.
 * The scheduler prepares the slot ahead (the worker's run of the minute before it), as in AWS. Printed: the
 * time from the slot to the last delivery against the least the limits allow (Telegram's 30 messages a second
 * overall is the bound: 300 groups take 9 s at best).
 */
import { ensureTable } from '../infra/local/dynamo.js';
import { NO_COUNTS, WEEKDAYS } from '../shared/core/content/model.js';
import { runContentSchedule } from '../shared/core/content/scheduler.js';
import type { Platform } from '../shared/core/events.js';
import { createOutbox } from '../shared/core/outbox/outbox.js';
import { createStore } from '../shared/store/index.js';
import { benchChannel, quiet, SECOND, startStrictPlatforms } from './strict-platforms.js';

const CHANNELS: Readonly<Record<Platform, number>> = { slack: 400, discord: 300, telegram: 300 };

/** The least time the limits allow one message to each of `count` channels (per-channel limits never bind). */
export function postingMinimumMs(platform: Platform, count: number): number {
  // Discord: 50 requests a second per bot; Telegram: about 30 messages a second overall; Slack: per channel only.
  if (platform === 'discord') return (Math.ceil(count / 50) - 1) * SECOND;
  if (platform === 'telegram') return (Math.ceil(count / 30) - 1) * SECOND;
  return 0;
}

const channelOf = (platform: Platform, index: number) => benchChannel(platform, index, 16);

export interface ContentPostingBench {
  readonly channels: number;
  readonly delivered: number;
  /** From the slot to the last delivery. */
  readonly tookMs: number;
  /** Of which: the scheduler queuing every channel's post. */
  readonly scheduledMs: number;
  readonly minimumMs: number;
  readonly ratio: number;
  readonly violations: number;
}

export async function benchContentPosting(endpoint: string): Promise<ContentPostingBench> {
  const tableName = 'community-bench-content';
  const store = createStore({ tableName, endpoint, quietHours: 'off' });
  await ensureTable(store.client, tableName);
  const platformsUnderTest = await startStrictPlatforms(store);
  const { worker } = platformsUnderTest;
  const { outbox, attention, members, content } = store.core;
  const runs: Promise<unknown>[] = [];
  const wake = async () => {
    runs.push(worker.run({ until: new Date(Date.now() + 120 * SECOND) }));
  };
  const queue = createOutbox({ store: outbox, attention, members, wake, logger: quiet });

  // The slot: the next whole minute at least 45 s away: seeding 1,000 schedules takes a while (schedules are set in minutes).
  const slot = new Date(Math.ceil((Date.now() + 45 * SECOND) / 60_000) * 60_000);
  const time = slot.toISOString().slice(11, 16);
  const platforms = ['slack', 'discord', 'telegram'] as const;
  for (const platform of platforms) {
    const communityId = `bench-content-${platform}`;
    await content.setTopic(communityId, 'tips', true);
    for (let n = 0; n < 20; n += 1) {
      const at = new Date('2026-11-01T00:00:00Z').toISOString();
      await content.save(
        {
          communityId,
          id: `bp${platform.slice(0, 1)}${String(n).padStart(3, '0')}`,
          title: `Bench tip ${n}`,
          body: `A short tip for the posting bench, number ${n}.`,
          topics: ['tips'],
          kind: 'tip',
          author: { kind: 'import' },
          language: 'en',
          promotional: false,
          status: 'live',
          createdAt: at,
          updatedAt: at,
          counts: NO_COUNTS,
        },
        { kind: 'new' },
      );
    }
    for (let index = 0; index < CHANNELS[platform]; index += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, CHANNELS[platform] - index) }, (_, k) =>
          content.saveSchedule({
            communityId,
            ...channelOf(platform, index + k),
            days: [...WEEKDAYS],
            time,
            topics: [],
            setBy: 'bench',
            setAt: new Date().toISOString(),
            pace: 1,
            credit: 0,
            postsSincePaceChange: 0,
            nextAt: slot.toISOString(),
            starvedSlots: 0,
          }),
        ),
      );
    }
  }
  const total = platforms.reduce((sum, platform) => sum + CHANNELS[platform], 0);
  const deliveredCount = () => platformsUnderTest.delivered();

  // The worker's run of the minute before the slot prepares it (the scheduler looks ahead, LOOKAHEAD_MS).
  const t0 = performance.now();
  await runContentSchedule({ stores: store.core, outbox: queue, logger: quiet }, new Date());
  const scheduledMs = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot.getTime() - Date.now())));
  const started = performance.now();
  await wake();
  const deadline = Date.now() + 120 * SECOND;
  while (deliveredCount() < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const tookMs = performance.now() - started;
  await Promise.all(runs);
  const least = Math.max(...platforms.map((platform) => postingMinimumMs(platform, CHANNELS[platform])));
  const violations = platformsUnderTest.violations();
  const delivered = deliveredCount();
  await platformsUnderTest.close();
  store.client.destroy();
  return {
    channels: total,
    delivered,
    tookMs,
    scheduledMs,
    minimumMs: least,
    ratio: tookMs / least,
    violations,
  };
}

export function describeContentPosting(result: ContentPostingBench): string {
  return (
    `${result.delivered} of ${result.channels} channels posted ${(result.tookMs / 1000).toFixed(1)} s after the ` +
    `slot (prepared ahead in ${(result.scheduledMs / 1000).toFixed(1)} s); the limits allow ` +
    `${(result.minimumMs / 1000).toFixed(1)} s at best: ${result.ratio.toFixed(3)}x (goal <= 1.15x); ` +
    `${result.violations} limit violations`
  );
}
