import type { CallbackQuery, Message, MessageReactionUpdated, ReactionType, User } from 'grammy/types';
import { COMMAND_NAME } from '../../shared/core/command-table.js';
import type {
  ButtonPressed,
  CommandInvoked,
  InboundEvent,
  Location,
  Member,
  MemberJoined,
  MessagePosted,
  PrivateText,
  ReactionAdded,
  ReactionRemoved,
  SpaceChange,
  ThreadReply,
} from '../../shared/core/events.js';
import { ignore, type Parsed } from '../../shared/platform/ignored.js';
import { type TelegramAnswer, toAnswerHandle } from './answer-handle.js';
import { postId } from './changes.js';
import { readTypedCommand, type TypedCommand, writeTextMentions } from './command-text.js';
import { translateNewMembers } from './joins.js';
import { chatLocation, fromUnixTime, telegramMember as member } from './locate.js';
import { CALLBACK_SEPARATOR, GROUP_SEPARATOR } from './render.js';
import { messageSpaceChange, telegramSpace } from './space-changes.js';

export { translateEdit, translatePollAnswer, translateReactionCount } from './changes.js';
export { joinEventId, translateChatMember, translateNewMembers } from './joins.js';

/**
 * Telegram updates as core events. Pure functions over the Bot API's own objects: the webhook hands in
 * the `update_id`, which Telegram keeps when it delivers the same update again, so it is the event id (but a
 * join's, which two different updates may tell: joins.ts).
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

const PLATFORM = 'telegram' as const;

/**
 * What one message means: engagement to record, a command to answer, text for the bot in a private chat
 * (a guided form's answer, a deep link's `/start <token>`), a change of the space itself (a migration), or
 * why it is deliberately left alone.
 */
export type MessageTranslation = Parsed<{
  /**
   * A post or a reply, for the core to record. In a private chat its location is `direct`, and the core
   * records nothing (a private chat is never a space).
   */
  readonly events: readonly (MessagePosted | ThreadReply | MemberJoined)[];
  /** `/community ...`: answered (the dispatcher records it itself). */
  readonly command?: CommandInvoked;
  /** Sent to the bot in a private chat: dispatched, never recorded as text. */
  readonly privateText?: PrivateText;
  /** A migration or a group created with the bot (space-changes.ts): not engagement. */
  readonly spaceChange?: SpaceChange;
}>;

/** Where a deep link lands: Telegram sends `/start <payload>` when the member presses Start. */
const START_COMMAND = 'start';

/**
 * A message becomes `command_invoked` (our `/community` command, or `/start` alone in a private chat),
 * `thread_reply` (a reply) or `message_posted`; in a private chat with the bot its text is also handed on
 * as `private_text`. A group's migration to a supergroup (sent on behalf of the chat in the new one) and a
 * group created with the bot are space changes. A `new_chat_members` service message is one `member_joined`
 * per new member who is not a bot (see {@link translateNewMembers}). Other service messages (pins, topics...),
 * messages sent on behalf of a chat, bots' messages and, in groups, commands for other bots are ignored.
 */
export function translateMessage(
  message: Message,
  updateId: number,
  botUsername: string,
): MessageTranslation {
  const spaceChange = messageSpaceChange(message);
  if (spaceChange) return { events: [], spaceChange };
  if (message.new_chat_members) return translateNewMembers(message);
  // Anonymous admins and linked channels post "as the chat"; `from` is then a placeholder account.
  if (message.sender_chat) return translateChatPost(message);
  const author = message.from;
  if (!author) return ignore('message without a sender');
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
  const direct = message.chat.type === 'private';
  const text = message.text ?? message.caption ?? '';
  if (startsWithCommand(message)) {
    const typed = readTypedCommand(writeTextMentions(text, message.entities), botUsername);
    return typed ? commandMeaning(typed, message, base, direct) : ignore(NOT_OURS);
  }
  const event = postOf(message, base, text, author);
  return direct
    ? { events: [event], privateText: { ...base, kind: 'private_text', text } }
    : { events: [event] };
}

/**
 * A post or a reply. Its id is the message's (not the update's), so an edit finds its record; `author`
 * undefined: posted in the chat's name.
 */
