import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CallbackQuery,
  ChatMemberUpdated,
  Message,
  MessageReactionCountUpdated,
  MessageReactionUpdated,
  Update,
} from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  translateCallbackQuery,
  translateChatMember,
  translateEdit,
  translateMessage,
  translateReaction,
  translateReactionCount,
} from '../../bots/telegram/parse.js';

const BOT = 'community_sandbox_bot';

function fixture(name: string): Update {
  const file = join(import.meta.dirname, '../fixtures/telegram', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Update;
}

function messageOf(name: string): Message {
  return fixture(name).message as Message;
}

/** A group's events carry its title, the name the core gives the space. */
const GROUP = {
  space: { platform: 'telegram', id: '-1001234567890' },
  channelId: '-1001234567890',
  spaceName: 'Example Community',
};

describe('translateMessage', () => {
  it('turns a top-level message into message_posted with its message id and the text length only', () => {
    const result = translateMessage(messageOf('message'), 640000101, BOT);

    expect(result).toEqual({
      events: [
        {
          // The message's id, not the update's: an edit (another update) finds the same record.
          id: 'message:10',
          kind: 'message_posted',
          location: GROUP,
          member: { platform: 'telegram', id: '111111111' },
          occurredAt: new Date(1735725600 * 1000),
          messageId: '10',
          textLength: 'Hello everyone, glad to be here!'.length,
        },
      ],
    });
  });

  it('turns a reply into thread_reply pointing at the message answered', () => {
    const result = translateMessage(messageOf('reply'), 640000102, BOT);

    expect(result).toMatchObject({
      events: [{ kind: 'thread_reply', messageId: '11', replyToId: '10', textLength: 15 }],
    });
  });

  it('treats the first message of a forum topic as a post in the topic, not a reply', () => {
    const result = translateMessage(messageOf('forum-topic-message'), 640000107, BOT);

    expect(result).toMatchObject({
      events: [
        {
          kind: 'message_posted',
          location: { space: { id: '-1009876543210' }, channelId: '-1009876543210/20' },
        },
      ],
    });
  });

  it('keeps a real reply inside a forum topic a reply', () => {
    // Prepare: the same topic message, now answering an ordinary message of the topic.
    const topicMessage = messageOf('forum-topic-message');
    const answered = {
      ...topicMessage,
      message_id: 22,
      reply_to_message: { ...topicMessage, message_id: 21 },
    };

    // Act
    const result = translateMessage(answered as Message, 640000109, BOT);

    // Assess
    expect(result).toMatchObject({ events: [{ kind: 'thread_reply', replyToId: '21' }] });
  });

  it('counts a photo caption as the text of a media message', () => {
    const photo = {
      ...messageOf('message'),
      text: undefined,
      photo: [{ file_id: 'AgAD', file_unique_id: 'AQAD', width: 90, height: 90 }],
      caption: 'Our meetup',
    };

    expect(translateMessage(photo as Message, 1, BOT)).toMatchObject({
      events: [{ kind: 'message_posted', textLength: 10 }],
    });
  });

  it('reads a migration, even one sent on behalf of the new supergroup, as a space change and nothing else', () => {
    const to = { platform: 'telegram', id: '-1004012345678' };
    const from = { platform: 'telegram', id: '-4012345678' };

    expect(translateMessage(messageOf('migrate-to-chat'), 640000123, BOT)).toEqual({
      events: [],
      spaceChange: { kind: 'space_migrated', from, to },
    });
    expect(translateMessage(messageOf('migrate-from-chat'), 640000124, BOT)).toEqual({
      events: [],
      spaceChange: { kind: 'space_migrated', from, to },
    });
  });

  it('reads a group created with the bot in it as the bot added there, named by its title', () => {
    expect(translateMessage(messageOf('group-chat-created'), 640000125, BOT)).toEqual({
      events: [],
      spaceChange: {
        kind: 'bot_added',
        space: { platform: 'telegram', id: '-4098765432' },
        channelId: '-4098765432',
        name: 'New Group',
      },
    });
  });

  it('ignores service messages and bots, and counts messages sent on behalf of a chat for no member', () => {
    const base = messageOf('message');
    const fromBot = { ...base, from: { ...base.from, is_bot: true } };
    const asChat = { ...base, sender_chat: base.chat };

    const pinned = { ...base, text: undefined, pinned_message: { message_id: 9, chat: base.chat, date: 0 } };

    // A join's service message is a join now (issue 9): see test/integration/telegram-outbox.test.ts.
    expect(translateMessage(messageOf('new-chat-members'), 1, BOT)).toMatchObject({
      events: [{ kind: 'member_joined', name: 'Dave' }],
    });
    expect(translateMessage(pinned as Message, 1, BOT)).toEqual({ ignored: 'service message' });
    expect(translateMessage(fromBot as Message, 1, BOT)).toEqual({ ignored: 'message from a bot' });
    expect(translateMessage(asChat as Message, 1, BOT)).toMatchObject({
      events: [{ kind: 'message_posted', anonymous: true, member: { id: String(base.chat.id) } }],
    });
    const command = { ...messageOf('command'), sender_chat: base.chat } as Message;
    expect(translateMessage(command, 1, BOT)).toEqual({
      ignored: 'a command sent in the name of a chat: whose it is is unknown',
    });
  });

  it('reads an edit as the new length of the post it changes, ordered by update id', () => {
    const edited = { ...messageOf('message'), text: 'Hi', edit_date: 1735725700 } as Message;

    expect(translateEdit(edited, 640000301)).toEqual({
      kind: 'message_edited',
      id: '640000301',
      location: GROUP,
      occurredAt: new Date(1735725700 * 1000),
      targetId: 'message:10',
      textLength: 2,
      sequence: 640000301,
    });
  });

  it('counts anonymous reactions as the total over every emoji, ordered by update id', () => {
    const update = {
      chat: messageOf('message').chat,
      message_id: 10,
      date: 1735725800,
      reactions: [
        { type: { type: 'emoji', emoji: '👍' }, total_count: 3 },
        { type: { type: 'emoji', emoji: '🔥' }, total_count: 2 },
      ],
    } as MessageReactionCountUpdated;

    expect(translateReactionCount(update, 640000302)).toMatchObject({
      kind: 'reactions_counted',
      targetId: 'message:10',
      messageId: '10',
      reaction: '*',
      count: 5,
      sequence: 640000302,
    });
  });

  it('reads /community and /community@<this bot> as commands, and ignores commands for other bots', () => {
    const command = messageOf('command');
    const addressed = (text: string) =>
      ({
        ...command,
        text,
        entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length }],
      }) as Message;

    expect(translateMessage(command, 640000106, BOT)).toEqual({
      events: [],
      command: {
        id: '640000106',
        kind: 'command_invoked',
        location: GROUP,
        member: { platform: 'telegram', id: '222222222' },
        occurredAt: new Date(1735725900 * 1000),
        input: { text: 'stats' },
        answer: { chatId: -1001234567890, userId: 222222222, messageId: 13, privateChat: false },
      },
    });
    expect(translateMessage(addressed(`/community@${BOT} help`), 2, BOT)).toMatchObject({
      command: { kind: 'command_invoked', input: { text: 'help' } },
    });
    expect(translateMessage(addressed('/community@otherbot stats'), 3, BOT)).toHaveProperty('ignored');
    expect(translateMessage(addressed('/start'), 4, BOT)).toHaveProperty('ignored');
    expect(translateMessage(addressed('/start abc'), 5, BOT)).toHaveProperty('ignored');
  });

  it('answers a command in a forum topic there: the handle keeps the topic', () => {
    const topic = messageOf('forum-topic-message');
    const command = {
      ...topic,
      text: '/community help',
      entities: [{ type: 'bot_command', offset: 0, length: 10 }],
    } as Message;

    expect(translateMessage(command, 6, BOT)).toMatchObject({
      command: {
        location: { channelId: '-1009876543210/20' },
        answer: { chatId: -1009876543210, messageId: 21, topicId: 20, privateChat: false },
      },
    });
  });

  it('writes a text mention as <@id>, so the core reads the member it names', () => {
    const command = {
      ...messageOf('command'),
      text: '/community thanks Zoë Ann for the 🎉',
      entities: [
        { type: 'bot_command', offset: 0, length: 10 },
        { type: 'text_mention', offset: 18, length: 7, user: { id: 555, is_bot: false, first_name: 'Zoë' } },
      ],
    } as Message;

    expect(translateMessage(command, 7, BOT)).toMatchObject({
      command: { input: { text: 'thanks <@555> for the 🎉' } },
    });
  });
});

