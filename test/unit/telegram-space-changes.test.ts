import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMemberUpdated, Message, Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { messageSpaceChange, translateMyChatMember } from '../../bots/telegram/space-changes.js';

function fixture(name: string): Update {
  const file = join(import.meta.dirname, '../fixtures/telegram', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Update;
}

const added = () => fixture('my-chat-member-added').my_chat_member as ChatMemberUpdated;
const SPACE = { platform: 'telegram', id: '-1001234567890' };

/** The bot's own update with other statuses, in another chat if given. */
function botStatus(before: object, after: object, chat: object = added().chat): ChatMemberUpdated {
  const update = added();
  return {
    ...update,
    chat,
    old_chat_member: { ...update.old_chat_member, ...before },
    new_chat_member: { ...update.new_chat_member, ...after },
  } as ChatMemberUpdated;
}

describe('translateMyChatMember', () => {
  it('reads the bot added to a supergroup as bot_added there, its notice going to the group', () => {
    expect(translateMyChatMember(added())).toEqual({
      change: { kind: 'bot_added', space: SPACE, channelId: SPACE.id, name: 'Example Community' },
    });
  });

  it('reads the bot kicked or leaving as bot_removed', () => {
    const removed = fixture('my-chat-member-removed').my_chat_member as ChatMemberUpdated;

    expect(translateMyChatMember(removed)).toEqual({ change: { kind: 'bot_removed', space: SPACE } });
    expect(translateMyChatMember(botStatus({ status: 'administrator' }, { status: 'left' }))).toEqual({
      change: { kind: 'bot_removed', space: SPACE },
    });
  });

  it('reads added as administrator, or restricted but a member, as added; a promotion as nothing', () => {
    const kind = (update: ChatMemberUpdated) => {
      const result = translateMyChatMember(update);
      return 'change' in result ? result.change.kind : result.ignored;
    };

    expect(kind(botStatus({ status: 'kicked' }, { status: 'administrator' }))).toBe('bot_added');
    expect(kind(botStatus({ status: 'left' }, { status: 'restricted', is_member: true }))).toBe('bot_added');
    expect(kind(botStatus({ status: 'restricted', is_member: true }, { status: 'left' }))).toBe(
      'bot_removed',
    );
    expect(kind(botStatus({ status: 'member' }, { status: 'administrator' }))).toBe(
      'bot status change without being added or removed',
    );
  });

  it('ignores a private chat on purpose: a member blocking or unblocking the bot is never a space', () => {
    const privateChat = { id: 111111111, type: 'private', first_name: 'Alice' };

    expect(translateMyChatMember(botStatus({ status: 'member' }, { status: 'kicked' }, privateChat))).toEqual(
      {
        ignored: 'bot blocked or unblocked in a private chat (never a space)',
      },
    );
    expect(translateMyChatMember(botStatus({ status: 'kicked' }, { status: 'member' }, privateChat))).toEqual(
      {
        ignored: 'bot blocked or unblocked in a private chat (never a space)',
      },
    );
  });

  it('ignores channels: a space is a group or a supergroup', () => {
    const channel = { id: -1009999999999, type: 'channel', title: 'News' };

    expect(
      translateMyChatMember(botStatus({ status: 'left' }, { status: 'administrator' }, channel)),
    ).toEqual({ ignored: 'bot added to or removed from a channel (not a space)' });
  });
});

describe('messageSpaceChange', () => {
  it('gives nothing for an ordinary message, nor for a migration field in a private chat', () => {
    const message = fixture('message').message as Message;
    const privately = {
      ...message,
      chat: { id: 111111111, type: 'private', first_name: 'Alice' },
      migrate_to_chat_id: -100,
    } as Message;

    expect(messageSpaceChange(message)).toBeUndefined();
    expect(messageSpaceChange(privately)).toBeUndefined();
  });
});
