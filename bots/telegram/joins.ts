import { createHash } from 'node:crypto';
import type { Chat, ChatMemberUpdated, Message, User } from 'grammy/types';
import type { MemberJoined, MemberLeft } from '../../shared/core/events.js';
import { ignore, type Parsed } from '../../shared/platform/ignored.js';
import { chatLocation, fromUnixTime, telegramMember as member } from './locate.js';
import { isInChat } from './space-changes.js';

/**
 * Members joining and leaving a group, from the two updates that tell it: `chat_member` (delivered only where
 * the bot is an administrator) and the `new_chat_members` service message (sent in every group).
 */

/** The events of one join or leave, or why there are none. */
export type MembershipTranslation = Parsed<{ readonly events: readonly (MemberJoined | MemberLeft)[] }>;

/**
 * `member_joined` when the member goes from outside the chat (left, kicked, or restricted while not a
 * member) to inside it, `member_left` the other way. Promotions, restrictions and bots are ignored. A join
 * carries the member's first name (for a greeting's mention) and the id {@link joinEventId} gives it, so
 * the `new_chat_members` message of the same join is recorded once with it; a leave keeps the update id.
 */
export function translateChatMember(update: ChatMemberUpdated, updateId: number): MembershipTranslation {
  const subject = update.new_chat_member.user;
  if (subject.is_bot) return ignore('chat member change of a bot');
  const wasIn = isInChat(update.old_chat_member);
  const isIn = isInChat(update.new_chat_member);
  if (wasIn === isIn) return ignore('chat member status change without join or leave');
  if (isIn) return { events: [joined(update.chat, subject, update.date)] };
  return {
    events: [
      {
        id: String(updateId),
        kind: 'member_left',
        location: chatLocation(update.chat),
        member: member(subject),
        occurredAt: fromUnixTime(update.date),
      },
    ],
  };
}

/**
 * A `new_chat_members` service message: one `member_joined` per new member who is not a bot (the bot's own
 * arrival is `my_chat_member`'s). Telegram sends this message in every group, but `chat_member` only where
 * the bot is an administrator, so a group where it is not still has its joins heard.
 */
export function translateNewMembers(message: Message): Parsed<{ readonly events: readonly MemberJoined[] }> {
  if (message.chat.type !== 'group' && message.chat.type !== 'supergroup') {
    return ignore('new members outside a group');
  }
  const people = (message.new_chat_members ?? []).filter((user) => !user.is_bot);
  if (people.length === 0) return ignore('new members are all bots');
  return { events: people.map((user) => joined(message.chat, user, message.date)) };
}

function joined(chat: Chat, user: User, date: number): MemberJoined {
  const name = user.first_name?.trim().slice(0, NAME_LIMIT);
  return {
    id: joinEventId(chat.id, user.id, date),
    kind: 'member_joined',
    location: chatLocation(chat),
    member: member(user),
    occurredAt: fromUnixTime(date),
    ...(name ? { name } : {}),
  };
}

/** Telegram's limit for a first name; a longer one (a forged payload) is cut before it is kept. */
const NAME_LIMIT = 64;

/**
 * One join, one id, whichever update told it. Where the bot is an administrator, a join arrives twice: as
 * `chat_member` and as a `new_chat_members` message, with different update ids but the same chat, member
 * and `date` (the second of the join, stamped by Telegram on both). The id is derived from those three, so
 * the core records the join once (its key is the event id). It is a digest, not the ids themselves: the
 * event id is part of the record's key, and no key holds a Telegram user id. A member who leaves and comes
 * back joins at another second: a new join.
 */
export function joinEventId(chatId: number, userId: number, date: number): string {
  const digest = createHash('sha256').update(`telegram-join:${chatId}:${userId}:${date}`).digest('hex');
  return `join:${digest.slice(0, 24)}`;
}