function postOf(message: Message, base: EventBase, text: string, author?: User): MessagePosted | ThreadReply {
  const post = { ...base, id: postId(message.message_id) };
  const content = { messageId: String(message.message_id), textLength: text.length };
  const replied = answeredMessage(message);
  return replied === undefined
    ? { ...post, kind: 'message_posted', ...content }
    : {
        ...post,
        kind: 'thread_reply',
        ...content,
        replyToId: String(replied.message_id),
        ...(author ? addressedTo(replied, author) : {}),
      };
}

/**
 * A post by an anonymous admin, or on behalf of a channel: counted for the chat, for no member (`member` is
 * the chat that signed it). A command sent that way is not answered: nobody can be told it is theirs.
 */
function translateChatPost(message: Message): MessageTranslation {
  const signer = message.sender_chat;
  if (!signer) return ignore('message without a sender');
  if (startsWithCommand(message))
    return ignore('a command sent in the name of a chat: whose it is is unknown');
  if (message.chat.type === 'private') return ignore('a chat post in a private chat');
  if (!CONTENT_FIELDS.some((field) => message[field] !== undefined)) return ignore('service message');
  const base = {
    id: postId(message.message_id),
    location: messageLocation(message),
    member: { platform: PLATFORM, id: String(signer.id) },
    occurredAt: fromUnixTime(message.date),
  };
  const event = postOf(message, base, message.text ?? message.caption ?? '');
  return { events: [{ ...event, anonymous: true }] };
}

const NOT_OURS = 'command for another bot or another command';

type EventBase = Pick<PrivateText, 'id' | 'location' | 'member' | 'occurredAt'>;

function commandMeaning(
  typed: TypedCommand,
  message: Message,
  base: EventBase,
  direct: boolean,
): MessageTranslation {
  const invoked = (text: string): CommandInvoked => ({
    ...base,
    kind: 'command_invoked',
    input: { text },
    answer: toAnswerHandle(commandAnswer(message)),
  });
  if (typed.name === COMMAND_NAME) return { events: [], command: invoked(typed.rest) };
  if (!direct) return ignore(NOT_OURS);
  const text = message.text ?? '';
  if (typed.name === START_COMMAND) {
    // `/start` alone is a member opening the chat: show them what the bot does.
    const token = typed.rest.split(/\s/)[0];
    if (!token) return { events: [], command: invoked('help') };
    return { events: [], privateText: { ...base, kind: 'private_text', text, startToken: token } };
  }
  // `/cancel` and the like, typed to the bot: a guided form reads them.
  return { events: [], privateText: { ...base, kind: 'private_text', text } };
}

/** Where the answer to a command goes: the command's chat, message and topic, and who sent it. */
function commandAnswer(message: Message): TelegramAnswer {
  return {
    chatId: message.chat.id,
    userId: message.from?.id ?? message.chat.id,
    messageId: message.message_id,
    ...topicOf(message),
    privateChat: message.chat.type === 'private',
  };
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
      // For logs; the core keys a reaction by message, member and emoji.
      id: changes.length === 1 ? String(updateId) : `${updateId}:${index}`,
      kind,
      reaction,
      // Telegram numbers updates in the order it sends them: the order of one reaction's changes.
      sequence: updateId,
    })),
  };
}

/**
 * A press on one of our inline buttons: its `callback_data` is `<actionId>:<value>` (render.ts), split at
 * the first `:`; data without one is an action id alone. A button under a private answer names the group
 * the answer was for (`<actionId>@<chatId>:<value>`): pressed in the private chat, it is a press in that
 * group, answered in the private chat. Rights are asked of Telegram for the group, so naming a group in
 * forged data gains nothing a member could not do there.
 */
