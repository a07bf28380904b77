/**
 * The platform-neutral model every adapter translates into.
 *
 * A Slack workspace, a Discord guild and a Telegram chat are all a {@link Space}; a platform user is a
 * {@link Member}. Adapters build these from their payloads and hand them to the core; nothing here knows
 * which SDK produced them.
 */
import type { AnswerHandle } from './messenger.js';

/** The chat platforms the bots run on. */
export const PLATFORMS = ['slack', 'discord', 'telegram'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A community on one platform: a Slack workspace, a Discord guild or a Telegram chat. */
export interface Space {
  readonly platform: Platform;
  /** The platform's id: Slack team id, Discord guild id, Telegram chat id. */
  readonly id: string;
}

/** A member as the platform identifies them (never a name or profile: ids only). */
export interface Member {
  readonly platform: Platform;
  readonly id: string;
}

/** The channel of an event that happened in no channel: the space as a whole. */
export const SPACE_WIDE = '';

/** Where in a space something happened. */
export interface Location {
  readonly space: Space;
  /**
   * Slack channel, Discord channel, Telegram chat (same as the space) or forum topic; {@link SPACE_WIDE}
   * for what happens in the space as a whole (a Slack workspace join).
   */
  readonly channelId: string;
  /**
   * A private chat with the bot (a Discord DM, a Telegram private chat, a Slack DM), not a community
   * channel: nobody moderates it.
   */
  readonly direct?: boolean;
  /** The platform's name for the space when the payload carries one (a Telegram group title, a Slack team domain). */
  readonly spaceName?: string;
}

interface EventBase {
  /**
   * The platform's own identity for this event, stable across redeliveries (Slack `event_id` or channel + ts,
   * Telegram `update_id`, Discord interaction id). Two deliveries of one event carry the same id; this is
   * what makes recording idempotent.
   */
  readonly id: string;
  readonly location: Location;
  readonly member: Member;
  /** When the platform says it happened. */
  readonly occurredAt: Date;
  /**
   * Done in the name of the space rather than by a person: a Telegram post by an anonymous admin or on
   * behalf of a chat. `member` is then the chat that signed it; the act counts for the space and for no
   * member (no opaque id, never "seen", no edge).
   */
  readonly anonymous?: boolean;
}

/** A new top-level message. Only its length is kept, never its text. */
export interface MessagePosted extends EventBase {
  readonly kind: 'message_posted';
  readonly messageId: string;
  /** Unknown (left out) when the platform did not send the text (Discord without the Message Content intent). */
  readonly textLength?: number;
}

/** A message that answers another one (a Slack thread reply, a Telegram/Discord reply). */
export interface ThreadReply extends EventBase {
  readonly kind: 'thread_reply';
  readonly messageId: string;
  /** The thread root or the message replied to. */
  readonly replyToId: string;
  /** See {@link MessagePosted.textLength}. */
  readonly textLength?: number;
  /** Who wrote the message replied to, when the payload says it (Slack `parent_user_id`, Telegram `reply_to_message.from`). */
  readonly toMember?: Member;
}

/**
 * A reaction, as its current state. The core keys it by space, channel, message, member and emoji (not by the
 * event's `id`), so adding, removing and adding again is one record that counts while it is on, on every
 * platform, however often each change is delivered.
 */
export interface ReactionAdded extends EventBase {
  readonly kind: 'reaction_added';
  /**
   * Orders the changes of one reaction: a change older than the last one applied is stale and ignored (a
   * replay after a later removal). Telegram `update_id`, Slack `event_ts` in microseconds; when unset, the
   * time `occurredAt` in milliseconds (Discord's gateway gives no time: the relay's time of receipt).
   */
  readonly sequence?: number;
  /** The message reacted to. */
  readonly messageId: string;
  /** The emoji name or character. */
  readonly reaction: string;
  /** Who wrote the message reacted to, when the payload says it (Slack `item_user`, Discord `message_author_id`). */
  readonly toMember?: Member;
}

/** A reaction taken back: its record stops counting (see {@link ReactionAdded}). */
export interface ReactionRemoved extends EventBase {
  readonly kind: 'reaction_removed';
  /** See {@link ReactionAdded.sequence}. */
  readonly sequence?: number;
  readonly messageId: string;
  readonly reaction: string;
  readonly toMember?: Member;
}

export interface MemberJoined extends EventBase {
  readonly kind: 'member_joined';
  /**
   * The member's first name as the payload gave it (Telegram), for a mention in a welcome greeting. Kept only
   * in the outbox while the greeting waits; never recorded.
   */
  readonly name?: string;
}

export interface MemberLeft extends EventBase {
  readonly kind: 'member_left';
}

/**
 * A change to something already recorded, named by the event id it was recorded under. It carries no member:
 * a deletion on Discord does not say who wrote the message, and none is needed to find the record.
 */
interface ChangeBase {
  /** This change's own delivery identity (for logs). */
  readonly id: string;
  readonly location: Location;
  readonly occurredAt: Date;
  /** The `id` of the message's own event ({@link MessagePosted} or {@link ThreadReply}) as the adapter built it. */
  readonly targetId: string;
  /** Orders the changes of one message: an older one arriving late is ignored. Defaults to `occurredAt` in ms. */
  readonly sequence?: number;
}

/** A member edited a message: only its new length is kept (Slack `message_changed`, Telegram `edited_message`, Discord MESSAGE_UPDATE). */
export interface MessageEdited extends ChangeBase {
  readonly kind: 'message_edited';
  readonly textLength: number;
}

/**
 * A message was deleted: its record stops counting in stats from then on (and a late first delivery of it is
 * not counted either). Slack `message_deleted`, Discord MESSAGE_DELETE; Telegram tells bots of no deletions.
 */
export interface MessageDeleted extends ChangeBase {
  readonly kind: 'message_deleted';
}

/**
 * How many anonymous reactions of one emoji a message has now (Telegram `message_reaction_count`, sent for
 * chats whose reactions are anonymous): counted for the space, for no member. `targetId` is the message's own
 * event id; `sequence` orders counts (Telegram `update_id`).
 */
export interface ReactionsCounted extends ChangeBase {
  readonly kind: 'reactions_counted';
  readonly messageId: string;
  readonly reaction: string;
  readonly count: number;
}

/** A change to what was recorded, rather than a new act. */
export type MessageChange = MessageEdited | MessageDeleted | ReactionsCounted;

const CHANGE_KINDS: ReadonlySet<string> = new Set(['message_edited', 'message_deleted', 'reactions_counted']);

/** Whether an adapter's parsed event is a {@link MessageChange} (for `Community.onChange`). */
export function isMessageChange(event: { readonly kind: string }): event is MessageChange {
  return CHANGE_KINDS.has(event.kind);
}

/**
 * What followed `/community`: typed text (Slack, Telegram), or the options a platform already structured
 * (Discord). The core reads both against the one command table (command-grammar.ts).
 */
export type CommandInput =
  | { readonly text: string }
  | {
      readonly path: readonly string[];
      readonly options: Readonly<Record<string, string | number | boolean>>;
    };

/** An act the bot answers (a command, a press, a form): it carries the adapter's way to answer it later. */
interface InteractionBase extends EventBase {
  readonly answer: AnswerHandle;
}

/** A `/community ...` command, whatever the platform's way of sending it. */
export interface CommandInvoked extends InteractionBase {
  readonly kind: 'command_invoked';
  readonly input: CommandInput;
}

/** A press on a button the bot rendered from a {@link Button}. */
export interface ButtonPressed extends InteractionBase {
  readonly kind: 'button_pressed';
  readonly actionId: string;
  readonly value?: string;
}

/** A form the bot opened, submitted (from a modal, or the last answer of a guided exchange). */
export interface FormSubmitted extends InteractionBase {
  readonly kind: 'form_submitted';
  readonly formId: string;
  readonly context?: string;
  /** Field id -> what the member entered. Only the feature that asked may keep it. */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Text a member sent the bot in a private chat (Telegram): an answer to a guided form, or `/start <token>`
 * from a deep link. Never recorded as engagement text; dispatched only.
 */
export interface PrivateText extends EventBase {
  readonly kind: 'private_text';
  readonly text: string;
  /** The payload of `/start <token>` when the member arrived through a deep link. */
  readonly startToken?: string;
}

/**
 * A member opened the bot's home (Slack's App Home tab): the bot shows them their own view, and a moderator's
 * view to a moderator. `location` is the member's private chat with the bot (`direct`). Never recorded.
 */
export interface HomeOpened extends EventBase {
  readonly kind: 'home_opened';
}

/** An event the bot answers. */
export type InteractionEvent = CommandInvoked | ButtonPressed | FormSubmitted;

/** Anything a member does that the bot can see. */
export type InboundEvent =
  | MessagePosted
  | ThreadReply
  | ReactionAdded
  | ReactionRemoved
  | MemberJoined
  | MemberLeft
  | CommandInvoked
  | ButtonPressed
  | FormSubmitted;

export type InboundEventKind = InboundEvent['kind'];

/**
 * The bot's own place in a space changed. Adapters report these; the core registers, deactivates or moves the
 * space (communities/spaces.ts).
 */
export type SpaceChange =
  /** The bot was added (Telegram `my_chat_member`, a Slack installation, a Discord GUILD_CREATE). */
  | {
      readonly kind: 'bot_added';
      readonly space: Space;
      /** Where the registration notice goes (the group itself, the channel it was added in). */
      readonly channelId: string;
      readonly name?: string;
    }
  /** The bot was removed (Telegram left/kicked, Slack `app_uninstalled` / `tokens_revoked`). */
  | { readonly kind: 'bot_removed'; readonly space: Space }
  /** A Telegram group became a supergroup (`migrate_to_chat_id` / `migrate_from_chat_id`). */
  | { readonly kind: 'space_migrated'; readonly from: Space; readonly to: Space };
