import type {
  ButtonPressed,
  CommandInvoked,
  InboundEvent,
  Location,
  MemberJoined,
  MemberLeft,
} from '../../shared/core/events.js';

/**
 * Slack payloads -> core events. Pure functions over the documented payload shapes; everything Slack-named
 * (snake_case) stays in this file. A payload that is not engagement comes back as {@link Ignored} with the
 * reason, so the listener can log it: nothing is dropped silently.
 */

/** The bot's own identity: what it posts or does itself is never engagement. */
export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

/** A payload deliberately not recorded, and why (for a debug log line; never contains message text). */
export interface Ignored {
  readonly ignored: string;
}

export type Parsed<T> = T | Ignored;

export function isIgnored<T extends object>(result: Parsed<T>): result is Ignored {
  return 'ignored' in result;
}

/** The Events API envelope (`type: event_callback`), the fields we read. */
interface EventEnvelope {
  readonly team_id?: string;
  readonly event_id?: string;
  readonly event_time?: number;
  readonly event?: InnerEvent;
}

interface InnerEvent {
  readonly type?: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly channel?: string;
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly event_ts?: string;
  readonly reaction?: string;
  readonly item?: { readonly type?: string; readonly channel?: string; readonly ts?: string };
}

/** A slash command's form fields, the ones we read. */
export interface SlashCommandFields {
  readonly team_id?: string;
  readonly channel_id?: string;
  readonly user_id?: string;
  readonly text?: string;
  readonly trigger_id?: string;
}

interface BlockActionsBody {
  readonly type?: string;
  readonly trigger_id?: string;
  readonly team?: { readonly id?: string } | null;
  readonly user?: { readonly id?: string; readonly team_id?: string };
  readonly channel?: { readonly id?: string };
  readonly container?: { readonly channel_id?: string };
  readonly actions?: readonly {
    readonly type?: string;
    readonly action_id?: string;
    readonly value?: string;
    readonly action_ts?: string;
  }[];
}

/** Message subtypes that are a member writing something; all others (edits, deletes, joins, bots) are not. */
const MEMBER_MESSAGE_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'thread_broadcast',
  'file_share',
]);

/** Turns an Events API delivery into the core event it stands for, or says why it is ignored. */
export function parseEventCallback(body: unknown, bot: BotIdentity): Parsed<InboundEvent> {
  const envelope = body as EventEnvelope;
  const event = envelope.event;
  if (!envelope.team_id || !event) return { ignored: 'event_callback without team_id or event' };
  switch (event.type) {
    case 'message':
      return parseMessage(envelope.team_id, event, bot);
    case 'reaction_added':
    case 'reaction_removed':
      return parseReaction(envelope, event, event.type, bot);
    case 'member_joined_channel':
      return parseMembership(envelope, event, 'member_joined', bot);
    case 'member_left_channel':
      return parseMembership(envelope, event, 'member_left', bot);
    default:
      return { ignored: `event type ${event.type ?? '(none)'} is not engagement` };
  }
}

