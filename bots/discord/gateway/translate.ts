/**
 * Discord gateway dispatches (`{op: 0, t, d}`, as the gateway sends them) -> core events and space changes.
 *
 * Messages, replies, reactions and joins reach a Discord bot only over the gateway. Each becomes the same
 * core event the other platforms produce, with an id that every delivery of it shares, so the core records
 * it once however often a resume, a reconnect or a second relay replays it:
 * - a message: its snowflake;
 * - a reaction (no id of its own): message + member + emoji (+ `burst` for a super reaction), per kind, so
 *   a reaction removed and added again is still one reaction;
 * - a join: member + `joined_at` (Discord may send GUILD_MEMBER_ADD again for someone already a member; the
 *   same `joined_at` makes that a replay);
 * - a leave (nothing says when): member + the UTC day it arrived, so a replay the same day is one leave.
 * The core's record key adds the platform and the guild (`discord:<guild>:<id>`).
 *
 * What is not community engagement is ignored with its reason: bots, webhooks, crossposts, system messages,
 * DMs (no guild: a private chat with the bot is never a space) and every other dispatch. Pure: no I/O, no clock
 * but the one given.
 */
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayOpcodes,
  MessageFlags,
  MessageReferenceType,
  MessageType,
} from 'discord-api-types/v10';
import type * as v from 'valibot';
import type {
  Location,
  Member,
  MemberJoined,
  MemberLeft,
  MessageChange,
  MessagePosted,
  ReactionAdded,
  ReactionRemoved,
  SpaceChange,
  ThreadReply,
} from '../../../shared/core/events.js';
import { SPACE_WIDE } from '../../../shared/core/events.js';
import { utcDay } from '../../../shared/core/time.js';
import { type Ignored, ignore, isIgnored } from '../../../shared/platform/ignored.js';
import { check } from '../../../shared/platform/payload-check.js';
import {
  dispatchSchema,
  guildCreateSchema,
  guildDeleteSchema,
  memberAddSchema,
  memberRemoveSchema,
  messageDeleteBulkSchema,
  messageDeleteSchema,
  messageSchema,
  messageUpdateSchema,
  reactionSchema,
} from './schemas.js';

/** What the gateway shows the bot of a community. */
export type GatewayEvent =
  | MessagePosted
  | ThreadReply
  | ReactionAdded
  | ReactionRemoved
  | MemberJoined
  | MemberLeft;

/** A dispatch as the core takes it: an event to record, a change of the bot's own place, or why neither. */
export type GatewayTranslation =
  | { readonly event: GatewayEvent }
  | { readonly change: SpaceChange }
  | { readonly edits: readonly MessageChange[] }
  | Ignored;

/** A member's own message: a plain one or an inline reply. Every other type is Discord's own notice. */
const MEMBER_MESSAGE_TYPES: ReadonlySet<number> = new Set([MessageType.Default, MessageType.Reply]);

/**
 * Turns one dispatch into what the core should do with it; `receivedAt` dates what carries no time, and
 * `sequence` (increasing in the order dispatches arrive) orders the changes of one reaction.
 */
export function translateDispatch(
  payload: unknown,
  receivedAt: Date,
  sequence = receivedAt.getTime(),
): GatewayTranslation {
  const dispatch = check(dispatchSchema, payload, 'dispatch');
  if (isIgnored(dispatch)) return dispatch;
  const { op, t: name, d: data } = dispatch.value;
  if (op !== undefined && op !== null && op !== GatewayOpcodes.Dispatch) {
    return ignore(`opcode ${op}: not a dispatch (the connection's own traffic)`);
  }
  switch (name) {
    case GatewayDispatchEvents.MessageCreate:
      return read(messageSchema, data, name, toMessage);
    case GatewayDispatchEvents.MessageUpdate:
      return read(messageUpdateSchema, data, name, toEdit);
    case GatewayDispatchEvents.MessageDelete:
      return read(messageDeleteSchema, data, name, (d) =>
        toDeletions(d.guild_id, d.channel_id, [d.id], receivedAt),
      );
    case GatewayDispatchEvents.MessageDeleteBulk:
      return read(messageDeleteBulkSchema, data, name, (d) =>
        toDeletions(d.guild_id, d.channel_id, d.ids, receivedAt),
      );
    case GatewayDispatchEvents.MessageReactionAdd:
      return read(reactionSchema, data, name, (d) => toReaction(d, 'reaction_added', receivedAt, sequence));
    case GatewayDispatchEvents.MessageReactionRemove:
      return read(reactionSchema, data, name, (d) => toReaction(d, 'reaction_removed', receivedAt, sequence));
    case GatewayDispatchEvents.GuildMemberAdd:
      return read(memberAddSchema, data, name, toJoin);
    case GatewayDispatchEvents.GuildMemberRemove:
      return read(memberRemoveSchema, data, name, (d) => toLeave(d, receivedAt));
    case GatewayDispatchEvents.GuildCreate:
      return read(guildCreateSchema, data, name, toBotAdded);
    case GatewayDispatchEvents.GuildDelete:
      return read(guildDeleteSchema, data, name, toBotRemoved);
    default:
      return ignore(`${name}: not an event the bot records`);
  }
}

