import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxMessageId, sandboxUserId, signPress, telegramSandbox } from '../../bots/telegram/sandbox.js';
import { THANKS } from '../../shared/core/feedback/feedback.js';
import { isLaterJob } from '../../shared/core/later.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { isSpaceNotice } from './telegram-harness.js';

/*
 * Telegram redelivers an update until it gets a 2xx, and may deliver it again while the first delivery is
 * still running. Commands, presses and guided form answers are answered once whatever the timing, and
 * after a DynamoDB failure between recording and answering the redelivery answers (once).
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(() => bot.close());

let clock = Date.parse('2026-03-03T09:00:00Z');
function tick(): Date {
  clock += 1000;
  return new Date(clock);
}

function deliver(request: SignedRequest): Promise<HttpResult> {
  return bot.handler(httpEvent(request.path, request.body, { ...request.headers }));
}

function say(user: string, channel: string, text: string): SignedRequest {
  const at = tick();
  const action: SandboxAction = text.startsWith('/')
    ? { kind: 'command', user, channel, text }
    : { kind: 'message', user, channel, text, messageId: `${user}-${at.getTime()}` };
  return telegramSandbox.sign(action, at);
}

type Payload = Record<string, unknown>;

/** What the bot called `method` with since `mark`; the registration notice aside (see isSpaceNotice). */
function sent(mark: number, method = 'sendMessage'): Payload[] {
  return bot.api.requests
    .slice(mark)
    .filter((request: ReceivedRequest) => request.path.endsWith(`/${method}`))
    .map((request) => request.payload as Payload)
    .filter((payload) => !isSpaceNotice(payload));
}

const textOf = (payload: Payload) => String(payload.text ?? '');

/**
 * Three deliveries at once, then three one after the other, then the settled later work. A delivery that
 * finds another one answering gets a 5xx (Telegram delivers it again); every other one a 200.
 */
async function deliverConcurrentlyThenAgain(request: SignedRequest): Promise<number[]> {
  const concurrent = await Promise.all([deliver(request), deliver(request), deliver(request)]);
  const sequential: HttpResult[] = [];
  for (let attempt = 0; attempt < 3; attempt++) sequential.push(await deliver(request));
  await bot.lambda.idle();
  return [...concurrent, ...sequential].map((result) => result.statusCode ?? 0);
}

function expectAnsweredOnce(statuses: readonly number[]): void {
  expect(statuses.filter((status) => status !== 200 && status !== 500)).toEqual([]);
  expect(statuses.slice(3)).toEqual([200, 200, 200]);
}

/** A note from `user` delivered to the administrators; the press modsam would make on their copy. */
async function noteAndPress(user: string, note: string, queryId: string) {
  await deliver(say(user, 'general', `/community feedback ${note}`));
  await bot.lambda.idle();
  const chatId = sandboxUserId('modsam');
  const index = bot.api.requests.findLastIndex(
    (request) =>
      (request.payload as Payload).chat_id === chatId && textOf(request.payload as Payload).includes(note),
  );
  const payload = bot.api.requests[index]?.payload as Payload | undefined;
  const markup = payload?.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined;
  const data = markup?.inline_keyboard[0]?.[0]?.callback_data ?? '';
  return signPress({ user: 'modsam', chatId, messageId: sandboxMessageId(index), data, queryId });
}

describe('Telegram: answered once however often, and however concurrently, it is delivered', () => {
  it('a command', async () => {
    const signed = say('alice', 'general', '/community help');
    const mark = bot.api.requests.length;

    const statuses = await deliverConcurrentlyThenAgain(signed);

    expectAnsweredOnce(statuses);
    expect(sent(mark).map((payload) => payload.chat_id)).toEqual([sandboxUserId('alice')]);
  });

  it('a press', async () => {
    const press = await noteAndPress('bob', 'once-press note', 'q-once-1');
    const mark = bot.api.requests.length;

    const statuses = await deliverConcurrentlyThenAgain(press);

    expectAnsweredOnce(statuses);
    expect(sent(mark, 'editMessageText')).toHaveLength(1);
    expect(sent(mark, 'answerCallbackQuery')).toEqual([{ callback_query_id: 'q-once-1' }]);
    expect(sent(mark)).toEqual([]);
  });

  it('a guided form’s last answer', async () => {
    // Prepare
    await deliver(say('carol', 'general', '/community feedback'));
    const reply = say('carol', 'dm', 'once-form note');
    const mark = bot.api.requests.length;

    // Act
    const statuses = await deliverConcurrentlyThenAgain(reply);

    // Assess: one note to each administrator, one thanks.
    expectAnsweredOnce(statuses);
    const notes = sent(mark).filter((payload) => textOf(payload).includes('once-form note'));
    expect(notes.map((payload) => payload.chat_id).sort()).toEqual(
      [sandboxUserId('modann'), sandboxUserId('modsam')].sort(),
    );
    expect(sent(mark).filter((payload) => textOf(payload) === THANKS)).toHaveLength(1);
  });

  it('a later job Lambda runs twice', async () => {
    // Prepare: stats, answered by a later job; then the same job invoked again.
    const invocations = bot.lambda.server.requests.length;
    await deliver(say('modann', 'general', '/community stats'));
    await bot.lambda.idle();
    const [job] = bot.lambda.server.requests.slice(invocations).map((request) => request.payload);
    const mark = bot.api.requests.length;

    // Act
    const result = await bot.handler(job as never);

    // Assess
    expect(isLaterJob(job)).toBe(true);
    expect(result).toEqual({ statusCode: 202 });
    expect(bot.api.requests.slice(mark)).toEqual([]);
  });
});

describe('Telegram: DynamoDB failing between recording and answering, then a redelivery', () => {
  it('answers a press once', async () => {
    // Prepare: marking the note read (its one UpdateItem) fails on every attempt.
    const press = await noteAndPress('dave', 'failing-press note', 'q-fail-1');
    const mark = bot.api.requests.length;
    bot.proxy.failNext('UpdateItem', 3, 'before');

    // Act
    const failed = await deliver(press);
    const statuses = await deliverConcurrentlyThenAgain(press);

    // Assess
    expect(failed.statusCode).toBe(500);
    expectAnsweredOnce(statuses);
    expect(sent(mark, 'editMessageText')).toHaveLength(1);
    expect(textOf(sent(mark, 'editMessageText')[0] ?? {})).toContain('Marked as read');
  });

  it('answers a guided form once', async () => {
    // Prepare: the reply is recorded and claimed, then reading the open form fails on every attempt.
    await deliver(say('erin', 'general', '/community feedback'));
    await bot.lambda.idle();
    const reply = say('erin', 'dm', 'failing-form note');
    const mark = bot.api.requests.length;
    bot.proxy.failNext('GetItem', 3, 'before');

    // Act
    const failed = await deliver(reply);
    const statuses = await deliverConcurrentlyThenAgain(reply);

    // Assess
    expect(failed.statusCode).toBe(500);
    expectAnsweredOnce(statuses);
    expect(sent(mark).filter((payload) => textOf(payload).includes('failing-form note'))).toHaveLength(2);
    expect(sent(mark).filter((payload) => textOf(payload) === THANKS)).toHaveLength(1);
  });
});