describe('translateMessage in a private chat with the bot', () => {
  const privately = (text: string, command = text.startsWith('/')) =>
    ({
      ...messageOf('message'),
      chat: { id: 111111111, type: 'private', first_name: 'Alice' },
      text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length }] }
        : {}),
    }) as Message;
  const DIRECT = {
    space: { platform: 'telegram', id: '111111111' },
    channelId: '111111111',
    direct: true,
  };

  it('marks a message direct (the core records nothing from a private chat) and hands its text on', () => {
    const result = translateMessage(privately('My answer'), 8, BOT);

    expect(result).toMatchObject({
      events: [{ kind: 'message_posted', location: DIRECT, textLength: 9 }],
      privateText: { kind: 'private_text', id: '8', location: DIRECT, text: 'My answer' },
    });
    expect(result).not.toHaveProperty('privateText.startToken');
  });

  it('reads /start <token> from a deep link as private text with the token, recording nothing', () => {
    expect(translateMessage(privately('/start -100123_abcdef'), 9, BOT)).toEqual({
      events: [],
      privateText: {
        id: '9',
        kind: 'private_text',
        location: DIRECT,
        member: { platform: 'telegram', id: '111111111' },
        occurredAt: new Date(1735725600 * 1000),
        text: '/start -100123_abcdef',
        startToken: '-100123_abcdef',
      },
    });
  });

  it('answers /start alone like /community help, and marks every command there direct', () => {
    expect(translateMessage(privately('/start'), 10, BOT)).toMatchObject({
      events: [],
      command: {
        input: { text: 'help' },
        location: DIRECT,
        answer: { chatId: 111111111, userId: 111111111, privateChat: true },
      },
    });
    expect(translateMessage(privately('/community stats'), 11, BOT)).toMatchObject({
      command: { input: { text: 'stats' }, location: DIRECT },
    });
  });

  it('hands other commands on as text (a guided form reads /cancel)', () => {
    expect(translateMessage(privately('/cancel'), 12, BOT)).toMatchObject({
      events: [],
      privateText: { text: '/cancel' },
    });
  });
});

