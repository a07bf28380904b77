import type { Chat, ChatMember, ChatMemberUpdated, Message } from 'grammy/types';
import type { Space, SpaceChange } from '../../shared/core/events.js';
import { ignore, type Parsed } from '../../shared/platform/ignored.js';

/**
 * The bot's own place in a Telegram chat, as core {@link SpaceChange}s. A space is a group or a supergroup:
 * a private chat with the bot never is one (nothing there is community engagement), nor is a channel.
 */

/** What a `my_chat_member` update means for the chat's space, or why it means nothing. */
export type SpaceChangeTranslation = Parsed<{ readonly change: SpaceChange }>;

/**
 * `my_chat_member` reports the bot's own status in a chat. In a group or supergroup, going from outside
 * (left, kicked, restricted while not a member) to inside is `bot_added`, the other way `bot_removed`; a
 * promotion or a restriction that keeps the bot in is nothing. In a private chat it means the member blocked
 * or unblocked the bot: ignored on purpose, since a private chat is never a space.
 */
export function translateMyChatMember(update: ChatMemberUpdated): SpaceChangeTranslation {
  const { chat } = update;
  if (chat.type === 'private') {
    return ignore('bot blocked or unblocked in a private chat (never a space)');
  }
  if (chat.type === 'channel') return ignore('bot added to or removed from a channel (not a space)');
  const wasIn = isInChat(update.old_chat_member);
  const isIn = isInChat(update.new_chat_member);
  if (wasIn === isIn) return ignore('bot status change without being added or removed');
  const space = telegramSpace(chat.id);
  return {
    change: isIn
      ? { kind: 'bot_added', space, channelId: space.id, ...titleOf(chat) }
      : { kind: 'bot_removed', space },
  };
}

/**
 * The service messages that change a space: a group became a supergroup (Telegram sends
 * `migrate_to_chat_id` in the old group and `migrate_from_chat_id` in the new supergroup; both arrive, the
 * core applies the move once), or a member created a group with the bot in it (`group_chat_created`: a
 * supergroup or channel cannot be created with a bot, so only a basic group comes this way).
 */
export function messageSpaceChange(message: Message): SpaceChange | undefined {
  const { chat } = message;
  if (chat.type !== 'group' && chat.type !== 'supergroup') return undefined;
  const here = telegramSpace(chat.id);
  if (message.migrate_to_chat_id !== undefined) {
    return { kind: 'space_migrated', from: here, to: telegramSpace(message.migrate_to_chat_id) };
  }
  if (message.migrate_from_chat_id !== undefined) {
    return { kind: 'space_migrated', from: telegramSpace(message.migrate_from_chat_id), to: here };
  }
  if (message.group_chat_created) {
    return { kind: 'bot_added', space: here, channelId: here.id, ...titleOf(chat) };
  }
  return undefined;
}

/** Whether a chat member (the bot, or a member) is inside the chat: a restricted one only if still a member. */
export function isInChat(chatMember: ChatMember): boolean {
  switch (chatMember.status) {
    case 'creator':
    case 'administrator':
    case 'member':
      return true;
    case 'restricted':
      return chatMember.is_member;
    default:
      return false;
  }
}

export function telegramSpace(chatId: number): Space {
  return { platform: 'telegram', id: String(chatId) };
}

/** A group's title (what the core names the space by); private chats and ill-formed chats have none. */
export function titleOf(chat: Chat): { name?: string } {
  return 'title' in chat && chat.title ? { name: chat.title } : {};
}