/** Checks `data` against the event's schema, then translates it. */
function read<TSchema extends v.GenericSchema<unknown, object>>(
  schema: TSchema,
  data: unknown,
  name: string,
  translate: (d: v.InferOutput<TSchema>) => GatewayTranslation,
): GatewayTranslation {
  const checked = check(schema, data, `${name} d`);
  return isIgnored(checked) ? checked : translate(checked.value);
}

function toMessage(d: v.InferOutput<typeof messageSchema>): GatewayTranslation {
  if (!d.guild_id) return ignore('a direct message: a private chat with the bot is not a community');
  if (d.webhook_id) return ignore('posted by a webhook, not a member');
  // A copy of another server's announcement: its author is not taking part here.
  if ((d.flags ?? 0) & MessageFlags.IsCrosspost) return ignore('a crosspost from a followed channel');
  if (d.author.bot || d.author.system) return ignore('posted by a bot, not a member');
  if (!MEMBER_MESSAGE_TYPES.has(d.type)) return ignore(`message type ${d.type}: Discord's own notice`);
  const base = {
    id: d.id,
    location: guildLocation(d.guild_id, d.channel_id),
    member: { platform: 'discord', id: d.author.id },
    occurredAt: new Date(d.timestamp),
    messageId: d.id,
    // Without the MESSAGE_CONTENT intent (the bot does not ask for it) `content` is empty for most messages:
    // the length is then unknown, and left out.
    ...(d.content ? { textLength: d.content.length } : {}),
  } as const;
  const reference = d.message_reference;
  const answers = (reference?.type ?? MessageReferenceType.Default) === MessageReferenceType.Default;
  if (reference?.message_id && answers) {
    return {
      event: { kind: 'thread_reply', ...base, replyToId: reference.message_id, ...repliedTo(d) },
    };
  }
  return { event: { kind: 'message_posted', ...base } };
}

function toReaction(
  d: v.InferOutput<typeof reactionSchema>,
  kind: 'reaction_added' | 'reaction_removed',
  receivedAt: Date,
  sequence: number,
): GatewayTranslation {
  if (!d.guild_id) return ignore('a reaction in a direct message: a private chat is not a community');
  if (d.member?.user?.bot) return ignore('a bot reacted, not a member');
  const { id: emojiId, name: emojiName } = d.emoji;
  // A custom emoji is its id (its name can change, or be gone); a standard one is its character.
  const emoji = emojiId ?? emojiName;
  if (!emoji) return ignore(`${kind}: an emoji with neither id nor name`);
  // A super reaction may sit beside a normal one of the same emoji: it is a reaction of its own.
  const reaction = d.burst ? `${emoji}:burst` : emoji;
  return {
    event: {
      kind,
      // For logs; the core keys a reaction by channel, message, member and emoji, the same for its removal.
      id: `${kind}:${d.message_id}:${d.user_id}:${reaction}`,
      location: guildLocation(d.guild_id, d.channel_id),
      member: { platform: 'discord', id: d.user_id },
      occurredAt: receivedAt,
      // No time of its own: the order the relay received it in (ingest.ts) orders one reaction's changes.
      sequence,
      messageId: d.message_id,
      reaction,
      ...addressedTo(d.message_author_id, d.user_id),
    },
  };
}

/**
 * Who a reply is addressed to: the author of the message answered, when Discord sent that message along
 * (`referenced_message`) and a member wrote it, not a bot, Discord itself or a webhook.
 */
function repliedTo(d: v.InferOutput<typeof messageSchema>): { toMember?: Member } {
  const answered = d.referenced_message;
  if (!answered || answered.webhook_id || answered.author.bot || answered.author.system) return {};
  return addressedTo(answered.author.id, d.author.id);
}

/** `toMember`, spread into an event: nobody when the payload does not say, or says the actor themselves. */
function addressedTo(target: string | null | undefined, actor: string): { toMember?: Member } {
  return target && target !== actor ? { toMember: { platform: 'discord', id: target } } : {};
}