export function translateCallbackQuery(
  query: CallbackQuery,
  updateId: number,
  receivedAt: Date,
): Translation<ButtonPressed> {
  if (!query.message) return ignore('button on an inline-mode message (no chat)');
  if (!query.data) return ignore('callback query without data (game button)');
  const message = query.message;
  // An inaccessible message (date 0) still names its chat and id, not its topic.
  const accessible = message.date === 0 ? undefined : (message as Message);
  const { actionId, value, group } = splitCallbackData(query.data);
  const forGroup = message.chat.type === 'private' ? group : undefined;
  const answer: TelegramAnswer = {
    chatId: message.chat.id,
    userId: query.from.id,
    messageId: message.message_id,
    ...(accessible ? topicOf(accessible) : {}),
    privateChat: message.chat.type === 'private',
    ...(forGroup === undefined ? {} : { groupChatId: forGroup }),
  };
  const location =
    forGroup !== undefined
      ? groupLocation(forGroup)
      : accessible
        ? messageLocation(accessible)
        : chatLocation(message.chat);
  return {
    events: [
      {
        id: String(updateId),
        kind: 'button_pressed',
        location,
        member: member(query.from),
        // A callback query carries no date of its own.
        occurredAt: receivedAt,
        actionId,
        ...(value === undefined ? {} : { value }),
        answer: toAnswerHandle(answer),
      },
    ],
  };
}

/** What a button's `callback_data` carries: the action id, the value, and the group it answers for. */
export function splitCallbackData(data: string): { actionId: string; value?: string; group?: number } {
  const at = data.indexOf(CALLBACK_SEPARATOR);
  const head = at < 0 ? data : data.slice(0, at);
  const value = at < 0 ? {} : { value: data.slice(at + 1) };
  const named = head.indexOf(GROUP_SEPARATOR);
  if (named < 0) return { actionId: head, ...value };
  const group = Number(head.slice(named + 1));
  // Only a group's id (negative) can be named; anything else is dropped, and the press stays where it was.
  const valid = /^-\d+$/.test(head.slice(named + 1)) && Number.isSafeInteger(group);
  return { actionId: head.slice(0, named), ...value, ...(valid ? { group } : {}) };
}

/** Whether the message starts with a `bot_command` entity (how Telegram marks `/name`). */
function startsWithCommand(message: Message): boolean {
  const entity = message.entities?.[0];
  return entity?.type === 'bot_command' && entity.offset === 0 && message.text !== undefined;
}

function topicOf(message: Message): { topicId?: number } {
  return message.is_topic_message && message.message_thread_id !== undefined
    ? { topicId: message.message_thread_id }
    : {};
}

type AnsweredMessage = NonNullable<Message['reply_to_message']>;

/**
 * The message this one answers. In a forum every message of a topic "replies" to the topic's creation
 * message; that is where it was posted, not an answer, so it does not count as a reply.
 */
function answeredMessage(message: Message): AnsweredMessage | undefined {
  const replied = message.reply_to_message;
  if (!replied) return undefined;
  if (message.is_topic_message && replied.forum_topic_created) return undefined;
  return replied;
}

/**
 * Who a reply is addressed to, spread into the event: the author of the message answered, unless that is
 * the replier, a bot, or a chat (a channel post or an anonymous admin, whose `from` is a placeholder account
 * such as Telegram's 777000). The update check leaves these fields unchecked (update-schema.ts), so they are
 * read warily here: a malformed one costs the reply its addressee, never the reply.
 */
function addressedTo(replied: AnsweredMessage, author: User): { toMember?: Member } {
  if (replied.sender_chat !== undefined && replied.sender_chat !== null) return {};
  const from: unknown = replied.from;
  if (typeof from !== 'object' || from === null) return {};
  const { id, is_bot: isBot } = from as { id?: unknown; is_bot?: unknown };
  // A missing `is_bot` is a person (Telegram's own webhook examples predate the field).
  const person = isBot === undefined || isBot === false;
  if (!person || typeof id !== 'number' || !Number.isSafeInteger(id) || id === author.id) return {};
  return { toMember: { platform: PLATFORM, id: String(id) } };
}

/** The chat, or `<chat>/<topic>` for a message in a forum topic. */
function messageLocation(message: Message): Location {
  const location = chatLocation(message.chat);
  if (!message.is_topic_message || message.message_thread_id === undefined) return location;
  return { ...location, channelId: `${message.chat.id}/${message.message_thread_id}` };
}

/** A group named by a button pressed in a private chat: its title is not in the payload. */
function groupLocation(chatId: number): Location {
  const space = telegramSpace(chatId);
  return { space, channelId: space.id };
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
