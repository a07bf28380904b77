import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackOutboxTransport } from '../../bots/slack/outbox.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, startFakeSlack } from '../../bots/slack/sandbox.js';
import type { FakeSlack } from '../../bots/slack/sandbox-outbox.js';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { createTelegramOutboxTransport } from '../../bots/telegram/outbox.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import type { Platform } from '../../shared/core/events.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import type { OutboxTransport } from '../../shared/core/outbox/model.js';
import { createOutbox } from '../../shared/core/outbox/outbox.js';
import { createOutboxWorker, type WorkerReport } from '../../shared/core/outbox/worker.js';
import { captureDeps } from '../support/capture.js';
import { startTestTable, type TestTable } from '../support/table.js';

/*
 * How the worker shares its time between platforms, on a simulated clock shared with the fake Slack and
 * Telegram (strict limits): 5 Slack channels and 40 Telegram groups due at the same moment, the Slack ones
 * listed first. Telegram's 30 messages a second overall is the limit with the longest queue, so its messages
 * are decided and leave first; and a Slack post whose answer hangs holds up nothing else.
 */

const START = new Date('2026-11-24T10:00:00Z');
const SLACK_CHANNELS = 5;
const TELEGRAM_GROUPS = 40;

const clock = simulatedClock(START);
const capture = captureDeps();
let table: TestTable;
let slack: FakeSlack;
let telegram: FakeBotApi;
/** Every send the worker started, in order. */
const calls: Platform[] = [];
let report: WorkerReport;
/** What the fake Telegram had delivered when the hanging Slack post was let go. */
let telegramBeforeRelease = 0;

/** The real transport, with its sends recorded; the first Slack send waits for `release`. */
function observed(transport: OutboxTransport, release?: Promise<void>): OutboxTransport {
  let first = true;
  return {
    ...transport,
    paceRules: (audience) => transport.paceRules(audience),
    async send(message) {
      calls.push(transport.platform);
      if (release && first) {
        first = false;
        await release;
      }
      return transport.send(message);
    },
  };
}

beforeAll(async () => {
  const fakeClock = () => clock.millis();
  table = await startTestTable();
  [slack, telegram] = await Promise.all([
    startFakeSlack({ clock: fakeClock, strictLimits: true }),
    startFakeBotApi({ clock: fakeClock, strictLimits: true }),
  ]);
  const deps = { logger: capture.deps.logger, store: table.store };
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { outbox, attention, members } = table.store.core;
  const enqueue = createOutbox({
    store: outbox,
    attention,
    members,
    wake: async () => {},
    logger: capture.deps.logger,
  });
  const drafts = [
    ...Array.from({ length: SLACK_CHANNELS }, (_, index) => ({
      communityId: 'lanes-a',
      space: { platform: 'slack' as const, id: SLACK_SANDBOX.teamId },
      channelId: `CLANE${index}`,
    })),
    ...Array.from({ length: TELEGRAM_GROUPS }, (_, index) => {
      const chat = String(-1001700000000 - index);
      return { communityId: 'lanes-b', space: { platform: 'telegram' as const, id: chat }, channelId: chat };
    }),
  ];
  for (const { communityId, space, channelId } of drafts) {
    await enqueue.enqueue(
      {
        key: `lanes:${channelId}`,
        communityId,
        purpose: 'announcement',
        audience: { kind: 'channel', target: { space, channelId } },
        allowance: { kind: 'reply' },
        message: { text: `to ${channelId}` },
      },
      clock.now(),
    );
  }
  const worker = createOutboxWorker({
    outbox,
    lease: table.store.lease,
    attention,
    members,
    transports: [
      observed(createSlackOutboxTransport(slackPlatform.sandbox.env(slack.url), deps), released),
      observed(createTelegramOutboxTransport(telegramPlatform.sandbox.env(telegram.url), deps)),
    ],
    clock,
    logger: capture.deps.logger,
  });
  const running = worker.run({ until: new Date(START.getTime() + 10 * 60_000) });
  // The Slack post hangs until every Telegram group has its message (or 20 s pass: then the test fails).
  const deadline = Date.now() + 20_000;
  while ([...telegram.delivered.values()].flat().length < TELEGRAM_GROUPS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  telegramBeforeRelease = [...telegram.delivered.values()].flat().length;
  release();
  report = await running;
}, 60_000);

afterAll(async () => {
  await Promise.all([slack?.close(), telegram?.close()]);
  await table?.close();
});

describe('the outbox worker shares its time between the platforms', () => {
  it('decides the messages of the limit with the longest queue first, and starts them before the others', () => {
    // Telegram allows 30 a second: its first 30 leave first, then the 5 Slack posts, then Telegram's rest.
    expect(calls.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => 'telegram'));
    expect(calls.slice(30, 30 + SLACK_CHANNELS)).toEqual(
      Array.from({ length: SLACK_CHANNELS }, () => 'slack'),
    );
    expect(calls.filter((platform) => platform === 'telegram')).toHaveLength(TELEGRAM_GROUPS);
  });

  it('goes on sending while a send hangs, and ends only when it has settled', () => {
    expect(telegramBeforeRelease).toBe(TELEGRAM_GROUPS);
    expect(report).toMatchObject({ leased: true, sent: SLACK_CHANNELS + TELEGRAM_GROUPS, failed: 0 });
    expect(slack.delivered.map((post) => post.channel).sort()).toEqual(
      Array.from({ length: SLACK_CHANNELS }, (_, index) => `CLANE${index}`).sort(),
    );
  });

  it('keeps to both limits meanwhile, and spaces Telegram by the second', () => {
    expect([...slack.violations, ...telegram.violations]).toEqual([]);
    const times = [...telegram.delivered.values()]
      .flat()
      .map((message) => message.at)
      .sort((a, b) => a - b);
    // The 31st message waits for the first second to pass, on the shared clock.
    expect((times[30] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1000);
  });
});
