import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordOutboxTransport } from '../../bots/discord/outbox.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { type DiscordFakeApi, startDiscordApi } from '../../bots/discord/sandbox-api.js';
import { createSlackOutboxTransport } from '../../bots/slack/outbox.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, startFakeSlack } from '../../bots/slack/sandbox.js';
import type { FakeSlack } from '../../bots/slack/sandbox-outbox.js';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { createTelegramOutboxTransport } from '../../bots/telegram/outbox.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import type { Platform, Space } from '../../shared/core/events.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import type { OutboxMessage, OutboxStatus } from '../../shared/core/outbox/model.js';
import { createOutbox } from '../../shared/core/outbox/outbox.js';
import { createOutboxWorker, type WorkerReport } from '../../shared/core/outbox/worker.js';
import type { FaultPlan } from '../../shared/platform/fake-limits.js';
import { captureDeps } from '../support/capture.js';
import { startTestTable, type TestTable } from '../support/table.js';

/*
 * The outbox under faults, on one simulated clock shared by the worker and the three fake platforms (which
 * enforce their documented limits and count every call past one): 600 messages to 30 channels, the fakes
 * answering 429 to 10% of calls, 500 to 5%, and dropping 2% without an answer (half of those after posting).
 */

const START = new Date('2026-11-24T10:00:00Z');
const FAULTS = (seed: number): FaultPlan => ({
  rateLimited: 0.1,
  serverError: 0.05,
  timeout: 0.02,
  acceptedBeforeTimeout: 0.5,
  seed,
});
const CHANNELS = 10;
const PER_CHANNEL = 20;

const clock = simulatedClock(START);
const capture = captureDeps();
let table: TestTable;
let slack: FakeSlack;
let discord: DiscordFakeApi;
let telegram: FakeBotApi;
let report: WorkerReport;
const sent = new Map<Platform, OutboxMessage[]>();

function spaceOf(platform: Platform): Space {
  if (platform === 'slack') return { platform, id: SLACK_SANDBOX.teamId };
  if (platform === 'discord') return { platform, id: '1400000000000000001' };
  return { platform, id: channelOf(platform, 0) };
}

function channelOf(platform: Platform, index: number): string {
  if (platform === 'slack') return `CFAULT${index}`;
  if (platform === 'discord') return String(1400000000000000100n + BigInt(index));
  // On Telegram a group is its own channel (and its own space): supergroup ids.
  return String(-1001000000100 - index);
}

beforeAll(async () => {
  const fakeClock = () => clock.millis();
  table = await startTestTable();
  [slack, discord, telegram] = await Promise.all([
    startFakeSlack({ clock: fakeClock, faults: FAULTS(11), strictLimits: true }),
    startDiscordApi({ clock: fakeClock, faults: FAULTS(12), strictLimits: true }),
    startFakeBotApi({ clock: fakeClock, faults: FAULTS(13), strictLimits: true }),
  ]);
  const deps = { logger: capture.deps.logger, store: table.store, timeoutMs: 2000 };
  const transports = [
    createSlackOutboxTransport(slackPlatform.sandbox.env(slack.url), deps),
    createDiscordOutboxTransport(discordPlatform.sandbox.env(discord.url), deps),
    createTelegramOutboxTransport(telegramPlatform.sandbox.env(telegram.url), deps),
  ];
  const { outbox, attention, members } = table.store.core;
  const enqueue = createOutbox({
    store: outbox,
    attention,
    members,
    wake: async () => {},
    logger: capture.deps.logger,
  });
  for (const platform of ['slack', 'discord', 'telegram'] as const) {
    const communityId = `faults-${platform}`;
    // The budget raised so only the platforms' limits pace the run; no quiet hours.
    await attention.saveSettings(communityId, {
      channelPerDay: 24,
      channelPerWeek: 100,
      quietHours: undefined,
    });
    const queued: OutboxMessage[] = [];
    for (let round = 0; round < PER_CHANNEL; round += 1) {
      for (let index = 0; index < CHANNELS; index += 1) {
        const channelId = channelOf(platform, index);
        const space = platform === 'telegram' ? { platform, id: channelId } : spaceOf(platform);
        const { message } = await enqueue.enqueue(
          {
            key: `faults:${channelId}:${round}`,
            communityId,
            purpose: 'announcement',
            audience: { kind: 'channel', target: { space, channelId } },
            allowance: { kind: 'reply' },
            message: { text: `${platform} message ${channelId}/${round}` },
          },
          clock.now(),
        );
        queued.push(message);
      }
    }
    sent.set(platform, queued);
  }
  const worker = createOutboxWorker({
    outbox,
    lease: table.store.lease,
    attention,
    members,
    transports,
    clock,
    logger: capture.deps.logger,
  });
  report = await worker.run({ until: new Date(START.getTime() + 60 * 60 * 1000) });
}, 240_000);

afterAll(async () => {
  await Promise.all([slack?.close(), discord?.close(), telegram?.close()]);
  await table?.close();
});

async function statuses(platform: Platform): Promise<Map<string, OutboxStatus>> {
  const found = new Map<string, OutboxStatus>();
  for (const message of sent.get(platform) ?? []) {
    const stored = await table.store.core.outbox.get(message.communityId, message.id);
    if (stored) found.set(message.message.text, stored.status);
  }
  return found;
}

/** Every text the fake shows delivered, with how often. */
function tally(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return counts;
}

describe('the outbox under faults, 600 messages to 30 channels', () => {
  it('stays inside every documented limit, and the faults really happened', () => {
    expect(slack.violations).toEqual([]);
    expect(discord.violations).toEqual([]);
    expect(telegram.violations).toEqual([]);
    expect(report.leased).toBe(true);
    expect(report.retried).toBeGreaterThan(30);
    expect(report.failed).toBe(0);
  });

  it('delivers every Slack message exactly once (metadata lookup after an unknown outcome)', async () => {
    const delivered = tally(slack.delivered.map((message) => message.text));
    const expected = (sent.get('slack') ?? []).map((message) => message.message.text);
    expect([...delivered.keys()].sort()).toEqual([...expected].sort());
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    expect(new Set((await statuses('slack')).values())).toEqual(new Set(['sent']));
  });

  it('delivers every Discord message exactly once (nonce after an unknown outcome)', async () => {
    const all = [...discord.delivered.values()].flat();
    const delivered = tally(all.map((message) => message.content));
    const expected = (sent.get('discord') ?? []).map((message) => message.message.text);
    expect([...delivered.keys()].sort()).toEqual([...expected].sort());
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    expect(new Set((await statuses('discord')).values())).toEqual(new Set(['sent']));
  });

  it('never posts a Telegram message twice; only a send lost in a timeout may be missing', async () => {
    const all = [...telegram.delivered.values()].flat();
    const delivered = tally(all.map((message) => message.text));
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    const stored = await statuses('telegram');
    expect(stored.size).toBe(CHANNELS * PER_CHANNEL);
    for (const [text, status] of stored) {
      // Sent means delivered; a missing one was never resent after a timeout, and says so.
      if (status === 'sent') expect(delivered.get(text), text).toBe(1);
      else expect(status, text).toBe('unconfirmed');
    }
    const unconfirmed = [...stored.values()].filter((status) => status === 'unconfirmed').length;
    const logged = capture.lines.filter((line) => line.fields.code === 'outbox_unconfirmed').length;
    expect(logged).toBe(unconfirmed);
  });
});