/**
 * An edit of a member's message, with its text: the record gets the new length. Without the MESSAGE_CONTENT
 * intent Discord sends the text only where the bot is mentioned; an edit without it changes nothing (the
 * length stays as recorded), and an update without `edited_timestamp` is Discord adding an embed.
 */
function toEdit(d: v.InferOutput<typeof messageUpdateSchema>): GatewayTranslation {
  if (!d.guild_id) return ignore('an edit in a direct message: a private chat is not a community');
  if (!d.edited_timestamp) return ignore('a message update that is not an edit (an embed or a flag)');
  if (d.webhook_id || d.author?.bot || d.author?.system) return ignore('an edit of a bot or webhook message');
  if (!d.content) return ignore('an edit whose text Discord did not send: the length stays as recorded');
  const editedAt = new Date(d.edited_timestamp);
  return {
    edits: [
      {
        kind: 'message_edited',
        id: `message_edited:${d.id}:${d.edited_timestamp}`,
        location: guildLocation(d.guild_id, d.channel_id),
        occurredAt: editedAt,
        targetId: d.id,
        textLength: d.content.length,
      },
    ],
  };
}

/** Deleted messages (one, or a moderator's bulk purge): each stops counting, for good. */
function toDeletions(
  guildId: string | null | undefined,
  channelId: string,
  ids: readonly string[],
  receivedAt: Date,
): GatewayTranslation {
  if (!guildId) return ignore('a deletion in a direct message: a private chat is not a community');
  return {
    edits: ids.map((id) => ({
      kind: 'message_deleted',
      id: `message_deleted:${id}`,
      location: guildLocation(guildId, channelId),
      occurredAt: receivedAt,
      // The message's snowflake is its record's event id (toMessage).
      targetId: id,
      // Final: no edit or replay arriving later undoes a deletion.
      sequence: Number.MAX_SAFE_INTEGER,
    })),
  };
}

function toJoin(d: v.InferOutput<typeof memberAddSchema>): GatewayTranslation {
  if (d.user.bot) return ignore('a bot joined, not a member');
  const joinedAt = new Date(d.joined_at);
  return {
    event: {
      kind: 'member_joined',
      id: `member_joined:${d.user.id}:${joinedAt.toISOString()}`,
      // In the server as a whole: the welcome goes privately, or to the announcements channel.
      location: { space: { platform: 'discord', id: d.guild_id }, channelId: SPACE_WIDE },
      member: { platform: 'discord', id: d.user.id },
      occurredAt: joinedAt,
    },
  };
}

function toLeave(d: v.InferOutput<typeof memberRemoveSchema>, receivedAt: Date): GatewayTranslation {
  if (d.user.bot) return ignore('a bot left, not a member');
  return {
    event: {
      kind: 'member_left',
      id: `member_left:${d.user.id}:${utcDay(receivedAt)}`,
      location: guildLocation(d.guild_id),
      member: { platform: 'discord', id: d.user.id },
      occurredAt: receivedAt,
    },
  };
}

/**
 * The bot is in a guild: on joining it, and again for every guild on every (re)connection, which the core
 * answers idempotently. The notice goes to the system channel, or else the first text channel.
 */
function toBotAdded(d: v.InferOutput<typeof guildCreateSchema>): GatewayTranslation {
  if (d.unavailable) return ignore('an unavailable guild (an outage): nothing changed for the bot');
  const channelId = d.system_channel_id ?? firstTextChannel(d.channels ?? []);
  if (!channelId) {
    return ignore('a guild without a text channel: it registers on its first interaction instead');
  }
  const space = { platform: 'discord', id: d.id } as const;
  return { change: { kind: 'bot_added', space, channelId, ...(d.name ? { name: d.name } : {}) } };
}

function toBotRemoved(d: v.InferOutput<typeof guildDeleteSchema>): GatewayTranslation {
  // `unavailable: true` is an outage; the guild comes back with a GUILD_CREATE.
  if (d.unavailable) return ignore('a guild unavailable in an outage: the bot was not removed');
  return { change: { kind: 'bot_removed', space: { platform: 'discord', id: d.id } } };
}

/** The text channel listed first in the client (lowest position, then oldest). */
function firstTextChannel(channels: readonly { id: string; type: number; position?: number | null }[]) {
  const [first] = channels
    .filter((channel) => channel.type === ChannelType.GuildText)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || compareSnowflakes(a.id, b.id));
  return first?.id;
}

function compareSnowflakes(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A place in a guild. A join or a leave happens in the guild, not in a channel: the guild id stands for the
 * channel (as Discord's own default channel id did).
 */
function guildLocation(guildId: string, channelId = guildId): Location {
  return { space: { platform: 'discord', id: guildId }, channelId };
}
