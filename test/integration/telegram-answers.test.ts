import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { renderMessage } from '../../bots/telegram/render.js';
import {
  SANDBOX_BOT_USERNAME,
  sandboxChatId,
  sandboxMessageId,
  sandboxUserId,
  signPress,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import { noteId, THANKS } from '../../shared/core/feedback/feedback.js';
import type { BotHandler, HttpResult } from '../../shared/lambda/http.js';
import type { FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { GRAMMAR_CASES } from '../support/grammar-cases.js';
import { httpEvent } from '../support/lambda.js';
import { isSpaceNotice } from './telegram-harness.js';

/*
 * What members see, through the real webhook: answers that arrive later, the deep link when a member never
 * started the bot, the guided feedback form, and the proof that nothing private reaches a group.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(() => bot.close());

/** Distinct instants, so each signed command is a new update (the sandbox derives update ids from them). */
let clock = Date.parse('2026-03-02T09:00:00Z');
function tick(): Date {
  clock += 1000;
  return new Date(clock);
}

function deliver(request: SignedRequest, to: BotHandler = bot.handler): Promise<HttpResult> {
  return to(httpEvent(request.path, request.body, { ...request.headers }));
}

function say(user: string, channel: string, text: string, at = tick()): SignedRequest {
  const action: SandboxAction = text.startsWith('/')
    ? { kind: 'command', user, channel, text }
    : { kind: 'message', user, channel, text, messageId: `${user}-${at.getTime()}` };
  return telegramSandbox.sign(action, at);
}

type Payload = Record<string, unknown>;

/** What the bot called `method` with since `mark`; the registration notice aside (see isSpaceNotice). */
function sent(mark: number, method = 'sendMessage', api: FakeServer = bot.api): Payload[] {
  return api.requests
    .slice(mark)
    .filter((request: ReceivedRequest) => request.path.endsWith(`/${method}`))
    .map((request) => request.payload as Payload)
    .filter((payload) => !isSpaceNotice(payload));
}

const to = (chatId: number) => (payload: Payload) => payload.chat_id === chatId;
const textOf = (payload: Payload | undefined) => String(payload?.text ?? '');
const LINK = /https:\/\/t\.me\/community_sandbox_bot\?start=([\w-]+)/;

describe('Telegram: a member who never started the bot gets a deep link, never the answer in the group', () => {
  it('posts only the link in the group; /start <token> delivers the answer privately, once', async () => {
    // Prepare
    const group = sandboxChatId('general', 'stranger-d1');
    const member = sandboxUserId('stranger-d1');
    const mark = bot.api.requests.length;

    // Act 1: help asked in the group.
    expect(await deliver(say('stranger-d1', 'general', '/community help'))).toMatchObject({
      statusCode: 200,
    });

    // Assess 1: the private send was refused; the group got the note with the link, nothing else.
    const [refused, note, ...rest] = sent(mark);
    expect(refused).toMatchObject({ chat_id: member });
    expect(note).toMatchObject({ chat_id: group });
    expect(textOf(note)).toContain(`https://t.me/${SANDBOX_BOT_USERNAME}?start=`);
    expect(textOf(note)).not.toMatch(/community bot|For everyone/);
    expect(rest).toEqual([]);
    const token = LINK.exec(textOf(note))?.[1] ?? '';

    // Act 2: the member opens the link and presses Start, twice.
    const opened = bot.api.requests.length;
    await deliver(say('stranger-d1', 'dm', `/start ${token}`));
    const first = sent(opened);
    const reopened = bot.api.requests.length;
    await deliver(say('stranger-d1', 'dm', `/start ${token}`));

    // Assess 2: the help arrives privately the first time only.
    expect(first.map(textOf)).toEqual([expect.stringContaining('/community: the community bot')]);
    expect([...first, ...sent(reopened)].every(to(member))).toBe(true);
    expect(sent(reopened).map(textOf)).toEqual([expect.stringContaining('used already or has expired')]);
  });

  it('does not deliver an answer whose link has expired', async () => {
    // Prepare: a link, opened 25 hours later (by another instance whose clock says so).
    const mark = bot.api.requests.length;
    await deliver(say('stranger-d2', 'general', '/community help'));
    const token = LINK.exec(sent(mark).map(textOf).join('\n'))?.[1] ?? '';
    const later = new Date(Date.now() + 25 * 3600_000);
    const tomorrow = bot.another({}, { now: () => later });
    const opened = bot.api.requests.length;

    // Act
    await deliver(say('stranger-d2', 'dm', `/start ${token}`, later), tomorrow);

    // Assess
    expect(token).not.toBe('');
    expect(sent(opened).map(textOf)).toEqual([expect.stringContaining('used already or has expired')]);
  });

  it('answers /start alone like /community help', async () => {
    const mark = bot.api.requests.length;

    await deliver(say('dana', 'dm', '/start'));

    expect(sent(mark)).toMatchObject([{ chat_id: sandboxUserId('dana') }]);
    expect(textOf(sent(mark)[0])).toContain('/community: the community bot');
  });
});

describe('Telegram: feedback through a guided private exchange', () => {
  it('asks privately, reads the reply, tells each administrator with Mark as read, and thanks the member', async () => {
    // Prepare
    const group = sandboxChatId('general', 'carol');
    const carol = sandboxUserId('carol');
    const [modann, modsam] = [sandboxUserId('modann'), sandboxUserId('modsam')];
    const mark = bot.api.requests.length;

    // Act 1: the form is opened in the group.
    await deliver(say('carol', 'general', '/community feedback'));

    // Assess 1: the question goes to carol's private chat.
    expect(sent(mark)).toMatchObject([{ chat_id: carol }]);
    expect(textOf(sent(mark)[0])).toContain('Feedback to moderators');

    // Act 2: carol answers privately; the delivery runs later.
    const answered = bot.api.requests.length;
    await deliver(say('carol', 'dm', 'The new editor loses my drafts'));
    await bot.lambda.idle();

    // Assess 2: each administrator (not the bot) has the note with a button; carol has the thanks.
    const notes = sent(answered).filter((payload) => textOf(payload).includes('loses my drafts'));
    expect(notes.map((payload) => payload.chat_id).sort()).toEqual([modann, modsam].sort());
    const markup = notes[0]?.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] };
    const button = markup.inline_keyboard[0]?.[0];
    expect(button?.text).toBe('Mark as read');
    expect(button?.callback_data).toMatch(new RegExp(`^feedback\\.read:${group}/[\\w-]+$`));
    expect(sent(answered).filter(to(carol)).map(textOf)).toEqual([THANKS]);
    expect(sent(mark).filter((payload) => Number(payload.chat_id) < 0)).toEqual([]);
  });

  it('marks a note read in place for the first moderator and tells the second privately', async () => {
    // Prepare: a note from bob, delivered to both administrators.
    await deliver(say('bob', 'general', '/community feedback please add dark mode'));
    await bot.lambda.idle();
    const [sam, ann] = [copyOf('modsam', 'dark mode'), copyOf('modann', 'dark mode')];
    const mark = bot.api.requests.length;

    // Act
    await deliver(signPress({ user: 'modsam', ...sam, queryId: 'q-sam' }));
    await deliver(signPress({ user: 'modann', ...ann, queryId: 'q-ann' }));

    // Assess: modsam's copy says read, without its button; modann is told who read it, in an alert.
    expect(sent(mark, 'editMessageText')).toEqual([
      {
        chat_id: sam.chatId,
        message_id: sam.messageId,
        text: expect.stringMatching(/please add dark mode\n<i>Marked as read\.<\/i>$/),
        parse_mode: 'HTML',
      },
    ]);
    expect(sent(mark, 'answerCallbackQuery')).toEqual([
      { callback_query_id: 'q-sam' },
      {
        callback_query_id: 'q-ann',
        text: `Already marked as read by ${sandboxUserId('modsam')}.`,
        show_alert: true,
      },
    ]);
    expect(sent(mark)).toEqual([]);
  });
});

