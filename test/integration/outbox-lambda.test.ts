import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxHandler } from '../../bots/outbox/worker-handler.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxChatId } from '../../bots/telegram/sandbox.js';
import { startFakeLambda } from '../../infra/local/fake-lambda.js';
import type { Space } from '../../shared/core/events.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import type { OutboxMessage } from '../../shared/core/outbox/model.js';
import { outboxId } from '../../shared/core/outbox/outbox.js';
import { createWake, loadWakeConfig, WAKE_EVENT } from '../../shared/lambda/wake.js';
import { startFakeServer } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { workerContext } from '../support/lambda.js';

/*
 * The outbox worker's Lambda edge and the bots' wake-up: the worker handler run on demand (as its schedule
 * runs it) and through a wake (as a bot invokes it), against the table and the fake Telegram Bot API.
 */

// Noon UTC on a Monday: outside the default quiet hours (21:00-08:00 UTC).
const clock = simulatedClock(new Date('2026-03-02T12:00:00.000Z'));
const capture = captureDeps();
let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform, { clock, deps: capture.deps });
});

afterAll(async () => {
  await bot?.close();
});

/**
 * An announcement due at `dueAt`, stored as an enqueue would store it, to a group of its own (a group's
 * channel budget allows two posts a day).
 */
async function queueAnnouncement(key: string, text: string, dueAt: Date): Promise<OutboxMessage> {
  const communityId = 'c-outbox-lambda';
  const group = sandboxChatId(key, 'x');
  const space: Space = { platform: 'telegram', id: String(group) };
  const message: OutboxMessage = {
    id: await outboxId(communityId, key),
    key,
    communityId,
    purpose: 'announcement',
    audience: { kind: 'channel', target: { space, channelId: String(group) } },
    message: { text },
    allowance: { kind: 'unsolicited' },
    status: 'queued',
    createdAt: clock.now(),
    dueAt,
    attempts: 0,
  };
  await bot.table.store.core.outbox.add(message);
  return message;
}

function postsOf(text: string) {
  return bot.api.requests.filter(
    (request) =>
      request.path.endsWith('/sendMessage') && (request.payload as { text?: string }).text === text,
  );
}

describe('the worker handler', () => {
  it('drains what is due within its window: the function time left less 10 s, at most 55 s', async () => {
    // Prepare: due 8 s from now on the worker's clock.
    const message = await queueAnnouncement(
      'lambda:window',
      'Due in eight seconds',
      new Date(clock.millis() + 8000),
    );

    // Act: 15 s left leaves a 5 s window, too short; the next run has 55 s.
    const short = await bot.outbox.handler(WAKE_EVENT, workerContext(15_000));
    const long = await bot.outbox.run();

    // Assess
    expect(short).toMatchObject({ leased: true, sent: 0 });
    expect(long).toMatchObject({ leased: true, sent: 1, failed: 0 });
    expect(postsOf('Due in eight seconds')).toHaveLength(1);
    expect(await bot.table.store.core.outbox.get(message.communityId, message.id)).toMatchObject({
      status: 'sent',
    });
  });

  it('logs a run that did something, with its trigger and counts', async () => {
    // Prepare
    await queueAnnouncement('lambda:logged', 'Logged run', clock.now());
    capture.clear();

    // Act
    await bot.outbox.run();

    // Assess
    expect(capture.lines).toContainEqual({
      level: 'info',
      message: 'outbox worker ran',
      fields: expect.objectContaining({ code: 'outbox_run', trigger: 'schedule', leased: true, sent: 1 }),
    });
  });

  it('connects to nothing when built from what the stack sets (secret ARNs, no member key)', async () => {
    // Prepare: a DynamoDB endpoint that records any call.
    const dynamo = await startFakeServer('dynamodb', () => ({ body: {} }));

    // Act
    const build = () =>
      createOutboxHandler({
        TABLE_NAME: 'community',
        DYNAMODB_ENDPOINT: dynamo.url,
        SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack',
        DISCORD_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:discord',
        TELEGRAM_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:telegram',
        SLACK_BOT_ID: '',
        SLACK_BOT_USER_ID: '',
        DISCORD_APPLICATION_ID: '123456789012345678',
        DISCORD_PUBLIC_KEY: 'a'.repeat(64),
        TELEGRAM_BOT_USERNAME: 'community_bot',
      });

    // Assess
    expect(build).not.toThrow();
    expect(dynamo.requests).toEqual([]);
    await dynamo.close();
  });
});

describe('a wake-up', () => {
  it('invokes the worker the bot names, which sends what is due', async () => {
    // Prepare
    await queueAnnouncement('lambda:woken', 'Sent after a wake-up', clock.now());
    const wake = createWake(loadWakeConfig(bot.env), bot.table.store.lease, capture.deps.logger);

    // Act
    await wake();
    await bot.settled();

    // Assess
    expect(postsOf('Sent after a wake-up')).toHaveLength(1);
  });

  it('counts on the lease first, so a draining worker does not let go', async () => {
    // Prepare: what the lease has counted so far.
    const { lease } = bot.table.store;
    const before = await lease.acquire('test-owner', clock.now(), new Date(clock.millis() + 1000));
    await lease.release('test-owner', before ?? 0);
    const wake = createWake({}, lease, capture.deps.logger);

    // Act
    await wake();

    // Assess
    expect(before).toBeDefined();
    expect(await lease.acquire('test-owner', clock.now(), new Date(clock.millis() + 1000))).toBe(
      (before ?? 0) + 1,
    );
    await lease.release('test-owner', (before ?? 0) + 1);
  });

  it('without OUTBOX_FUNCTION_NAME only counts, and says so once', async () => {
    // Prepare
    const lambda = await startFakeLambda();
    const wake = createWake({ endpoint: lambda.url }, bot.table.store.lease, capture.deps.logger);
    capture.clear();

    // Act
    await wake();
    await wake();

    // Assess
    expect(lambda.server.requests).toEqual([]);
    expect(capture.lines.filter((line) => line.fields.code === 'outbox_wake_scheduled_only')).toHaveLength(1);
    await lambda.close();
  });

  it('never throws when the worker cannot be invoked, and logs why', async () => {
    // Prepare: an Invoke endpoint that knows no such function.
    const lambda = await startFakeLambda();
    const wake = createWake(
      { functionName: 'community-outbox-missing', endpoint: lambda.url },
      bot.table.store.lease,
      capture.deps.logger,
    );
    capture.clear();

    // Act
    await wake();

    // Assess
    expect(lambda.server.requests.map((request) => request.path)).toEqual([
      '/2015-03-31/functions/community-outbox-missing/invocations',
    ]);
    expect(capture.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ code: 'outbox_wake_failed', step: 'invoke' }),
      }),
    );
    await lambda.close();
  });

  it('invokes asynchronously with the wake payload', async () => {
    // Prepare
    const lambda = await startFakeLambda();
    const woken: unknown[] = [];
    lambda.register('community-outbox-probe', async (payload) => void woken.push(payload));
    const wake = createWake(
      { functionName: 'community-outbox-probe', endpoint: lambda.url },
      bot.table.store.lease,
      capture.deps.logger,
    );

    // Act
    await wake();
    await lambda.idle();

    // Assess
    expect(lambda.server.requests[0]?.headers['x-amz-invocation-type']).toBe('Event');
    expect(woken).toEqual([{ source: 'community.outbox', wake: true }]);
    await lambda.close();
  });
});
