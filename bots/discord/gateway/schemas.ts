/**
 * The fields of Discord's gateway dispatches the bot reads, each checked (Discord Developer Docs, Events >
 * Gateway Events; the same shapes as discord-api-types' `Gateway*DispatchData`). Only what is read is
 * declared: `v.object` drops every other field, so nothing unread reaches the core, and a failed check
 * names the field without quoting its value (it could be message text).
 */
import * as v from 'valibot';

/** A snowflake: an unsigned 64-bit integer, sent as a decimal string. */
export const snowflake = v.pipe(v.string(), v.regex(/^\d{1,20}$/, 'a Discord snowflake'));

/** An ISO 8601 timestamp as Discord writes it (`2015-04-26T06:26:56.936000+00:00`). */
const timestamp = v.pipe(
  v.string(),
  v.isoTimestamp('an ISO 8601 timestamp'),
  // What dates a record must parse as a date (toISOString throws on an invalid one).
  v.check((value) => !Number.isNaN(Date.parse(value)), 'a date that exists'),
);

const integer = v.pipe(v.number(), v.integer('an integer'));

/** Any user object, as far as the bot reads it: who, and whether a bot. */
const user = v.object({ id: snowflake, bot: v.nullish(v.boolean()) });

/** A message's author: who, and whether a bot or Discord itself. */
const author = v.object({ id: snowflake, bot: v.nullish(v.boolean()), system: v.nullish(v.boolean()) });

/** Every dispatch (opcode 0) as the gateway sends it: its name `t` and its data `d`. */
export const dispatchSchema = v.object({
  op: v.nullish(integer),
  t: v.pipe(v.string(), v.maxLength(64, 'an event name')),
  d: v.unknown(),
});

/** MESSAGE_CREATE: a message object with the gateway's extra fields (`guild_id`, `member`). */
export const messageSchema = v.object({
  id: snowflake,
  channel_id: snowflake,
  /** Absent in a DM (and for ephemeral messages). */
  guild_id: v.nullish(snowflake),
  type: integer,
  /** When it was sent (the same in every delivery). */
  timestamp,
  author,
  /** Set when a webhook (or a followed channel's crosspost) posted it. */
  webhook_id: v.nullish(snowflake),
  /** Message flags; IS_CROSSPOST marks a copy from a followed announcement channel. */
  flags: v.nullish(integer),
  /** Empty for most messages without the MESSAGE_CONTENT intent, which the bot does not ask for. */
  content: v.nullish(v.string()),
  message_reference: v.nullish(
    v.object({
      /** DEFAULT (0, a reply) when unset; FORWARD (1) quotes a message without answering it. */
      type: v.nullish(integer),
      message_id: v.nullish(snowflake),
    }),
  ),
  /**
   * A reply's answered message: absent when Discord did not fetch it, null when it was deleted. Only who
   * wrote it is read (never its text); one that does not fit is dropped, so the reply stays readable and
   * only loses who it was addressed to.
   */
  referenced_message: v.fallback(
    v.nullish(v.object({ author, webhook_id: v.nullish(snowflake) })),
    undefined,
  ),
});

/**
 * A partial emoji in a reaction: a standard one has a `name` (the character) and no `id`; a custom one has an
 * `id`, and a `name` unless the emoji was deleted from its guild.
 */
/**
 * MESSAGE_UPDATE: a partial message. Only an edit by a member with its text is read; without the
 * MESSAGE_CONTENT intent `content` is mostly empty, and an unfurl (an embed added) has no `edited_timestamp`.
 */
export const messageUpdateSchema = v.object({
  id: snowflake,
  channel_id: snowflake,
  guild_id: v.nullish(snowflake),
  edited_timestamp: v.nullish(timestamp),
  author: v.nullish(author),
  webhook_id: v.nullish(snowflake),
  content: v.nullish(v.string()),
});

/** MESSAGE_DELETE: which message, where (never who wrote it). */
export const messageDeleteSchema = v.object({
  id: snowflake,
  channel_id: snowflake,
  guild_id: v.nullish(snowflake),
});

/** MESSAGE_DELETE_BULK: a moderator's purge of up to 100 messages. */
export const messageDeleteBulkSchema = v.object({
  ids: v.pipe(v.array(snowflake), v.maxLength(100, 'at most 100 ids')),
  channel_id: snowflake,
  guild_id: v.nullish(snowflake),
});

const emoji = v.object({
  id: v.nullish(snowflake),
  name: v.nullish(v.pipe(v.string(), v.minLength(1, 'an emoji'), v.maxLength(64, 'an emoji'))),
});

/** MESSAGE_REACTION_ADD and MESSAGE_REACTION_REMOVE (the removal carries no `member`). */
export const reactionSchema = v.object({
  user_id: snowflake,
  channel_id: snowflake,
  message_id: snowflake,
  guild_id: v.nullish(snowflake),
  member: v.nullish(v.object({ user: v.nullish(user) })),
  emoji,
  /** A super reaction: a member may add one beside a normal reaction with the same emoji. */
  burst: v.nullish(v.boolean()),
  /**
   * MESSAGE_REACTION_ADD only: who wrote the message reacted to. One that does not fit is dropped, so the
   * reaction stays readable and only loses who it was addressed to.
   */
  message_author_id: v.fallback(v.nullish(snowflake), undefined),
});

/** GUILD_MEMBER_ADD: a guild member object with `guild_id`. */
export const memberAddSchema = v.object({ guild_id: snowflake, user, joined_at: timestamp });

/** GUILD_MEMBER_REMOVE: who left (or was kicked or banned), and from where. Nothing says when. */
export const memberRemoveSchema = v.object({ guild_id: snowflake, user });

/** GUILD_CREATE: a guild with its channels, or an unavailable guild (an outage) with only `id`. */
export const guildCreateSchema = v.object({
  id: snowflake,
  unavailable: v.nullish(v.boolean()),
  name: v.nullish(v.pipe(v.string(), v.maxLength(100, 'a guild name of at most 100 characters'))),
  /** Where Discord posts its own welcome and boost messages; null when the server turned it off. */
  system_channel_id: v.nullish(snowflake),
  channels: v.nullish(v.array(v.object({ id: snowflake, type: integer, position: v.nullish(v.number()) }))),
});

/** GUILD_DELETE: an unavailable guild object; `unavailable` unset means the bot was removed. */
export const guildDeleteSchema = v.object({ id: snowflake, unavailable: v.nullish(v.boolean()) });
