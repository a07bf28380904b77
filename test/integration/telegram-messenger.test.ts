import { Api } from 'grammy/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramMessenger } from '../../bots/telegram/messenger.js';
import { createModeratorCheck } from '../../bots/telegram/moderators.js';
import { ButtonPayloadError } from '../../bots/telegram/render.js';
import {
  CANNOT_INITIATE,
  SANDBOX_BOT_TOKEN,
  SANDBOX_BOT_USERNAME,
  sandboxChatId,
  sandboxUserId,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import type { Member, Space } from '../../shared/core/events.js';
import type { Messenger, PostedMessage } from '../../shared/core/messenger.js';
import type { FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import { captureDeps } from '../support/capture.js';
import { startTestTable, type TestTable } from '../support/table.js';

/*
 * The Messenger on its own: the real grammY client against the fake Bot API, one capability at a time,
 * including the parts no feature uses yet (post, delete). The flows through the webhook are in
 * telegram-answers.test.ts.
 */

let api: FakeServer;
let table: TestTable;
let messenger: Messenger;

const GROUP = sandboxChatId('general', 'x');
const SPACE: Space = { platform: 'telegram', id: String(GROUP) };
const member = (name: string): Member => ({ platform: 'telegram', id: String(sandboxUserId(name)) });

beforeAll(async () => {
  api = await telegramSandbox.startFakeApi();
  table = await startTestTable();
  const client = new Api(SANDBOX_BOT_TOKEN, { apiRoot: api.url });
  const isModerator = createModeratorCheck({
    api: client,
    cache: table.store.cache,
    logger: captureDeps().deps.logger,
  });
  messenger = createTelegramMessenger({ api: client, botUsername: SANDBOX_BOT_USERNAME, isModerator });
});

afterAll(async () => {
  await api.close();
  await table.close();
});

function since(mark: number, method: string): Record<string, unknown>[] {
  return api.requests
    .slice(mark)
    .filter((request: ReceivedRequest) => request.path.endsWith(`/${method}`))
    .map((request) => request.payload as Record<string, unknown>);
}

describe('Telegram Messenger: what it declares', () => {
  it('has guided forms, direct private answers behind deep links, and forum topics', () => {
    expect(messenger.capabilities).toEqual({ forms: 'guided', privateAnswers: 'direct', threads: true });
    expect(messenger.deepLink('-100123_abc')).toBe(`https://t.me/${SANDBOX_BOT_USERNAME}?start=-100123_abc`);
  });
});

describe('Telegram Messenger: posting, updating and deleting', () => {
  it('posts in a chat, and in a forum topic given by the channel or the thread', async () => {
    const mark = api.requests.length;

    const plain = await messenger.post({ space: SPACE, channelId: String(GROUP) }, { text: '**Hi** all' });
    await messenger.post({ space: SPACE, channelId: `${GROUP}/20` }, { text: 'In topic 20' });
    await messenger.post({ space: SPACE, channelId: String(GROUP), threadId: '21' }, { text: 'In 21' });

    expect(plain).toMatchObject({ space: SPACE, channelId: String(GROUP), messageId: expect.any(String) });
    expect(since(mark, 'sendMessage')).toEqual([
      { chat_id: GROUP, text: '<b>Hi</b> all', parse_mode: 'HTML' },
      { chat_id: GROUP, text: 'In topic 20', parse_mode: 'HTML', message_thread_id: 20 },
      { chat_id: GROUP, text: 'In 21', parse_mode: 'HTML', message_thread_id: 21 },
    ]);
  });

  it('replaces a message, with new buttons or none, and takes a repeated edit as done', async () => {
    // Prepare
    const buttons = [{ actionId: 'poll.vote', label: 'Yes', value: 'yes' }];
    const posted = await messenger.post(
      { space: SPACE, channelId: String(GROUP) },
      { text: 'Vote', buttons },
    );
    const mark = api.requests.length;

    // Act
    await messenger.update(posted, { text: 'Vote (1)', buttons });
    await messenger.update(posted, { text: 'Closed' });
    await messenger.update(posted, { text: 'Closed' });

    // Assess: Telegram refused the third as "not modified"; the Messenger does not fail on it.
    const id = Number(posted.messageId);
    expect(since(mark, 'editMessageText')).toEqual([
      {
        chat_id: GROUP,
        message_id: id,
        text: 'Vote (1)',
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'poll.vote:yes' }]] },
      },
      { chat_id: GROUP, message_id: id, text: 'Closed', parse_mode: 'HTML' },
      { chat_id: GROUP, message_id: id, text: 'Closed', parse_mode: 'HTML' },
    ]);
  });

  it('deletes a message it posted, and a second delete of it is no failure', async () => {
    const posted = await messenger.post({ space: SPACE, channelId: String(GROUP) }, { text: 'Oops' });
    const mark = api.requests.length;

    await messenger.delete(posted);
    await messenger.delete(posted);

    expect(since(mark, 'deleteMessage')).toHaveLength(2);
    const missing: PostedMessage = { ...posted, messageId: '999999' };
    await expect(messenger.update(missing, { text: 'x' })).rejects.toThrow(/message to edit not found/);
  });

  it('refuses a button whose value Telegram could not carry, before anything is sent', async () => {
    const mark = api.requests.length;
    const buttons = [{ actionId: 'feedback.read', label: 'Read', value: 'v'.repeat(60) }];

    await expect(
      messenger.post({ space: SPACE, channelId: String(GROUP) }, { text: 'x', buttons }),
    ).rejects.toThrow(ButtonPayloadError);
    expect(api.requests.slice(mark)).toEqual([]);
  });
});

