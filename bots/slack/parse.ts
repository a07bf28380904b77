import * as v from 'valibot';
import type {
  HomeOpened,
  InboundEvent,
  Location,
  Member,
  MemberJoined,
  MemberLeft,
  MessageChange,
  MessageDeleted,
  MessageEdited,
  SpaceChange,
} from '../../shared/core/events.js';
import { type Ignored, ignore, isIgnored, type Parsed } from '../../shared/platform/ignored.js';
import { check, eventId, shortName, slackId, slackTs, targetId } from './schemas.js';

/**
 * Events API payloads -> core events. Pure functions over the documented payload shapes; everything
 * Slack-named (snake_case) stays in the adapter. A payload that is not engagement comes back ignored with
 * the reason, and one whose fields do not have their documented types comes back `unreadable` (a list
 * where `ts` belongs would otherwise be stored as a DynamoDB string set): nothing is dropped silently.
 * Commands and button presses are read in parse-interactions.ts.
 */

/** The bot's own identity: what it posts or does itself is never engagement. */
export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

/** The `channelId` of something that happened in the workspace as a whole, in no channel (`team_join`). */
export const WORKSPACE_WIDE = '';

/** Slackbot, Slack's built-in bot: it posts notices ("You have been removed from #...") but is no member. */
export const SLACKBOT_USER_ID = 'USLACKBOT';

/** The Events API envelope (`type: event_callback`), the fields we read. */
const envelopeSchema = v.looseObject({
  // The workspace the event happened in; absent from org-wide app events.
  team_id: v.optional(slackId),
  // Who the event is delivered to: the first names the workspace that installed the app (null for an
  // org-wide install). In a Slack Connect channel it differs from `team_id`, the other organisation's.
  authorizations: v.optional(v.array(v.looseObject({ team_id: v.nullish(slackId) }))),
  event_id: v.optional(eventId),
  event_time: v.optional(v.number()),
  event: v.looseObject({ type: v.string() }),
});
type Envelope = v.InferOutput<typeof envelopeSchema>;

/** `tokens_revoked`: the user ids whose tokens went, per kind (`bot` for bot tokens). */
const revokedSchema = v.looseObject({
  tokens: v.optional(v.looseObject({ bot: v.optional(v.array(v.string())) })),
});

/** Read first: whether a message is a member writing at all (edits, deletions and bots are not). */
const messageKindSchema = v.looseObject({ subtype: v.optional(v.string()), bot_id: v.nullish(v.string()) });

const messageSchema = v.looseObject({
  user: v.optional(slackId),
  channel: v.optional(slackId),
  text: v.nullish(v.string()),
  ts: v.optional(slackTs),
  thread_ts: v.optional(slackTs),
  // A thread reply's: who wrote the thread root.
  parent_user_id: targetId,
  // A thread_broadcast's thread root (its documented example has no parent_user_id): only who wrote it, and
  // whether a bot did, are read.
  root: v.fallback(v.optional(v.object({ user: targetId, bot_id: v.nullish(v.string()) })), undefined),
});

const reactionSchema = v.looseObject({
  user: v.optional(slackId),
  reaction: v.optional(shortName),
  event_ts: v.optional(slackTs),
  // Who wrote the item reacted to; absent when no user did (an incoming webhook's message).
  item_user: targetId,
  item: v.looseObject({ type: v.string(), channel: v.optional(slackId), ts: v.optional(slackTs) }),
});

const membershipSchema = v.looseObject({
  user: v.optional(slackId),
  channel: v.optional(slackId),
  event_ts: v.optional(slackTs),
});

/** `team_join`: the new member's user object (Slack's user type); only whether it is a person is read. */
const teamJoinSchema = v.looseObject({
  user: v.looseObject({ id: slackId, is_bot: v.optional(v.boolean()) }),
  event_ts: v.optional(slackTs),
});

/** `message_changed`: the message as it is now (`message`), in `channel`. */
const changedSchema = v.looseObject({
  channel: v.optional(slackId),
  event_ts: v.optional(slackTs),
  message: v.looseObject({
    ts: v.optional(slackTs),
    text: v.nullish(v.string()),
    user: v.optional(slackId),
    bot_id: v.nullish(v.string()),
    subtype: v.optional(v.string()),
  }),
});

/** `message_deleted`: which message (`deleted_ts`) in `channel`. */
const deletedSchema = v.looseObject({
  channel: v.optional(slackId),
  deleted_ts: v.optional(slackTs),
  event_ts: v.optional(slackTs),
});

