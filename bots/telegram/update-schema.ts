import type { Update } from 'grammy/types';
import * as v from 'valibot';
import { type Ignored, unreadable } from '../../shared/platform/ignored.js';
import { CONTENT_FIELDS } from './parse.js';
import type { TelegramUpdateKind } from './updates.js';

/**
 * What the bot reads from an update, checked before grammY sees it.
 *
 * grammY itself reads little: its Context constructor only keeps the update, and a filter query such as
 * `bot.on('message')` only tests `update.message != null`, whatever the update kind (unknown kinds match no
 * filter and reach the catch-all). Everything else is read by parse.ts and app.ts, which trust the Bot API's
 * types: a signed `{"update_id":3,"message":{"some fields are missing":true}}` made `message.chat.id` throw
 * and the webhook answer 500, and Telegram redelivered the same bytes until it gave up, slowing every other
 * delivery meanwhile (tdlib/telegram-bot-api#422). Each schema below lists exactly the fields those readers
 * use, with the Bot API's types; the rest of an update passes untouched (new Bot API fields must not
 * break the bot).
 */

/** The latest instant a `Date` can hold, in Unix seconds: a later `date` makes `toISOString()` throw. */
const MAX_UNIX_SECONDS = 8_640_000_000_000;

/**
 * Longest reaction name kept: an emoji is a few characters, a custom emoji id about 20 digits. Bounded, since
 * it is written to the table, whose items have a size limit.
 */
const MAX_REACTION_LENGTH = 64;

/** Chat, user and message ids: integers, up to 52 bits for chats and users. */
const integerId = v.pipe(v.number(), v.safeInteger('an integer id'));

/** `date` fields: Unix seconds, turned into a `Date` (an inaccessible message has date 0). */
const unixTime = v.pipe(
  v.number(),
  v.safeInteger('a Unix time in seconds'),
  v.minValue(0, 'a Unix time in seconds'),
  v.maxValue(MAX_UNIX_SECONDS, 'a Unix time in seconds'),
);

/** A field read for its presence only (`sender_chat`, a photo): anything but null, which the Bot API never sends. */
const present = v.nonNullable(v.unknown());

/** A JSON object with these fields: valibot's object schemas alone let a list through. */
function object<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(
    v.custom<Record<string, unknown>>((input) => isObject(input), 'an object'),
    v.looseObject(entries),
  );
}