describe('Telegram: the command grammar, table-driven, through the webhook', () => {
  it.each(GRAMMAR_CASES)('/community $text', async ({ text, path, values, problem }) => {
    // Prepare: a moderator, so every subcommand may run.
    const signed = say('modann', 'grammar', `/community ${text}`);
    const { update_id } = JSON.parse(signed.body) as { update_id: number };
    const mark = bot.api.requests.length;

    // Act
    const result = await deliver(signed);
    await bot.lambda.idle();

    // Assess: what modann was told privately shows which subcommand ran, with which values.
    expect(result.statusCode).toBe(200);
    const told = sent(mark)
      .filter(to(sandboxUserId('modann')))
      .map(textOf)
      .join('\n');
    if (problem !== undefined) expect(told).toContain(renderMessage({ text: problem }).text);
    if (path === 'help') expect(told).toContain('/community: the community bot');
    if (path === 'stats') expect(told).toContain('<b>Community stats</b>');
    if (path === 'feedback') {
      const space = { platform: 'telegram' as const, id: String(sandboxChatId('grammar', 'modann')) };
      const event = { kind: 'command_invoked' as const, id: String(update_id) };
      const note = await bot.table.store.core.feedback.get(space, noteId(event as never));
      expect(note?.text).toBe(values?.note);
    }
    expect(sent(mark).filter((payload) => Number(payload.chat_id) < 0)).toEqual([]);
  });
});

