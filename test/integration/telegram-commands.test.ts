import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxChatId, sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import { noteId } from '../../shared/core/feedback/feedback.js';
import { type FakeServer, startFakeServer } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import type { FaultyProxy } from '../support/faulty-proxy.js';
import type { TestTable } from '../support/table.js';
import {
  command,
  deliverSixTimes,
  fixture,
  payloadOf,
  telegramHarness,
  type Update,
} from './telegram-harness.js';

/*
 * `/community` through the real webhook: who is answered where, commands Telegram shapes its own way (text
 * mentions, deep links), and failures of the Bot API or the table around an answer.
 */

const GROUP_CHAT = -1001234567890;

let table: TestTable;
let proxy: FaultyProxy;
let api: FakeServer;

let bot: BotUnderTest | undefined;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
  ({ table, proxy, api } = bot);
});

afterAll(async () => {
  await bot?.close();
});

const { deliver, deliverSigned, recordsOf, calls, replies } = telegramHarness(() => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
});

describe('Telegram webhook: /community', () => {
  it('refuses a member privately, and asks Telegram about them only once in five minutes', async () => {
    // Prepare: bob's /community stats from the fixture, then his /community help.
    const stats = fixture('command', 640000207);
    const help = fixture('command', 640000208);
    (help.message as { text: string }).text = '/community help';
    const mark = api.requests.length;

    // Act
    const refused = await deliver(stats);
    const helped = await deliver(help);

    // Assess
    expect([refused.statusCode, helped.statusCode]).toEqual([200, 200]);
    expect(calls('getChatMember', mark).map(payloadOf)).toEqual([
      { chat_id: GROUP_CHAT, user_id: 222222222 },
    ]);
    const [refusal, helpReply] = replies(mark).map(payloadOf);
    expect(refusal).toMatchObject({ chat_id: 222222222, parse_mode: 'HTML' });
    expect(refusal).not.toHaveProperty('reply_parameters');
    expect(String(refusal?.text)).toContain(
      'is for moderators only (on telegram: the chat creator and administrators)',
    );
    expect(String(helpReply?.text)).toContain('Moderators have more commands.');
  });

  it('treats nobody as a moderator in a private chat and says to use the group, replying there', async () => {
    const signed = command('modsam', 'dm', '/community stats');
    const commandMessageId = (JSON.parse(signed.body) as { message: { message_id: number } }).message
      .message_id;
    const mark = api.requests.length;

    await deliverSigned(signed);

    expect(calls('getChatMember', mark)).toHaveLength(0);
    const sends = replies(mark).map(payloadOf);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      chat_id: sandboxUserId('modsam'),
      reply_parameters: { message_id: commandMessageId },
    });
    expect(String(sends[0]?.text)).toContain('is for moderators, in their community: send it there');
  });

  it('posts only a deep link in the group when the member never started the bot (403)', async () => {
    const signed = command('stranger1', 'general', '/community stats');
    const commandMessageId = (JSON.parse(signed.body) as { message: { message_id: number } }).message
      .message_id;
    const mark = api.requests.length;

    const result = await deliverSigned(signed);

    expect(result.statusCode).toBe(200);
    const [privately, inGroup, ...more] = replies(mark).map(payloadOf);
    expect(privately).toMatchObject({ chat_id: sandboxUserId('stranger1') });
    expect(inGroup).toMatchObject({
      chat_id: sandboxChatId('general', 'stranger1'),
      reply_parameters: { message_id: commandMessageId, allow_sending_without_reply: true },
    });
    expect(String(inGroup?.text)).toMatch(
      /Open https:\/\/t\.me\/community_sandbox_bot\?start=[\w-]+ and press/,
    );
    expect(String(inGroup?.text)).not.toContain('moderators only');
    expect(more).toEqual([]);
  });

  it('ignores /community addressed to another bot', async () => {
    const signed = command('modann', 'general', '/community@otherbot stats');
    const { update_id } = JSON.parse(signed.body) as Update;
    const mark = api.requests.length;

    const result = await deliverSigned(signed);

    expect(result.statusCode).toBe(200);
    expect(api.requests.slice(mark)).toHaveLength(0);
    expect(await recordsOf(update_id)).toHaveLength(0);
  });

  it('answers a redelivered command once', async () => {
    const signed = command('alice', 'general', `/community@community_sandbox_bot help`);
    const { update_id } = JSON.parse(signed.body) as Update;
    const mark = api.requests.length;

    const statuses = await deliverSixTimes(() => deliverSigned(signed));

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(replies(mark)).toHaveLength(1);
    expect(await recordsOf(update_id)).toHaveLength(1);
  });
});

