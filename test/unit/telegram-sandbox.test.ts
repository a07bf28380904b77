import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { translateCallbackQuery } from '../../bots/telegram/parse.js';
import { callbackData, renderMessage } from '../../bots/telegram/render.js';
import {
  SANDBOX_BOT_TOKEN,
  SANDBOX_SECRET_TOKEN,
  sandboxChatId,
  sandboxGroupOf,
  sandboxModeratorName,
  sandboxUserId,
  signPress,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import { isSandboxAdministrator } from '../../bots/telegram/sandbox-ids.js';
import { parseUpdate } from '../../bots/telegram/webhook.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import { readPressString, type SandboxAction } from '../../shared/platform/sandbox.js';

const NOW = new Date('2026-03-01T09:00:00Z');
const LATER = new Date('2026-03-01T09:05:00Z');

function updateOf(body: string): Update {
  return parseUpdate(body);
}

function sendMessage(payload: Record<string, unknown>): ReceivedRequest {
  return {
    method: 'POST',
    path: '/bot7000000001:sandbox-telegram-bot-token-test-only/sendMessage',
    query: new URLSearchParams(),
    headers: {},
    body: JSON.stringify(payload),
    payload,
  };
}

describe('telegramSandbox.sign', () => {
  it('builds a webhook delivery with the secret token header and a parseable Update', () => {
    const signed = telegramSandbox.sign(
      { kind: 'message', user: 'alice', channel: 'general', text: 'hi', messageId: '42' },
      NOW,
    );

    expect(signed.path).toBe('/telegram/webhook');
    expect(signed.headers['x-telegram-bot-api-secret-token']).toBe(SANDBOX_SECRET_TOKEN);
    expect(updateOf(signed.body).message).toMatchObject({
      message_id: 42,
      text: 'hi',
      from: { id: sandboxUserId('alice'), is_bot: false },
      chat: { id: sandboxChatId('general', 'alice'), type: 'supergroup', title: 'general' },
      date: Math.floor(NOW.getTime() / 1000),
    });
  });

  it('gives the same update id to the same action and message id, later too (a redelivery)', () => {
    const action = { kind: 'message', user: 'bob', channel: 'general', text: 'yo', messageId: '7' } as const;

    const first = updateOf(telegramSandbox.sign(action, NOW).body).update_id;
    const again = updateOf(telegramSandbox.sign(action, LATER).body).update_id;
    const other = updateOf(telegramSandbox.sign({ ...action, messageId: '8' }, NOW).body).update_id;

    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('makes commands, joins and reactions without a message id new events at a new instant', () => {
    const command = {
      kind: 'command',
      user: 'modsam',
      channel: 'general',
      text: '/community stats',
    } as const;

    const first = updateOf(telegramSandbox.sign(command, NOW).body);
    const same = updateOf(telegramSandbox.sign(command, NOW).body);
    const later = updateOf(telegramSandbox.sign(command, LATER).body);

    expect(same.update_id).toBe(first.update_id);
    expect(later.update_id).not.toBe(first.update_id);
    expect(first.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 10 }]);
  });

  it('shapes replies, reactions, joins and private chats as Telegram does', () => {
    const reply = updateOf(
      telegramSandbox.sign({ kind: 'message', user: 'a', channel: 'g', text: 't', threadOf: '5' }, NOW).body,
    );
    const reaction = updateOf(
      telegramSandbox.sign({ kind: 'reaction', user: 'a', channel: 'g', messageId: '5', emoji: '🔥' }, NOW)
        .body,
    );
    const join = updateOf(telegramSandbox.sign({ kind: 'join', user: 'a', channel: 'g' }, NOW).body);
    const direct = updateOf(
      telegramSandbox.sign({ kind: 'command', user: 'a', channel: 'dm', text: 'help' }, NOW).body,
    );

    expect(reply.message?.reply_to_message?.message_id).toBe(5);
    expect(reaction.message_reaction).toMatchObject({ message_id: 5, new_reaction: [{ emoji: '🔥' }] });
    expect(join.chat_member).toMatchObject({
      old_chat_member: { status: 'left' },
      new_chat_member: { status: 'member' },
    });
    expect(direct.message).toMatchObject({
      chat: { id: sandboxUserId('a'), type: 'private' },
      text: '/community help',
    });
  });
});

describe('telegramSandbox.sign in a second space (--space)', () => {
  const message = {
    kind: 'message',
    user: 'alice',
    channel: 'general',
    text: 'hi',
    messageId: '42',
  } as const;
  const chatOf = (action: SandboxAction) => updateOf(telegramSandbox.sign(action, NOW).body).message?.chat;

  it('keeps the first space as it was: `a` and no space are the same group and the same update', () => {
    const unnamed = updateOf(telegramSandbox.sign(message, NOW).body);
    const named = updateOf(telegramSandbox.sign({ ...message, space: 'a' }, NOW).body);

    // The id every test and fixture used before there was a second space.
    expect(sandboxChatId('general', 'x')).toBe(-1000025115039520);
    expect(named).toEqual(unnamed);
    expect(unnamed.message?.chat).toEqual({ id: -1000025115039520, type: 'supergroup', title: 'general' });
  });

  it('makes `b` another group with a stable id, its title naming the space, and other update ids', () => {
    const inB = { ...message, space: 'b' };

    const chat = chatOf(inB);
    const again = chatOf(inB);
    const other = chatOf({ ...inB, channel: 'random' });

    expect(chat).toEqual({ id: -2000025115039520, type: 'supergroup', title: 'b/general' });
    expect(again).toEqual(chat);
    expect(other?.id).not.toBe(chat?.id);
    expect(chatOf({ ...message, space: 'c' })?.id).not.toBe(chat?.id);
    expect(sandboxGroupOf(chat?.id ?? 0)).toEqual({ channel: 'general', space: 'b' });
    expect(updateOf(telegramSandbox.sign(inB, NOW).body).update_id).not.toBe(
      updateOf(telegramSandbox.sign(message, NOW).body).update_id,
    );
  });

  it('keeps a private chat the same in every space (a member is one Telegram user)', () => {
    expect(chatOf({ ...message, channel: 'dm', space: 'b' })?.id).toBe(sandboxUserId('alice'));
  });

  it('gives each space its own administrators: modann in a, modann-b in b', () => {
    const [groupA, groupB] = [sandboxChatId('general', 'x'), sandboxChatId('general', 'x', 'b')];
    const modannB = sandboxModeratorName('modann', 'b');
    const admin = (name: string, chatId: number) => isSandboxAdministrator(sandboxUserId(name), chatId);

    expect(modannB).toBe('modann-b');
    expect([admin('modann', groupA), admin('modann', groupB)]).toEqual([true, false]);
    expect([admin(modannB, groupA), admin(modannB, groupB)]).toEqual([false, true]);
    expect(admin('alice', groupA)).toBe(false);
    // A documented fixture's group (no sandbox id) belongs to the first space.
    expect(admin('modsam', -1001234567890)).toBe(true);
  });

  it('refuses a space that is not one letter, naming the rule', () => {
    expect(() => telegramSandbox.sign({ ...message, space: 'beta' }, NOW)).toThrow(
      'A sandbox space is one letter, a to z (got "beta")',
    );
  });
});

describe('telegramSandbox.sign: members named in a command', () => {
  it('writes `@name` as a text mention of that member, as Telegram does for one picked from the list', () => {
    const signed = telegramSandbox.sign(
      { kind: 'command', user: 'modann', channel: 'general', text: '/community moderators add @modann-b' },
      NOW,
    );

    const command = updateOf(signed.body).message;

    expect(command?.text).toBe('/community moderators add modann-b');
    expect(command?.entities).toEqual([
      { type: 'bot_command', offset: 0, length: 10 },
      {
        type: 'text_mention',
        offset: 26,
        length: 8,
        user: { id: sandboxUserId('modann-b'), is_bot: false, first_name: 'modann-b', language_code: 'en' },
      },
    ]);
  });
});

describe('signPress', () => {
  it('builds the callback_query Telegram sends for a press on a message of the bot', () => {
    const press = {
      user: 'modsam',
      chatId: sandboxUserId('modsam'),
      messageId: 12,
      data: 'feedback.read:-100/abc',
      queryId: 'q1',
    };

    const first = updateOf(signPress(press, NOW).body);
    const again = updateOf(signPress(press, LATER).body);

    expect(again.update_id).toBe(first.update_id);
    expect(first.callback_query).toMatchObject({
      id: 'q1',
      from: { id: sandboxUserId('modsam'), is_bot: false },
      message: {
        message_id: 12,
        chat: { id: sandboxUserId('modsam'), type: 'private' },
        from: { is_bot: true },
      },
      data: 'feedback.read:-100/abc',
    });
  });
});

describe('telegramSandbox.describe', () => {
  it('says where the bot wrote and what, in plain text', () => {
    const line = telegramSandbox.describe(
      sendMessage({
        chat_id: sandboxChatId('general', 'x'),
        text: '<b>Hi</b> &lt;all&gt;',
        reply_parameters: { message_id: 9 },
      }),
    );
    const direct = telegramSandbox.describe(sendMessage({ chat_id: sandboxUserId('modsam'), text: 'ok' }));
    const refused = telegramSandbox.describe(sendMessage({ chat_id: sandboxUserId('stranger1'), text: 'x' }));

    expect(line).toBe('in #general (replying to message 9): Hi <all>');
    expect(direct).toBe('privately to modsam: ok');
    expect(refused).toMatch(/tried to write to stranger1 privately/);
    expect(
      telegramSandbox.describe(sendMessage({ chat_id: sandboxChatId('general', 'x', 'b'), text: 'hi' })),
    ).toBe('in #b/general: hi');
  });

  it('says what an edit, a delete and an alert did', () => {
    const call = (method: string, payload: Record<string, unknown>) =>
      telegramSandbox.describe({ ...sendMessage(payload), path: `/botX/${method}` });
    const chat = sandboxUserId('modsam');

    expect(call('editMessageText', { chat_id: chat, message_id: 4, text: '<i>Read</i>' })).toBe(
      'edited message 4 privately to modsam: Read',
    );
    expect(call('deleteMessage', { chat_id: sandboxChatId('general', 'x'), message_id: 5 })).toBe(
      'deleted message 5 in #general',
    );
    expect(call('answerCallbackQuery', { callback_query_id: 'q', text: 'Done', show_alert: true })).toBe(
      'answered a button press with an alert to the presser: Done',
    );
  });

  it('lets the bot write to a stranger once they have written to it privately (pressed Start)', () => {
    const toStranger = () =>
      telegramSandbox.describe(sendMessage({ chat_id: sandboxUserId('strangerz'), text: 'hi' }));
    const before = toStranger();

    telegramSandbox.noteDelivery(
      telegramSandbox.sign(
        { kind: 'message', user: 'strangerz', channel: 'general', text: 'in a group' },
        NOW,
      ).body,
    );
    const afterGroupMessage = toStranger();
    telegramSandbox.noteDelivery(
      telegramSandbox.sign({ kind: 'command', user: 'strangerz', channel: 'dm', text: '/start abc' }, NOW)
        .body,
    );

    expect(before).toMatch(/tried to write to strangerz privately \(refused/);
    expect(afterGroupMessage).toBe(before);
    expect(toStranger()).toBe('privately to strangerz: hi');
  });

  it('keeps bookkeeping calls quiet', () => {
    const lookup = { ...sendMessage({ chat_id: 1, user_id: 2 }), path: '/botX/getChatMember' };

    expect(telegramSandbox.describe(lookup)).toBeUndefined();
  });
});

describe('telegramSandbox.sign: pressing a button (npm run say -- --press)', () => {
  const groupB = sandboxChatId('general', 'x', 'b');
  const JOIN = { actionId: 'link.join', value: `${'1f2e'.repeat(8)}/${groupB}` };
  const pressedBy = (action: SandboxAction, now = NOW) => {
    const update = updateOf(telegramSandbox.sign(action, now).body);
    const translated = translateCallbackQuery(
      update.callback_query as NonNullable<Update['callback_query']>,
      update.update_id,
      now,
    );
    return { update, event: 'events' in translated ? translated.events[0] : translated };
  };

  it("builds a callback_query on the bot's message in the member's private chat, read back as the press", () => {
    const { update, event } = pressedBy({
      kind: 'press',
      user: 'modann-b',
      channel: 'dm',
      messageId: '14',
      ...JOIN,
    });

    expect(update.callback_query).toMatchObject({
      from: { id: sandboxUserId('modann-b'), is_bot: false },
      message: {
        message_id: 14,
        chat: { id: sandboxUserId('modann-b'), type: 'private' },
        from: { is_bot: true },
      },
      data: `link.join:${JOIN.value}`,
    });
    expect(event).toMatchObject({
      kind: 'button_pressed',
      actionId: 'link.join',
      value: JOIN.value,
      member: { id: String(sandboxUserId('modann-b')) },
      location: { space: { id: String(sandboxUserId('modann-b')) }, direct: true },
    });
  });

  it('keeps the group a private answer names (`<actionId>@<group>`): the press is one in that group', () => {
    const { update, event } = pressedBy({
      kind: 'press',
      user: 'modann-b',
      channel: 'dm',
      actionId: `link.cancel@${groupB}`,
    });

    expect(update.callback_query?.data).toBe(`link.cancel@${groupB}`);
    expect(event).toMatchObject({ actionId: 'link.cancel', location: { space: { id: String(groupB) } } });
    expect(event).not.toHaveProperty('value');
  });

  it('presses in a group of the space asked for', () => {
    const { update, event } = pressedBy({
      kind: 'press',
      user: 'modann-b',
      channel: 'general',
      space: 'b',
      actionId: 'feedback.read',
      value: '1/abc',
    });

    expect(update.callback_query?.message?.chat).toMatchObject({ id: groupB, type: 'supergroup' });
    expect(event).toMatchObject({
      actionId: 'feedback.read',
      value: '1/abc',
      location: { space: { id: String(groupB) } },
    });
  });

  it('makes every press a new query, even on the same message; the same delivery again keeps its ids', () => {
    const action: SandboxAction = { kind: 'press', user: 'modsam', channel: 'dm', messageId: '3', ...JOIN };

    const first = pressedBy(action).update;
    const again = pressedBy(action).update;
    const later = pressedBy(action, LATER).update;

    expect(again).toEqual(first);
    expect(later.update_id).not.toBe(first.update_id);
    expect(later.callback_query?.id).not.toBe(first.callback_query?.id);
  });

  it('refuses data Telegram could not carry, as render.ts does', () => {
    expect(() =>
      telegramSandbox.sign(
        { kind: 'press', user: 'a', channel: 'dm', actionId: 'x', value: 'v'.repeat(70) },
        NOW,
      ),
    ).toThrow(/callback_data holds 64/);
  });
});

describe('telegramSandbox.describe: buttons and how to press them', () => {
  it('prints each button with its press string and the message id the press must name', () => {
    const groupB = sandboxChatId('general', 'x', 'b');
    const message = renderMessage(
      {
        text: 'Join?',
        buttons: [
          { label: 'Join', actionId: 'link.join', value: `${'1f2e'.repeat(8)}/${groupB}` },
          { label: 'Cancel', actionId: 'link.cancel' },
        ],
      },
      groupB,
    );
    const chat = sandboxUserId('modann-b');

    const line = telegramSandbox.describe({
      ...sendMessage({ chat_id: chat, message_id: 14, ...message }),
      path: '/botX/editMessageText',
    });
    const [, joinPress, id] = /\[Join\] --press (\S+) --id (\d+)/.exec(line ?? '') ?? [];
    const pressed = updateOf(
      telegramSandbox.sign(
        {
          kind: 'press',
          user: 'modann-b',
          channel: 'dm',
          ...readPressString(joinPress ?? ''),
          messageId: id,
        },
        NOW,
      ).body,
    ).callback_query;

    expect(line).toBe(
      `edited message 14 privately to modann-b: Join? [Join] --press link.join:${'1f2e'.repeat(8)}/${groupB} --id 14 [Cancel] --press link.cancel@${groupB} --id 14`,
    );
    // What was printed presses that very button, on that message.
    expect(pressed).toMatchObject({
      data: callbackData({ label: 'Join', actionId: 'link.join', value: `${'1f2e'.repeat(8)}/${groupB}` }),
      message: { message_id: 14 },
    });
  });

  it('names the message a sendMessage created, once the fake Bot API has given it an id', async () => {
    const api = await telegramSandbox.startFakeApi();
    try {
      const message = renderMessage({
        text: 'Note',
        buttons: [{ label: 'Mark as read', actionId: 'feedback.read', value: '1' }],
      });
      await fetch(`${api.url}/bot${SANDBOX_BOT_TOKEN}/getMe`, { method: 'POST' });
      await fetch(`${api.url}/bot${SANDBOX_BOT_TOKEN}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: sandboxUserId('modsam'), ...message }),
      });

      expect(api.requests.map((request) => telegramSandbox.describe(request))).toEqual([
        undefined,
        'privately to modsam: Note [Mark as read] --press feedback.read:1 --id 2',
      ]);
    } finally {
      await api.close();
    }
  });
});