describe('translateReaction', () => {
  const reaction = () => fixture('message-reaction').message_reaction as MessageReactionUpdated;

  it('emits one event per emoji added or removed, with indexed ids stable across redeliveries', () => {
    const first = translateReaction(reaction(), 640000103);
    const again = translateReaction(reaction(), 640000103);

    expect(first).toEqual(again);
    expect(first).toMatchObject({
      events: [
        { id: '640000103:0', kind: 'reaction_added', reaction: '🔥', messageId: '10', location: GROUP },
        { id: '640000103:1', kind: 'reaction_added', reaction: '❤' },
        { id: '640000103:2', kind: 'reaction_removed', reaction: '👍' },
      ],
    });
  });

  it('keeps the bare update id for a single change and names custom emoji by id', () => {
    const single = {
      ...reaction(),
      old_reaction: [],
      new_reaction: [{ type: 'custom_emoji', custom_emoji_id: '5368324170671202286' }],
    };

    expect(translateReaction(single as MessageReactionUpdated, 7)).toMatchObject({
      events: [{ id: '7', kind: 'reaction_added', reaction: 'custom:5368324170671202286' }],
    });
  });

  it('ignores anonymous reactions and unchanged lists', () => {
    const { user: _user, ...anonymous } = { ...reaction(), actor_chat: reaction().chat };
    const unchanged = { ...reaction(), new_reaction: reaction().old_reaction };

    expect(translateReaction(anonymous as MessageReactionUpdated, 1)).toHaveProperty('ignored');
    expect(translateReaction(unchanged, 1)).toHaveProperty('ignored');
  });
});