/** `app_home_opened`: who opened which tab of the app, in their DM channel with it. */
const homeSchema = v.looseObject({
  user: v.optional(slackId),
  channel: v.optional(slackId),
  tab: v.optional(v.string()),
  event_ts: v.optional(slackTs),
});

/** Message subtypes that are a member writing something; all others (edits, deletes, joins, bots) are not. */
const MEMBER_MESSAGE_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'thread_broadcast',
  'file_share',
]);

/**
 * Turns an Events API delivery into the core event it stands for (engagement, or the bot leaving a
 * workspace), or says why it is ignored.
 */
export function parseEventCallback(
  body: unknown,
  bot: BotIdentity,
): Parsed<InboundEvent | SpaceChange | MessageChange | HomeOpened> {
  const checked = check(envelopeSchema, body, 'event_callback');
  if (isIgnored(checked)) return checked;
  const envelope = { ...checked.value, team_id: installingTeam(checked.value) };
  const type = envelope.event.type;
  switch (type) {
    case 'message':
      return parseMessage(envelope, bot);
    case 'reaction_added':
    case 'reaction_removed':
      return parseReaction(envelope, type, bot);
    case 'member_joined_channel':
      return parseMembership(envelope, 'member_joined', bot);
    case 'member_left_channel':
      return parseMembership(envelope, 'member_left', bot);
    case 'team_join':
      return parseTeamJoin(envelope, bot);
    case 'app_home_opened':
      return parseHomeOpened(envelope, bot);
    case 'app_uninstalled':
      return botRemoved(envelope);
    case 'tokens_revoked':
      return parseTokensRevoked(envelope);
    default:
      return ignore(`event type ${type.slice(0, 80)} is not engagement`);
  }
}

/** Whether a parsed delivery is the bot's own place changing rather than engagement. */
export function isSpaceChange(event: { readonly kind: string }): event is SpaceChange {
  return event.kind === 'bot_added' || event.kind === 'bot_removed' || event.kind === 'space_migrated';
}

/**
 * The workspace an event counts for: the one that installed the app, as `authorizations[0]` names it (what
 * Bolt authorizes with), else the envelope's. In a Slack Connect shared channel the envelope's `team_id` is
 * the organisation the member belongs to, which may not have the app at all.
 */
function installingTeam(envelope: Envelope): string | undefined {
  return envelope.authorizations?.[0]?.team_id ?? envelope.team_id;
}

/** `app_uninstalled`: the bot is gone from the workspace and its token with it. */
function botRemoved(envelope: Envelope): Parsed<SpaceChange> {
  if (!envelope.team_id)
    return ignore(`${envelope.event.type} without team_id (an org-wide app, not supported)`);
  return { kind: 'bot_removed', space: { platform: 'slack', id: envelope.team_id } };
}

/**
 * `tokens_revoked`: only a revoked bot token removes the bot (this app's events name only its own tokens);
 * revoked user tokens leave it working.
 */
