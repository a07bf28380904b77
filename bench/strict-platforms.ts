/**
 * What the outbox benches drive: the three fake platform APIs enforcing their documented limits strictly on the
 * wall clock, the real transports and SDK clients pointed at them, and the real worker over a store.
 */
import { createDiscordOutboxTransport } from '../bots/discord/outbox.js';
import { discordPlatform } from '../bots/discord/platform.js';
import { startDiscordApi } from '../bots/discord/sandbox-api.js';
import { createSlackOutboxTransport } from '../bots/slack/outbox.js';
import { slackPlatform } from '../bots/slack/platform.js';
import { SLACK_SANDBOX, startFakeSlack } from '../bots/slack/sandbox.js';
import { startFakeBotApi } from '../bots/telegram/fake-bot-api.js';
import { createTelegramOutboxTransport } from '../bots/telegram/outbox.js';
import { telegramPlatform } from '../bots/telegram/platform.js';
import type { Platform, Space } from '../shared/core/events.js';
import { systemClock } from '../shared/core/outbox/clock.js';
import { createOutboxWorker, type OutboxWorker } from '../shared/core/outbox/worker.js';
import type { Logger } from '../shared/lambda/logger.js';
import type { Store } from '../shared/store/index.js';

export const SECOND = 1000;
export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface StrictPlatforms {
  readonly worker: OutboxWorker;
  /** Messages the fake Slack delivered so far. */
  slackDelivered(): number;
  /** Messages all three fakes delivered so far. */
  delivered(): number;
  /** Calls past a documented limit, on any of the three. */
  violations(): number;
  close(): Promise<void>;
}

export async function startStrictPlatforms(store: Store): Promise<StrictPlatforms> {
  const [slack, discord, telegram] = await Promise.all([
    startFakeSlack({ strictLimits: true }),
    startDiscordApi({ strictLimits: true }),
    startFakeBotApi({ strictLimits: true }),
  ]);
  const deps = { logger: quiet, store };
  const { outbox, attention, members } = store.core;
  const worker = createOutboxWorker({
    outbox,
    lease: store.lease,
    attention,
    members,
    transports: [
      createSlackOutboxTransport(slackPlatform.sandbox.env(slack.url), deps),
      createDiscordOutboxTransport(discordPlatform.sandbox.env(discord.url), deps),
      createTelegramOutboxTransport(telegramPlatform.sandbox.env(telegram.url), deps),
    ],
    clock: systemClock,
    logger: quiet,
  });
  return {
    worker,
    slackDelivered: () => slack.delivered.length,
    delivered: () =>
      slack.delivered.length +
      [...discord.delivered.values()].flat().length +
      [...telegram.delivered.values()].flat().length,
    violations: () => slack.violations.length + discord.violations.length + telegram.violations.length,
    close: async () => {
      await Promise.all([slack.close(), discord.close(), telegram.close()]);
    },
  };
}

/**
 * Channel `index` of a bench's own series on `platform` (each bench its own `series`, so their ids never meet):
 * a Slack channel of the sandbox workspace, a Discord channel of one guild, a Telegram group (its own space).
 */
export function benchChannel(
  platform: Platform,
  index: number,
  series: number,
): { space: Space; channelId: string } {
  if (platform === 'slack') {
    return { space: { platform, id: SLACK_SANDBOX.teamId }, channelId: `CBENCH${series}X${index}` };
  }
  if (platform === 'discord') {
    const base = BigInt(series) * 10n ** 17n;
    return { space: { platform, id: String(base + 1n) }, channelId: String(base + 100n + BigInt(index)) };
  }
  const chat = String(-(1001000000000 + series * 10_000_000 + index));
  return { space: { platform, id: chat }, channelId: chat };
}