describe('translateChatMember', () => {
  const joined = () => fixture('chat-member-joined').chat_member as ChatMemberUpdated;
  const withStatuses = (before: object, after: object) =>
    ({
      ...joined(),
      old_chat_member: { ...joined().old_chat_member, ...before },
      new_chat_member: { ...joined().new_chat_member, ...after },
    }) as ChatMemberUpdated;

  it('records a join for the member whose status changed', () => {
    expect(translateChatMember(joined(), 640000104)).toEqual({
      events: [
        {
          // Named by chat, member and date, so the join's service message is the same event (issue 9).
          id: 'join:18faca2c1e045b82d404e493',
          kind: 'member_joined',
          location: GROUP,
          member: { platform: 'telegram', id: '444444444' },
          occurredAt: new Date(1735725780 * 1000),
          name: 'Dave',
        },
      ],
    });
  });

  it('reads leaving, being banned, and restriction membership both ways', () => {
    const kind = (update: ChatMemberUpdated) => {
      const result = translateChatMember(update, 1);
      return 'events' in result ? result.events[0]?.kind : result.ignored;
    };

    expect(kind(withStatuses({ status: 'member' }, { status: 'left' }))).toBe('member_left');
    expect(kind(withStatuses({ status: 'administrator' }, { status: 'kicked', until_date: 0 }))).toBe(
      'member_left',
    );
    expect(kind(withStatuses({ status: 'kicked' }, { status: 'restricted', is_member: true }))).toBe(
      'member_joined',
    );
    expect(
      kind(
        withStatuses({ status: 'restricted', is_member: true }, { status: 'restricted', is_member: false }),
      ),
    ).toBe('member_left');
    expect(kind(withStatuses({ status: 'member' }, { status: 'administrator' }))).toMatch(/without join/);
  });
});

describe('translateCallbackQuery', () => {
  it('records the press with its action id, and a handle to answer it', () => {
    const query = fixture('callback-query').callback_query;
    const receivedAt = new Date('2026-01-01T10:00:00Z');

    expect(query && translateCallbackQuery(query, 640000105, receivedAt)).toEqual({
      events: [
        {
          id: '640000105',
          kind: 'button_pressed',
          location: GROUP,
          member: { platform: 'telegram', id: '111111111' },
          occurredAt: receivedAt,
          actionId: 'help',
          answer: { chatId: -1001234567890, userId: 111111111, messageId: 12, privateChat: false },
        },
      ],
    });
  });

  it('splits the callback data into the action id and the value the button carried', () => {
    const query = fixture('callback-query').callback_query as CallbackQuery;
    const withValue = { ...query, data: 'feedback.read:-1001234567890/AbC:12' };

    expect(translateCallbackQuery(withValue, 1, new Date())).toMatchObject({
      events: [{ actionId: 'feedback.read', value: '-1001234567890/AbC:12' }],
    });
  });

  it('reads a press in a private chat on a button naming a group as a press in that group, answered privately', () => {
    const query = fixture('callback-query').callback_query as CallbackQuery;
    const inPrivate = {
      ...query,
      data: 'link.join@-1009876543210:0123456789abcdef0123456789abcdef',
      message: { ...query.message, chat: { id: 111111111, type: 'private', first_name: 'Alice' } },
    } as CallbackQuery;

    expect(translateCallbackQuery(inPrivate, 2, new Date())).toMatchObject({
      events: [
        {
          location: { space: { platform: 'telegram', id: '-1009876543210' }, channelId: '-1009876543210' },
          actionId: 'link.join',
          value: '0123456789abcdef0123456789abcdef',
          answer: { chatId: 111111111, privateChat: true, groupChatId: -1009876543210 },
        },
      ],
    });
  });

  it('keeps a press where it happened when the group is named in a group, or is no group id', () => {
    const query = fixture('callback-query').callback_query as CallbackQuery;
    const privateChat = { id: 111111111, type: 'private', first_name: 'Alice' };
    const inGroup = { ...query, data: 'link.cancel@-1009876543210' };
    const notAGroup = {
      ...query,
      data: 'link.cancel@111:x',
      message: { ...query.message, chat: privateChat },
    };

    const [pressInGroup] = (translateCallbackQuery(inGroup, 3, new Date()) as { events: unknown[] }).events;
    const [pressInPrivate] = (
      translateCallbackQuery(notAGroup as CallbackQuery, 4, new Date()) as { events: unknown[] }
    ).events;

    expect(pressInGroup).toMatchObject({ location: GROUP, actionId: 'link.cancel' });
    expect(pressInGroup).not.toHaveProperty('answer.groupChatId');
    expect(pressInPrivate).toMatchObject({
      location: { space: { id: '111111111' }, direct: true },
      actionId: 'link.cancel',
      value: 'x',
    });
  });
});
