import type { Chat, User } from 'grammy/types';
import type { Location, Member } from '../../shared/core/events.js';
import { telegramSpace, titleOf } from './space-changes.js';

/** Where a Telegram object happened and who did it, as core types (parse.ts and joins.ts share them). */

/**
 * A private chat with the bot is `direct`: nobody moderates it, and it is never a space. A group is named by
 * its title.
 */
export function chatLocation(chat: Chat): Location {
  const space = telegramSpace(chat.id);
  const location: Location = { space, channelId: space.id };
  if (chat.type === 'private') return { ...location, direct: true };
  const { name } = titleOf(chat);
  return name ? { ...location, spaceName: name } : location;
}

export function telegramMember(user: User): Member {
  return { platform: 'telegram', id: String(user.id) };
}

/** A Bot API `date` (Unix seconds). */
export function fromUnixTime(seconds: number): Date {
  return new Date(seconds * 1000);
}
