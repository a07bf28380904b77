import type {
  CallbackQuery,
  Chat,
  ChatMember,
  ChatMemberUpdated,
  Message,
  MessageReactionUpdated,
  ReactionType,
  User,
} from 'grammy/types';
import { parseCommandText } from '../../shared/core/commands.js';
import type {
  ButtonPressed,
  CommandInvoked,
  InboundEvent,
  Location,
  Member,
  MemberJoined,
  MemberLeft,
  MessagePosted,
  ReactionAdded,
  ReactionRemoved,
  ThreadReply,
} from '../../shared/core/events.js';
import { ignore, type Parsed } from '../../shared/platform/ignored.js';

/**
 * Telegram updates as core events. Pure functions over the Bot API's own objects: the webhook hands in
 * the `update_id`, which Telegram keeps when it delivers the same update again, so it is the event id.
 */

/**
 * What one update becomes: the events to record, or why it is deliberately not recorded. The update's
 * shape is checked before (update-schema.ts), so these functions only decide what it means.
 */
export type Translation<E extends InboundEvent = InboundEvent> = Parsed<{ readonly events: readonly E[] }>;

/** Message fields that carry something a member wrote or shared; anything else is a service message. */
export const CONTENT_FIELDS = [
  'text',
  'photo',
  'video',
  'animation',
  'audio',
  'document',
  'sticker',
  'voice',
  'video_note',
  'paid_media',
  'poll',
  'checklist',
  'location',
  'venue',
  'contact',
  'dice',
  'story',
  'game',
] as const satisfies readonly (keyof Message)[];

const PLATFORM = 'telegram';

/**
 * A message becomes `command_invoked` (our `/community` command), `thread_reply` (a reply) or
 * `message_posted`. Service messages (joins, pins, topic changes...), messages sent on behalf of a chat,
 * bots' messages and commands for other bots are ignored.
 */
export function translateMessage(
  message: Message,
  updateId: number,
  botUsername: string,
): Translation<MessagePosted | ThreadReply | CommandInvoked> {
  const author = message.from;
  if (!author) return ignore('message without a sender');
  // Anonymous admins and linked channels post "as the chat"; `from` is then a placeholder account.
  if (message.sender_chat) return ignore('message sent on behalf of a chat');
  if (author.is_bot) return ignore('message from a bot');
  if (!CONTENT_FIELDS.some((field) => message[field] !== undefined)) {
    return ignore('service message');
  }
  const base = {
    id: String(updateId),
    location: messageLocation(message),
    member: member(author),
    occurredAt: fromUnixTime(message.date),
  };
  const command = commandOf(message);
  if (command !== undefined) {
    const args = parseCommandText(command, botUsername);
    if (args === undefined) return ignore('command for another bot or another command');
    return { events: [{ ...base, kind: 'command_invoked', args }] };
  }
  const content = {
    messageId: String(message.message_id),
    textLength: (message.text ?? message.caption ?? '').length,
  };
  const repliedTo = repliedMessageId(message);
  if (repliedTo === undefined) return { events: [{ ...base, kind: 'message_posted', ...content }] };
  return { events: [{ ...base, kind: 'thread_reply', ...content, replyToId: repliedTo }] };
}

/**
 * One `reaction_added` per emoji in `new_reaction` but not in `old_reaction`, one `reaction_removed` per
 * emoji the other way round. A single change keeps the bare update id; several get an index suffix, in
 * payload order, which a redelivery repeats.
 */