function parseMessage(teamId: string, event: InnerEvent, bot: BotIdentity): Parsed<InboundEvent> {
  if (!MEMBER_MESSAGE_SUBTYPES.has(event.subtype)) return { ignored: `message subtype ${event.subtype}` };
  if (event.bot_id) return { ignored: event.bot_id === bot.botId ? 'our own bot message' : 'bot message' };
  const { user, channel, ts } = event;
  if (!user || !channel || !ts) return { ignored: 'message without user, channel or ts' };
  if (user === bot.botUserId) return { ignored: 'our own bot message' };
  const base = {
    // Channel + ts names one message for good: a redelivery, or the same message seen through another
    // subscription, maps to the same record.
    id: `${teamId}/${channel}/${ts}`,
    location: location(teamId, channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(ts),
    messageId: ts,
    textLength: event.text?.length ?? 0,
  } as const;
  // A thread root carries thread_ts equal to its own ts; only a different one makes it a reply.
  if (event.thread_ts && event.thread_ts !== ts) {
    return { ...base, kind: 'thread_reply', replyToId: event.thread_ts };
  }
  return { ...base, kind: 'message_posted' };
}

function parseReaction(
  envelope: EventEnvelope,
  event: InnerEvent,
  kind: 'reaction_added' | 'reaction_removed',
  bot: BotIdentity,
): Parsed<InboundEvent> {
  const { item, user, reaction } = event;
  if (item?.type !== 'message') return { ignored: `reaction on a ${item?.type ?? 'missing'} item` };
  if (!user || !item.channel || !item.ts || !reaction || !envelope.event_id || !envelope.team_id) {
    return { ignored: 'reaction without user, item, reaction or event_id' };
  }
  if (user === bot.botUserId) return { ignored: 'our own bot reaction' };
  return {
    kind,
    // Slack's retries carry the same event_id; a reaction removed and added again is a new event.
    id: envelope.event_id,
    location: location(envelope.team_id, item.channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(event.event_ts, envelope.event_time),
    messageId: item.ts,
    reaction,
  };
}

function parseMembership(
  envelope: EventEnvelope,
  event: InnerEvent,
  kind: 'member_joined' | 'member_left',
  bot: BotIdentity,
): Parsed<MemberJoined | MemberLeft> {
  const { user, channel } = event;
  if (!user || !channel || !envelope.event_id || !envelope.team_id) {
    return { ignored: `${event.type} without user, channel or event_id` };
  }
  // Bolt's ignoreSelf keeps these for the bot user on purpose; for engagement the bot is not a member.
  if (user === bot.botUserId) return { ignored: `our own bot ${event.type}` };
  return {
    kind,
    id: envelope.event_id,
    location: location(envelope.team_id, channel),
    member: { platform: 'slack', id: user },
    occurredAt: slackTime(event.event_ts, envelope.event_time),
  };
}

/**
 * A `/community ...` slash command. Slack does not redeliver slash commands; `trigger_id` is unique per
 * invocation, so it is the event id.
 */
export function parseSlashCommand(fields: SlashCommandFields, receivedAt: Date): Parsed<CommandInvoked> {
  const { team_id: teamId, channel_id: channelId, user_id: userId, trigger_id: triggerId } = fields;
  if (!teamId || !channelId || !userId || !triggerId) {
    return { ignored: 'slash command without team_id, channel_id, user_id or trigger_id' };
  }
  return {
    kind: 'command_invoked',
    id: triggerId,
    location: location(teamId, channelId),
    member: { platform: 'slack', id: userId },
    occurredAt: receivedAt,
    args: fields.text ?? '',
  };
}

/** A press on one of our Block Kit buttons (`block_actions` with a `button` action). */
export function parseButtonPress(body: unknown): Parsed<ButtonPressed> {
  const payload = body as BlockActionsBody;
  const action = payload.actions?.[0];
  if (payload.type !== 'block_actions' || action?.type !== 'button' || !action.action_id) {
    return { ignored: `interaction ${payload.type ?? '(none)'} is not a button press` };
  }
  const teamId = payload.team?.id ?? payload.user?.team_id;
  const channelId = payload.channel?.id ?? payload.container?.channel_id;
  const userId = payload.user?.id;
  if (!teamId || !channelId || !userId || !payload.trigger_id) {
    return { ignored: 'button press without team, channel, user or trigger_id' };
  }
  return {
    kind: 'button_pressed',
    // Slack does not redeliver interactions; trigger_id is unique per press.
    id: payload.trigger_id,
    location: location(teamId, channelId),
    member: { platform: 'slack', id: userId },
    occurredAt: slackTime(action.action_ts),
    actionId: action.action_id,
    ...(action.value !== undefined ? { value: action.value } : {}),
  };
}

function location(teamId: string, channelId: string): Location {
  return { space: { platform: 'slack', id: teamId }, channelId };
}

/** Slack times are `seconds.micros` strings (`ts`, `event_ts`) or epoch seconds (`event_time`). */
function slackTime(ts: string | undefined, fallbackSeconds?: number): Date {
  const seconds = Number(ts ?? fallbackSeconds);
  return Number.isFinite(seconds) ? new Date(Math.round(seconds * 1000)) : new Date();
}