describe('Telegram: private means private', () => {
  it('sends nothing private to a group: everything the fake API received, over every answer path', async () => {
    // Prepare: a bot of its own, so the scan covers exactly these deliveries.
    const own = await startBotUnderTest(telegramPlatform);
    onTestFinished(() => own.close());
    const send = (user: string, channel: string, text: string) =>
      deliver(say(user, channel, text), own.handler);
    const secrets = ['SECRET-NOTE-ONE', 'SECRET-NOTE-TWO', 'SECRET-NOTE-THREE'];

    // Act: help, stats, refusals, feedback typed and guided, deep links, a press, a link code; in groups
    // and privately.
    await send('alice', 'general', '/community help');
    await send('modann', 'general', '/community stats');
    await send('bob', 'general', '/community stats');
    await send('bob', 'general', `/community feedback ${secrets[0]}`);
    await send('carol', 'general', '/community feedback');
    await send('carol', 'dm', secrets[1] ?? '');
    await send('stranger-p', 'general', '/community help');
    await send('stranger-p', 'general', `/community feedback ${secrets[2]}`);
    await send('stranger-q', 'general', '/community feedback');
    await own.lambda.idle();
    const copy = copyOf('modsam', secrets[0] ?? '', own.api);
    await deliver(signPress({ user: 'modsam', ...copy, queryId: 'q-scan' }), own.handler);
    await send('modsam', 'general', '/community stats');
    await send('modann', 'general', '/community link');
    await own.lambda.idle();

    // Assess: every request naming a group is a sendMessage of a deep link note or the registration
    // notice (public by design, the same words in every group), and nothing else.
    const payloads = own.api.requests.map((request) => ({
      method: request.path.split('/').pop(),
      payload: request.payload as Payload,
    }));
    const inGroups = payloads.filter(
      ({ payload }) => Number(payload.chat_id) < 0 && payload.text !== undefined,
    );
    const notes = inGroups.filter(({ payload }) => !isSpaceNotice(payload));
    expect(notes.length).toBeGreaterThanOrEqual(3);
    for (const { method, payload } of inGroups) {
      expect(method).toBe('sendMessage');
      if (isSpaceNotice(payload)) continue;
      expect(textOf(payload)).toMatch(
        /^I have a private answer for you\. Open https:\/\/t\.me\/\S+ and press/,
      );
    }
    // The private texts went out privately (so the scan above looked for something real).
    const everything = (filter: (payload: Payload) => boolean) =>
      payloads.filter(({ payload }) => filter(payload)).map(({ payload }) => JSON.stringify(payload));
    const privately = everything((payload) => Number(payload.chat_id) > 0).join('\n');
    const publicly = everything((payload) => Number(payload.chat_id) < 0).join('\n');
    const linkCode = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(privately)?.[0] ?? 'no link code';
    const markers = [
      ...secrets.slice(0, 2),
      linkCode,
      'Community stats',
      'the community bot',
      THANKS,
      'is for moderators only',
    ];
    for (const marker of markers) {
      expect(privately).toContain(marker);
      expect(publicly).not.toContain(marker);
    }
    expect(publicly).not.toContain(secrets[2]);
    expect(publicly).not.toMatch(/Feedback to moderators|Marked as read/);
  });
});

/** The private copy of a note sent to `user`: where it is, its id, and its button's callback data. */
function copyOf(
  user: string,
  text: string,
  api: FakeServer = bot.api,
): { chatId: number; messageId: number; data: string } {
  const chatId = sandboxUserId(user);
  const index = api.requests.findLastIndex((request) => {
    const payload = request.payload as Payload;
    return (
      request.path.endsWith('/sendMessage') && payload.chat_id === chatId && textOf(payload).includes(text)
    );
  });
  const payload = api.requests[index]?.payload as Payload | undefined;
  const markup = payload?.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined;
  return {
    chatId,
    messageId: sandboxMessageId(index),
    data: markup?.inline_keyboard[0]?.[0]?.callback_data ?? '',
  };
}