export function translateReaction(
  update: MessageReactionUpdated,
  updateId: number,
): Translation<ReactionAdded | ReactionRemoved> {
  if (!update.user) return ignore('anonymous reaction (actor_chat)');
  const before = update.old_reaction.map(reactionName);
  const after = update.new_reaction.map(reactionName);
  const changes = [
    ...after.filter((name) => !before.includes(name)).map((name) => ['reaction_added', name] as const),
    ...before.filter((name) => !after.includes(name)).map((name) => ['reaction_removed', name] as const),
  ];
  if (changes.length === 0) return ignore('reaction list unchanged');
  const base = {
    location: chatLocation(update.chat),
    member: member(update.user),
    occurredAt: fromUnixTime(update.date),
    messageId: String(update.message_id),
  };
  return {
    events: changes.map(([kind, reaction], index) => ({
      ...base,
      id: changes.length === 1 ? String(updateId) : `${updateId}:${index}`,
      kind,
      reaction,
    })),
  };
}

/**
 * `member_joined` when the member goes from outside the chat (left, kicked, or restricted while not a
 * member) to inside it, `member_left` the other way. Promotions, restrictions and bots are ignored.
 */
export function translateChatMember(
  update: ChatMemberUpdated,
  updateId: number,
): Translation<MemberJoined | MemberLeft> {
  const subject = update.new_chat_member.user;
  if (subject.is_bot) return ignore('chat member change of a bot');
  const wasIn = isInChat(update.old_chat_member);
  const isIn = isInChat(update.new_chat_member);
  if (wasIn === isIn) return ignore('chat member status change without join or leave');
  return {
    events: [
      {
        id: String(updateId),
        kind: isIn ? 'member_joined' : 'member_left',
        location: chatLocation(update.chat),
        member: member(subject),
        occurredAt: fromUnixTime(update.date),
      },
    ],
  };
}

/** A press on one of our inline buttons: its `callback_data` is the reply button's `actionId`. */
export function translateCallbackQuery(
  query: CallbackQuery,
  updateId: number,
  receivedAt: Date,
): Translation<ButtonPressed> {
  if (!query.message) return ignore('button on an inline-mode message (no chat)');
  if (!query.data) return ignore('callback query without data (game button)');
  const message = query.message;
  return {
    events: [
      {
        id: String(updateId),
        kind: 'button_pressed',
        // An inaccessible message (date 0) still names its chat, not its topic.
        location: message.date === 0 ? chatLocation(message.chat) : messageLocation(message as Message),
        member: member(query.from),
        // A callback query carries no date of its own.
        occurredAt: receivedAt,
        actionId: query.data,
      },
    ],
  };
}

/** The text of a leading `bot_command` entity, if the message starts with one. */
function commandOf(message: Message): string | undefined {
  const entity = message.entities?.[0];
  if (entity?.type !== 'bot_command' || entity.offset !== 0 || message.text === undefined) return undefined;
  return message.text;
}

/**
 * The id of the message this one answers. In a forum every message of a topic "replies" to the topic's
 * creation message; that is where it was posted, not an answer, so it does not count as a reply.
 */
function repliedMessageId(message: Message): string | undefined {
  const replied = message.reply_to_message;
  if (!replied) return undefined;
  if (message.is_topic_message && replied.forum_topic_created) return undefined;
  return String(replied.message_id);
}

/** The chat, or `<chat>/<topic>` for a message in a forum topic. */
function messageLocation(message: Message): Location {
  const location = chatLocation(message.chat);
  if (!message.is_topic_message || message.message_thread_id === undefined) return location;
  return { ...location, channelId: `${message.chat.id}/${message.message_thread_id}` };
}

function chatLocation(chat: Chat): Location {
  const id = String(chat.id);
  return { space: { platform: PLATFORM, id }, channelId: id };
}

function member(user: User): Member {
  return { platform: PLATFORM, id: String(user.id) };
}

function isInChat(chatMember: ChatMember): boolean {
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

function reactionName(reaction: ReactionType): string {
  switch (reaction.type) {
    case 'emoji':
      return reaction.emoji;
    case 'custom_emoji':
      return `custom:${reaction.custom_emoji_id}`;
    default:
      return reaction.type;
  }
}

function fromUnixTime(seconds: number): Date {
  return new Date(seconds * 1000);
}
