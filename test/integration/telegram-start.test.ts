/**
 * The introduction in a private chat with the Telegram bot, through the real webhook handler against the
 * fake Bot API: `/start` alone, `/help`, and a deep link's `/start <token>` that has nothing left to deliver
 * answer privately with what the bot offers and how to link this account; a deep link that still holds an
 * answer delivers it as before. Asserted on what the fake Bot API received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import {
  SANDBOX_BOT_USERNAME,
  sandboxChatId,
  sandboxUserId,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import type { SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { isSpaceNotice } from './telegram-harness.js';

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(() => bot.close());

/** Distinct instants, so each signed message is a new update (the sandbox derives update ids from them). */
let clock = Date.parse('2026-04-06T10:00:00Z');
function tick(): Date {
  clock += 1000;
  return new Date(clock);
}

/** `text` from `user` in `channel` (`dm`: their private chat with the bot), signed as Telegram sends it. */
function say(user: string, channel: string, text: string): SignedRequest {
  const action: SandboxAction = text.startsWith('/')
    ? { kind: 'command', user, channel, text }
    : { kind: 'message', user, channel, text, messageId: `${user}-${clock}` };
  return telegramSandbox.sign(action, tick());
}

async function deliver(request: SignedRequest): Promise<HttpResult> {
  const result = await bot.handler(httpEvent(request.path, request.body, { ...request.headers }));
  expect(result.statusCode).toBe(200);
  await bot.settled();
  return result;
}

/** The messages the bot sent since `mark` (the registration notice aside): to whom, and their text. */
function sentSince(mark: number): { chatId: unknown; text: string }[] {
  return bot.api.requests
    .slice(mark)
    .filter((request) => request.path.endsWith('/sendMessage'))
    .map((request) => request.payload as Record<string, unknown>)
    .filter((payload) => !isSpaceNotice(payload))
    .map((payload) => ({ chatId: payload.chat_id, text: String(payload.text ?? '') }));
}

/** `text` sent by `user`: the messages the bot sent because of it. */
async function answersTo(user: string, channel: string, text: string) {
  const mark = bot.api.requests.length;
  await deliver(say(user, channel, text));
  return sentSince(mark);
}

/** What the introduction says: what the bot offers, where, and how to link this account. */
function expectIntroduction(text: string) {
  expect(text).toContain('/community: the community bot');
  expect(text).toContain('/community feedback [note]');
  expect(text).toContain('send these in a group or channel of your community');
  expect(text).toContain('Nothing you send in this private chat is counted.');
  expect(text).toContain('Link this account');
  expect(text).toContain('/community me link');
  expect(text).not.toContain('/community stats');
}

const LINK = new RegExp(`https://t\\.me/${SANDBOX_BOT_USERNAME}\\?start=([\\w-]+)`);

describe('Telegram: the introduction in a private chat', () => {
  it.each(['/start', '/help', `/help@${SANDBOX_BOT_USERNAME}`])(
    'answers %s privately with it',
    async (text) => {
      const answers = await answersTo('frank', 'dm', text);

      expect(answers).toHaveLength(1);
      expect(answers[0]?.chatId).toBe(sandboxUserId('frank'));
      expectIntroduction(answers[0]?.text ?? '');
    },
  );

  it('answers a redelivered /help once', async () => {
    const help = say('gina', 'dm', '/help');
    const mark = bot.api.requests.length;

    await deliver(help);
    await deliver(help);

    expect(sentSince(mark)).toHaveLength(1);
  });

  it('leaves /help in a group alone: it is no command of this bot there', async () => {
    expect(await answersTo('gina', 'general', '/help')).toEqual([]);
  });

  it('delivers what a deep link holds, then introduces the bot once the link is used up', async () => {
    // Prepare: help asked in a group by a member who never started the bot: the group gets a deep link.
    const mark = bot.api.requests.length;
    await deliver(say('stranger-s1', 'general', '/community help'));
    const note = sentSince(mark).find(
      (message) => message.chatId === sandboxChatId('general', 'stranger-s1'),
    );
    const token = LINK.exec(note?.text ?? '')?.[1] ?? '';
    expect(token).not.toBe('');

    // Act: the member opens the link, then opens it again.
    const first = await answersTo('stranger-s1', 'dm', `/start ${token}`);
    const again = await answersTo('stranger-s1', 'dm', `/start ${token}`);

    // Assess: the held answer first, as before; then the introduction, with why there is nothing else.
    const member = sandboxUserId('stranger-s1');
    expect(first).toEqual([
      { chatId: member, text: expect.stringContaining('/community: the community bot') },
    ]);
    expect(first[0]?.text).not.toContain('Link this account');
    expect(again).toHaveLength(1);
    expect(again[0]?.chatId).toBe(member);
    expect(again[0]?.text).toContain('That link has been used already or has expired.');
    expectIntroduction(again[0]?.text ?? '');
  });

  it('introduces the bot mid-way through a guided form, which still takes the next reply', async () => {
    // Prepare: feedback asked in a group: the form's question goes to the private chat.
    await deliver(say('hana', 'general', '/community feedback'));

    // Act
    const intro = await answersTo('hana', 'dm', '/help');
    const reply = await answersTo('hana', 'dm', 'The welcome message is too long');

    // Assess
    expect(intro).toHaveLength(1);
    expectIntroduction(intro[0]?.text ?? '');
    expect(
      reply.filter((message) => message.chatId === sandboxUserId('hana')).map((message) => message.text),
    ).toEqual([expect.stringContaining('Thanks')]);
  });
});