function isObject(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/**
 * `is_bot` is optional: the examples on Telegram's own webhook page predate it; a missing one means a person.
 * `first_name` (a join's greeting names the member by it) is read when present; parse.ts cuts a long one.
 */
const user = object({ id: integerId, is_bot: v.optional(v.boolean()), first_name: v.optional(v.string()) });

/**
 * Longest group title kept: Telegram allows 128 characters; the title becomes the space's name in the table,
 * whose items have a size limit.
 */
const MAX_TITLE_LENGTH = 255;

const chat = object({
  id: integerId,
  type: v.string(),
  title: v.optional(
    v.pipe(v.string(), v.maxLength(MAX_TITLE_LENGTH, `a title of at most ${MAX_TITLE_LENGTH} characters`)),
  ),
});

/** Where a message was posted: its chat and, in a forum, its topic. */
const placement = {
  chat,
  message_id: integerId,
  date: unixTime,
  is_topic_message: v.optional(v.boolean()),
  message_thread_id: v.optional(integerId),
};

/** A MessageEntity: its kind and span, and for a `text_mention` the member it names. */
const entity = v.pipe(
  object({
    type: v.string(),
    offset: v.pipe(v.number(), v.safeInteger('an integer')),
    length: v.optional(v.pipe(v.number(), v.safeInteger('an integer'), v.minValue(0, 'a length'))),
    user: v.optional(user),
  }),
  v.check(
    (input) => input.type !== 'text_mention' || input.user !== undefined,
    'a text mention with its user',
  ),
);

const message = object({
  ...placement,
  from: v.optional(user),
  // Posted in a chat's name: the chat's id stands for the poster (parse.ts translateChatPost).
  sender_chat: v.optional(object({ id: integerId })),
  edit_date: v.optional(unixTime),
  ...Object.fromEntries(CONTENT_FIELDS.map((field) => [field, v.optional(present)])),
  text: v.optional(v.string()),
  caption: v.optional(v.string()),
  // Is the first a leading bot_command? Which are text mentions, of whom, where (command-text.ts)?
  entities: v.optional(v.array(entity)),
  // Not the whole message: only its id and whether it opened a forum topic are checked, however deep it
  // nests. Its `from` and `sender_chat` (who the reply is addressed to) are left out on purpose: parse.ts
  // reads them warily, so a malformed one loses the reply its addressee, not the whole update.
  reply_to_message: v.optional(object({ message_id: integerId, forum_topic_created: v.optional(present) })),
  // The space changes a service message carries (space-changes.ts).
  migrate_to_chat_id: v.optional(integerId),
  migrate_from_chat_id: v.optional(integerId),
  group_chat_created: v.optional(present),
  // A join heard without `chat_member` (parse.ts translateNewMembers).
  new_chat_members: v.optional(v.array(user)),
});

const reactionName = v.pipe(
  v.string(),
  v.maxLength(MAX_REACTION_LENGTH, `a reaction name of at most ${MAX_REACTION_LENGTH} characters`),
);

/** ReactionType: an emoji, a custom emoji, or a kind stored by its type name (`paid`, and future ones). */
const reaction = v.pipe(
  object({
    type: reactionName,
    emoji: v.optional(reactionName),
    custom_emoji_id: v.optional(reactionName),
  }),
  v.check(
    (input) =>
      (input.type !== 'emoji' || input.emoji !== undefined) &&
      (input.type !== 'custom_emoji' || input.custom_emoji_id !== undefined),
    'an emoji reaction with its emoji, or a custom emoji reaction with its id',
  ),
);

/** A ChatMember as far as "is this member in the chat?" goes; `is_member` only matters when restricted. */
const memberStatus = { status: v.string(), is_member: v.optional(v.boolean()) };

/** A ChatMemberUpdated: whose status went from what to what, where. */
const memberUpdate = object({
  chat,
  date: unixTime,
  old_chat_member: object(memberStatus),
  new_chat_member: object({ ...memberStatus, user }),
});

/**
 * One schema per update kind the bot subscribes to (`satisfies` keeps it in step with set-webhook.ts).
 * Any other kind is not read beyond `update_id`, so it needs none.
 */
const HANDLED = {
  message,
  message_reaction: object({
    chat,
    message_id: integerId,
    date: unixTime,
    user: v.optional(user),
    old_reaction: v.array(reaction),
    new_reaction: v.array(reaction),
  }),
  // An edit: the same message fields, read the same way.
  edited_message: message,
  // Anonymous reactions: how many of each kind a message has now.
  message_reaction_count: object({
    chat,
    message_id: integerId,
    date: unixTime,
    reactions: v.array(
      object({
        type: reaction,
        total_count: v.pipe(v.number(), v.safeInteger('a count'), v.minValue(0, 'a count')),
      }),
    ),
  }),
  // Only the poll's id is read (its chat is not in the update).
  poll_answer: object({ poll_id: v.string() }),
  chat_member: memberUpdate,
  // The bot's own status: only the chat and the two statuses are read.
  my_chat_member: memberUpdate,
  callback_query: object({
    // answerCallbackQuery sends it back.
    id: v.string(),
    from: user,
    message: v.optional(object(placement)),
    data: v.optional(v.string()),
  }),
} satisfies Record<TelegramUpdateKind, v.GenericSchema>;

const UPDATE = v.looseObject(
  Object.fromEntries(Object.entries(HANDLED).map(([kind, schema]) => [kind, v.optional(schema)])),
);

/**
 * `undefined` when the bot can read every field it uses in `update` (whose `update_id` parseUpdate has
 * checked), else `unreadable` naming the first field that does not fit, without quoting its value (it could
 * be message text): `message.chat is missing`, `message.date: expected a number, got a string of 10 characters`.
 */
export function checkUpdate(update: Update): Ignored | undefined {
  const result = v.safeParse(UPDATE, update, { abortEarly: true });
  const [issue] = result.issues ?? [];
  return issue ? unreadable(describeIssue(issue)) : undefined;
}

/** valibot's `expected` for type mismatches, in words. */
const EXPECTED: Readonly<Record<string, string>> = {
  Array: 'a list',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  '!null': 'a value other than null',
};

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'update';
  // valibot reports a missing key with an undefined input; JSON has no undefined to send.
  if (issue.input === undefined) return `${path} is missing`;
  // Validation and `custom` messages are ours; valibot's own would quote the value, so only `expected` is used.
  const ours = issue.kind === 'validation' || issue.type === 'custom';
  const expected = ours ? issue.message : (EXPECTED[issue.expected ?? ''] ?? issue.expected);
  return `${path}: expected ${expected}, got ${kindOf(issue.input)}`;
}

/** What a value is, in words, without showing a string (it could be message text). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    return value === ''
      ? 'an empty string'
      : `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