describe('Telegram Messenger: private messages', () => {
  it('writes to a member who started the bot in their private chat', async () => {
    const mark = api.requests.length;

    const delivery = await messenger.sendPrivate(SPACE, member('alice'), { text: 'Only for you' });

    expect(delivery).toEqual({
      kind: 'sent',
      message: { space: SPACE, channelId: String(sandboxUserId('alice')), messageId: expect.any(String) },
    });
    expect(since(mark, 'sendMessage')).toEqual([
      { chat_id: sandboxUserId('alice'), text: 'Only for you', parse_mode: 'HTML' },
    ]);
  });

  it('says unreachable when the member never started the bot, and writes nowhere else', async () => {
    const mark = api.requests.length;

    const delivery = await messenger.sendPrivate(SPACE, member('stranger-m1'), { text: 'Secret' });

    expect(delivery).toEqual({ kind: 'unreachable', reason: CANNOT_INITIATE });
    expect(since(mark, 'sendMessage').map((payload) => payload.chat_id)).toEqual([
      sandboxUserId('stranger-m1'),
    ]);
  });
});

describe('Telegram Messenger: answering an interaction later (respond)', () => {
  const handle = (user: string, privateChat = false) => ({
    chatId: privateChat ? sandboxUserId(user) : GROUP,
    userId: sandboxUserId(user),
    messageId: 77,
    topicId: 20,
    privateChat,
  });

  it('answers a group command privately in the member’s chat, and publicly in its topic, replying to it', async () => {
    const mark = api.requests.length;

    await messenger.respond(handle('bob'), { text: 'Private' });
    await messenger.respond(handle('bob'), { text: 'Public' }, 'public');

    expect(since(mark, 'sendMessage')).toEqual([
      { chat_id: sandboxUserId('bob'), text: 'Private', parse_mode: 'HTML' },
      {
        chat_id: GROUP,
        text: 'Public',
        parse_mode: 'HTML',
        message_thread_id: 20,
        reply_parameters: { message_id: 77, allow_sending_without_reply: true },
      },
    ]);
  });

  it('answers a command sent in the private chat there, replying to it', async () => {
    const mark = api.requests.length;

    await messenger.respond(handle('carol', true), { text: 'Here' });

    expect(since(mark, 'sendMessage')).toMatchObject([
      { chat_id: sandboxUserId('carol'), reply_parameters: { message_id: 77 } },
    ]);
  });

  it('names the group in the buttons of a private answer to it, and of answers to their presses', async () => {
    // Prepare: a press in dan's private chat on a button that named the group (parse.ts).
    const join = { actionId: 'link.join', label: 'Join', value: 'abc' };
    const pressedForGroup = { ...handle('dan', true), groupChatId: GROUP };
    const mark = api.requests.length;

    // Act
    await messenger.respond(handle('dan'), { text: 'Join?', buttons: [join] });
    await messenger.respond(pressedForGroup, { text: 'Again?', buttons: [join] });
    await messenger.respond(handle('dan'), { text: 'Said in the group', buttons: [join] }, 'public');

    // Assess: in the private chat the press must bring the group back; in the group it is where it is.
    const data = since(mark, 'sendMessage').map(
      (payload) =>
        (payload.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]?.[0]
          ?.callback_data,
    );
    expect(data).toEqual([`link.join@${GROUP}:abc`, `link.join@${GROUP}:abc`, 'link.join:abc']);
  });

  it('says unreachable for a member who never started the bot, without writing in the group', async () => {
    const mark = api.requests.length;

    const delivery = await messenger.respond(handle('stranger-m2'), { text: 'Secret' });

    expect(delivery.kind).toBe('unreachable');
    expect(since(mark, 'sendMessage').map((payload) => payload.chat_id)).toEqual([
      sandboxUserId('stranger-m2'),
    ]);
  });
});

describe('Telegram Messenger: moderators', () => {
  it('asks getChatMember (once, then the cache) and never about a private chat', async () => {
    const mark = api.requests.length;
    const privateChat: Space = { platform: 'telegram', id: String(sandboxUserId('modann')) };

    const answers = [
      await messenger.isModerator(SPACE, member('modkim')),
      await messenger.isModerator(SPACE, member('modkim')),
      await messenger.isModerator(SPACE, member('alice')),
      await messenger.isModerator(privateChat, member('modann')),
    ];

    expect(answers).toEqual([true, true, false, false]);
    expect(since(mark, 'getChatMember')).toEqual([
      { chat_id: GROUP, user_id: sandboxUserId('modkim') },
      { chat_id: GROUP, user_id: sandboxUserId('alice') },
    ]);
  });

  it('lists the chat’s administrators, without bots', async () => {
    const moderators = await messenger.moderators(SPACE);

    expect(moderators).toEqual([member('modann'), member('modsam')]);
    expect(await messenger.moderators({ platform: 'telegram', id: String(sandboxUserId('modann')) })).toEqual(
      [],
    );
  });
});