describe('Telegram webhook: documented commands', () => {
  it('reads a text mention in a command as the member it names', async () => {
    // Prepare
    const update = fixture('command-text-mention');
    const space = { platform: 'telegram' as const, id: String(GROUP_CHAT) };

    // Act
    const result = await deliver(update);
    await bot?.lambda.idle();

    // Assess: the note keeps the mention as the member's id, for the moderators to see who is meant.
    expect(result.statusCode).toBe(200);
    const note = await table.store.core.feedback.get(
      space,
      noteId({ kind: 'command_invoked', id: String(update.update_id) } as never),
    );
    expect(note?.text).toBe('thanks <@444444444> for the meetup');
  });

  it('delivers nothing for a deep link whose answer is unknown, and says so privately', async () => {
    const update = fixture('private-start');
    const mark = api.requests.length;

    await deliver(update);

    expect(replies(mark).map(payloadOf)).toEqual([
      {
        chat_id: 333333333,
        // Then the introduction: what the bot offers and how to link this account.
        text: expect.stringContaining('Hello! That link has been used already or has expired.'),
        parse_mode: 'HTML',
      },
    ]);
    expect(await recordsOf(update.update_id)).toEqual([]);
  });
});

describe('Telegram webhook: Bot API failures', () => {
  it('answers 500 when getChatMember fails, and the redelivery once Telegram answers again is answered once', async () => {
    // Prepare: a second handler instance whose Bot API fails getChatMember once, then answers.
    let lookups = 0;
    const flaky = await startFakeServer('telegram-flaky', (request) => {
      if (request.path.endsWith('/getChatMember') && ++lookups === 1) {
        return { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } };
      }
      if (request.path.endsWith('/getChatMember')) {
        return {
          body: { ok: true, result: { status: 'member', user: { id: 1, is_bot: false, first_name: 'z' } } },
        };
      }
      return { body: { ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } } };
    });
    onTestFinished(() => flaky.close());
    const flakyHandler = telegramPlatform.createHandler({
      ...(bot?.env ?? {}),
      ...telegramSandbox.env(flaky.url),
    });
    const signed = command('zoe', 'general', '/community help');

    // Act
    const failed = await deliverSigned(signed, flakyHandler);
    const redelivered = await deliverSigned(signed, flakyHandler);
    const again = await deliverSigned(signed, flakyHandler);

    // Assess: Telegram is told to retry; the retry answers; the command counts once.
    expect([failed.statusCode, redelivered.statusCode, again.statusCode]).toEqual([500, 200, 200]);
    const sends = flaky.requests.filter((request) => request.path.endsWith('/sendMessage')).map(payloadOf);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ chat_id: sandboxUserId('zoe') });
    expect(String(sends[0]?.text)).toContain('Moderators have more commands.');
    expect(await recordsOf((JSON.parse(signed.body) as Update).update_id)).toHaveLength(1);
  });
});

describe('Telegram webhook: a command recorded, then DynamoDB failing before it is answered', () => {
  it('answers 500, and the redelivery (found recorded) is answered, once', async () => {
    // Prepare: the record lands but every attempt's answer is lost, so the request fails right after it.
    const signed = command('erin', 'general', '/community help');
    const { update_id } = JSON.parse(signed.body) as Update;
    const mark = api.requests.length;
    proxy.failNext('PutItem', 3, 'after', '"EVT#');

    // Act
    const failed = await deliverSigned(signed);
    const sentBeforeRetry = replies(mark).length;
    const statuses = await deliverSixTimes(() => deliverSigned(signed));

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(sentBeforeRetry).toBe(0);
    expect(statuses.filter((status) => status !== 200 && status !== 500)).toEqual([]);
    expect(await deliverSigned(signed)).toMatchObject({ statusCode: 200 });
    const sends = replies(mark).map(payloadOf);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ chat_id: sandboxUserId('erin') });
    expect(await recordsOf(update_id)).toHaveLength(1);
  });
});