function parseTokensRevoked(envelope: Envelope): Parsed<SpaceChange> {
  const checked = check(revokedSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  if ((checked.value.tokens?.bot ?? []).length === 0) {
    return ignore('tokens_revoked without a bot token: the bot keeps its own');
  }
  return botRemoved(envelope);
}

function parseMessage(envelope: Envelope, bot: BotIdentity): Parsed<InboundEvent | MessageChange> {
  const kind = check(messageKindSchema, envelope.event, 'event');
  if (isIgnored(kind)) return kind;
  const { subtype, bot_id: botId } = kind.value;
  if (subtype === 'message_changed') return parseEdit(envelope, bot);
  if (subtype === 'message_deleted') return parseDeletion(envelope);
  if (!MEMBER_MESSAGE_SUBTYPES.has(subtype)) return ignore(`message subtype ${subtype?.slice(0, 80)}`);
  if (botId) return ignore(botId === bot.botId ? 'our own bot message' : 'bot message');
  const checked = check(messageSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { user, channel, ts, thread_ts: threadTs, text, parent_user_id: parentUser, root } = checked.value;
  const teamId = envelope.team_id;
  if (!teamId || !user || !channel || !ts) return ignore('message without team_id, user, channel or ts');
  const notMember = notAMember(user, bot, 'message');
  if (notMember) return notMember;
  const base = {
    // Channel + ts names one message for good: a redelivery, or the same message seen through another
    // subscription, maps to the same record, and its edit or deletion finds it.
    id: messageId(teamId, channel, ts),
    location: location(teamId, channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(ts),
    messageId: ts,
    textLength: text?.length ?? 0,
  } as const;
  // A thread root carries thread_ts equal to its own ts; only a different one makes it a reply.
  if (threadTs && threadTs !== ts) {
    const rootAuthor = root?.bot_id ? undefined : root?.user;
    return {
      ...base,
      kind: 'thread_reply',
      replyToId: threadTs,
      ...addressedTo(parentUser ?? rootAuthor, user, bot),
    };
  }
  return { ...base, kind: 'message_posted' };
}

/**
 * `message_changed`: a member's message has a new text (its new length is kept). Slack sends it for link
 * previews (unfurls) too, which leave the length as it was. A bot's message, or one of a kind that is not a
 * member writing, is not a record of ours.
 */
function parseEdit(envelope: Envelope, bot: BotIdentity): Parsed<MessageEdited> {
  const checked = check(changedSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { channel, event_ts: eventTs, message } = checked.value;
  const teamId = envelope.team_id;
  if (!teamId || !channel || !message.ts) return ignore('message_changed without team_id, channel or ts');
  if (message.bot_id || !message.user) return ignore('message_changed of a bot message');
  if (!MEMBER_MESSAGE_SUBTYPES.has(message.subtype))
    return ignore(`message_changed of a ${message.subtype} message`);
  const notMember = notAMember(message.user, bot, 'message edit');
  if (notMember) return notMember;
  return {
    kind: 'message_edited',
    id: `${teamId}/${channel}/${message.ts}/edited/${eventTs ?? ''}`,
    location: location(teamId, channel),
    occurredAt: slackTime(eventTs, envelope.event_time),
    targetId: messageId(teamId, channel, message.ts),
    textLength: message.text?.length ?? 0,
    ...(eventTs ? { sequence: micros(eventTs) } : {}),
  };
}

/** `message_deleted`: the message stops counting. A deletion is final: no later edit or replay undoes it. */
function parseDeletion(envelope: Envelope): Parsed<MessageDeleted> {
  const checked = check(deletedSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { channel, deleted_ts: deletedTs, event_ts: eventTs } = checked.value;
  const teamId = envelope.team_id;
  if (!teamId || !channel || !deletedTs)
    return ignore('message_deleted without team_id, channel or deleted_ts');
  return {
    kind: 'message_deleted',
    id: `${teamId}/${channel}/${deletedTs}/deleted`,
    location: location(teamId, channel),
    occurredAt: slackTime(eventTs, envelope.event_time),
    targetId: messageId(teamId, channel, deletedTs),
    sequence: Number.MAX_SAFE_INTEGER,
  };
}

/** `app_home_opened` on the Home tab: the member's home is published. The Messages tab needs nothing. */
function parseHomeOpened(envelope: Envelope, bot: BotIdentity): Parsed<HomeOpened> {
  const checked = check(homeSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { user, channel, tab, event_ts: eventTs } = checked.value;
  if (tab !== 'home')
    return ignore(`app_home_opened on the ${tab?.slice(0, 20) ?? 'unnamed'} tab: nothing to show`);
  const teamId = envelope.team_id;
  if (!teamId || !user) return ignore('app_home_opened without team_id or user');
  const notMember = notAMember(user, bot, 'home');
  if (notMember) return notMember;
  return {
    kind: 'home_opened',
    id: envelope.event_id ?? `${teamId}/${user}/home/${eventTs ?? ''}`,
    // The member's DM with the app; an App Home opened before any DM has no channel id yet.
    location: { ...location(teamId, channel ?? ''), direct: true },
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(eventTs, envelope.event_time),
  };
}

/** The event id a member's message is recorded under: channel + ts name it for good. */
function messageId(teamId: string, channel: string, ts: string): string {
  return `${teamId}/${channel}/${ts}`;
}

/** A Slack `seconds.micros` time as whole microseconds: the order of one reaction's changes. */
function micros(ts: string): number {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return Number(seconds) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function parseReaction(
  envelope: Envelope,
  kind: 'reaction_added' | 'reaction_removed',
  bot: BotIdentity,
): Parsed<InboundEvent> {
  const checked = check(reactionSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { item, user, reaction, event_ts: eventTs, item_user: itemUser } = checked.value;
  if (item.type !== 'message') return ignore(`reaction on a ${item.type.slice(0, 80)} item`);
  const { team_id: teamId, event_id: id } = envelope;
  if (!teamId || !id || !user || !item.channel || !item.ts || !reaction) {
    return ignore('reaction without team_id, event_id, user, item or reaction');
  }
  const notMember = notAMember(user, bot, 'reaction');
  if (notMember) return notMember;
  return {
    kind,
    // For logs: the core keys a reaction by what it is (message, member, emoji), so its removal finds it.
    id,
    location: location(teamId, item.channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(eventTs, envelope.event_time),
    // Orders one reaction's changes (added, removed, added again), also when retries reorder them.
    ...(eventTs ? { sequence: micros(eventTs) } : {}),
    messageId: item.ts,
    reaction,
    ...addressedTo(itemUser, user, bot),
  };
}

function parseMembership(
  envelope: Envelope,
  kind: 'member_joined' | 'member_left',
  bot: BotIdentity,
): Parsed<MemberJoined | MemberLeft> {
  const checked = check(membershipSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { user, channel, event_ts: eventTs } = checked.value;
  const { team_id: teamId, event_id: id, event } = envelope;
  if (!teamId || !id || !user || !channel)
    return ignore(`${event.type} without team_id, event_id, user or channel`);
  // Bolt's ignoreSelf keeps these for the bot user on purpose; for engagement the bot is not a member.
  const notMember = notAMember(user, bot, event.type);
  if (notMember) return notMember;
  return {
    kind,
    id,
    location: location(teamId, channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(eventTs, envelope.event_time),
  };
}

/**
 * `team_join`: someone joined the workspace itself. It has no channel: the location's `channelId` is empty
 * ({@link WORKSPACE_WIDE}), so a welcome goes privately and has no channel to greet in. In stats it is one
 * more join of the workspace, beside any `member_joined_channel` of the channels they are added to (joins
 * count arrivals, in the workspace and in its channels alike, as they always did per channel). No name is
 * taken: Slack's mention `<@U...>` shows the member's current one.
 */
function parseTeamJoin(envelope: Envelope, bot: BotIdentity): Parsed<MemberJoined> {
  const checked = check(teamJoinSchema, envelope.event, 'event');
  if (isIgnored(checked)) return checked;
  const { user, event_ts: eventTs } = checked.value;
  const { team_id: teamId, event_id: id } = envelope;
  if (!teamId || !id) return ignore('team_join without team_id or event_id');
  const notMember = notAMember(user.id, bot, 'team_join');
  if (notMember) return notMember;
  // Another app's bot user joining is no person (a bot is never welcomed).
  if (user.is_bot) return ignore('team_join of a bot user');
  return {
    kind: 'member_joined',
    id,
    location: location(teamId, WORKSPACE_WIDE),
    member: { platform: 'slack', id: user.id },
    occurredAt: slackTime(eventTs, envelope.event_time),
  };
}

/** The bot itself and Slackbot act in channels, but neither is a community member. */
function notAMember(user: string, bot: BotIdentity, what: string): Ignored | undefined {
  if (user === bot.botUserId) return ignore(`our own bot ${what}`);
  if (user === SLACKBOT_USER_ID) return ignore(`Slackbot ${what}: Slackbot is not a member`);
  return undefined;
}

/**
 * Who a reply or a reaction is addressed to, spread into the event: nobody when the payload does not say,
 * when it is the actor themselves, or when it is the bot or Slackbot (neither is a member). Another app's
 * bot user cannot be told from a member by its id alone, so it stays.
 */
function addressedTo(target: string | undefined, actor: string, bot: BotIdentity): { toMember?: Member } {
  if (!target || target === actor || target === bot.botUserId || target === SLACKBOT_USER_ID) return {};
  return { toMember: { platform: 'slack', id: target } };
}

/**
 * Where something happened: the workspace (team) and channel, and the workspace's name when the payload
 * carries one (a slash command's `team_domain`). A channel id starting with `D` is a direct message (for a
 * command or a button there: the member's DM with the bot); `G` ids are group DMs or old private channels,
 * which are places in the community.
 */
export function location(teamId: string, channelId: string, spaceName?: string): Location {
  const space = { platform: 'slack', id: teamId } as const;
  return {
    space,
    channelId,
    ...(channelId.startsWith('D') ? { direct: true } : {}),
    ...(spaceName ? { spaceName } : {}),
  };
}

/**
 * Slack times are `seconds.micros` strings (`ts`, `event_ts`) or epoch seconds (`event_time`). A time
 * outside what a Date can hold falls back to now, so a record can always be written.
 */
export function slackTime(ts: string | undefined, fallbackSeconds?: number): Date {
  const seconds = ts !== undefined ? Number(ts) : fallbackSeconds;
  const at = new Date(Math.round((seconds ?? Number.NaN) * 1000));
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
