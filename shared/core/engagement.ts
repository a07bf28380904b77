import type { Claim } from './answers.js';
import type { InboundEvent, InboundEventKind, Platform, ReactionsCounted, Space } from './events.js';
import { endOfDay, utcDay } from './time.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * One act of engagement, as stored. Ids, times and sizes only: the text of a message is never kept.
 */
export interface EngagementRecord {
  /** `<platform>:<space>:<platform event id>`: the same for every delivery of one event. */
  readonly key: string;
  readonly platform: Platform;
  readonly kind: RecordKind;
  readonly spaceId: string;
  readonly channelId: string;
  /** The member's opaque id (members/pseudonyms.ts), never a platform id. */
  readonly memberId: string;
  /** Who a reply or reaction was addressed to, as an opaque id, when the platform said so. */
  readonly toMemberId?: string;
  readonly occurredAt: string;
  /** When the first delivery that got recorded arrived. Stats count by this day, see {@link utcDay}. */
  readonly recordedAt: string;
  /** UTC day (`YYYY-MM-DD`) of {@link recordedAt}. */
  readonly day: string;
  readonly messageId?: string;
  readonly replyToId?: string;
  readonly textLength?: number;
  readonly reaction?: string;
  /** How many anonymous reactions a {@link REACTIONS_COUNTED} record stands for. */
  readonly count?: number;
  /** When the record expires (ISO); unset for what is kept as long as the table. */
  readonly expiresAt?: string;
}

/** Whether this delivery was the first one of its event. */
export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * The member id of what was done in the name of the space (an anonymous admin's post, anonymous reaction
 * counts): counted in the space's columns, never as a member seen, never an edge, never anyone's data.
 */
export const ANONYMOUS = '-';

/**
 * A change to what is recorded. Each carries a `sequence` that orders the changes of one record: a change
 * older than the last one applied is stale and changes nothing (a replay, or two relays side by side).
 */
export type RecordChange =
  /** A reaction is on: stored when new; counted again, on this day, when it had been taken back. */
  | { readonly type: 'react'; readonly record: EngagementRecord; readonly sequence: number }
  /**
   * A reaction taken back or a message deleted: the record stops counting. When nothing is stored yet (the
   * change overtook what it withdraws), `tombstone` is stored in its place, so the late delivery is not counted.
   */
  | {
      readonly type: 'withdraw';
      readonly key: string;
      readonly sequence: number;
      readonly tombstone: Tombstone;
    }
  /** A message edited: its new length. */
  | { readonly type: 'amend'; readonly key: string; readonly sequence: number; readonly textLength: number }
  /** Anonymous reactions of one emoji on one message: how many there are now (counted for the space). */
  | {
      readonly type: 'count';
      readonly record: EngagementRecord;
      readonly sequence: number;
      readonly count: number;
    };

/** What stands for a withdrawn record that was never stored; it expires when no late delivery can come. */
export interface Tombstone {
  readonly platform: Platform;
  readonly spaceId: string;
  /** Whose it is, when known (a reaction): so `forget` finds it. */
  readonly memberId?: string;
  readonly expiresAt: string;
}

/**
 * What a change did: `applied`; `absent` (nothing stored: a tombstone took its place, or an edit had nothing
 * to amend); `unchanged` (already so, or stale).
 */
export type ChangeOutcome = 'applied' | 'absent' | 'unchanged';

/** The store the core records into; the DynamoDB implementation lives in shared/store. */
export interface EngagementStore {
  /** Writes the record unless one with the same key exists. Must be safe to call concurrently. */
  record(record: EngagementRecord): Promise<RecordOutcome>;
  /**
   * Records an interaction (a command, press or form) and claims its answer in the same conditional write:
   * an interaction's record is its answer's ledger entry, with the states of answers.ts. `completedAtOnce`:
   * the answer travels in the acknowledgement itself (the HTTP response), so it is written as given, and an
   * answered interaction costs one write. A write whose outcome is unknown (its answers were lost) is
   * released before the error is thrown, so a redelivery answers.
   */
  recordInteraction(
    record: EngagementRecord,
    now: Date,
    inProgressMs: number,
    completedAtOnce: boolean,
  ): Promise<{ readonly outcome: RecordOutcome; readonly claim: Claim }>;
  /** Marks an interaction's answer given. */
  completeInteraction(key: string): Promise<void>;
  /** Gives an interaction's claim up after a failure, so a redelivery answers. */
  releaseInteraction(key: string): Promise<void>;
  /**
   * Per-day totals for one space, one entry per requested day, in the same order. Read from that space's
   * own keys: no other space's records are ever read.
   */
  dayTotals(space: Space, days: readonly string[], now: Date): Promise<DayTotals[]>;
  /** A member's records in one space, from `fromDay` (UTC day) on or all of them, found by their opaque ids. */
  memberActivity(space: Space, memberIds: readonly string[], fromDay?: string): Promise<MemberActivity[]>;
  /**
   * Deletes every record these ids hold in the space (engagement and interaction claims) and takes them out
   * of the space's closed-day rollups, so each equals a recount that never saw them. Safe to run again after
   * a failure half-way: what is gone stays gone, and a rollup is adjusted once per record. Returns how many
   * records it deleted.
   */
  eraseMember(space: Space, memberIds: readonly string[], now: Date): Promise<number>;
  /**
   * Applies a change to a record, conditionally on its `sequence`, so replays and reordered deliveries leave
   * the state of the latest change. When the record's day is closed, the day's rollup is rebuilt so stats stay
   * a recount of what still counts.
   */
  change(change: RecordChange, now: Date): Promise<ChangeOutcome>;
  /** Who answered or reacted to whom in one space on one UTC day (opaque ids; the conversation network). */
  dayEdges(space: Space, day: string): Promise<Edge[]>;
  /**
   * How many distinct members (anonymous counts added) have a reaction on one message now, read from the
   * space's records of the given UTC days (the post's day and the days after it that feedback may come).
   */
  reactionsOn(space: Space, channelId: string, messageId: string, days: readonly string[]): Promise<number>;
  /**
   * How many distinct members replied to one of the bot's messages (a reply to a bot names no member), read
   * from the space's records of the given UTC days.
   */
  repliesTo(space: Space, channelId: string, messageId: string, days: readonly string[]): Promise<number>;
}

/** One of a member's records, as `me` counts them. */
export interface MemberActivity {
  readonly kind: InboundEventKind;
  readonly day: string;
}

/** A reply or reaction addressed to another member. */
export interface Edge {
  readonly kind: InboundEventKind;
  readonly from: string;
  readonly to: string;
}

/** What one space saw on one UTC day. */
export interface DayTotals {
  readonly platform: Platform;
  readonly spaceId: string;
  readonly day: string;
  readonly messages: number;
  readonly replies: number;
  readonly reactions: number;
  readonly joins: number;
  /** Distinct member ids seen that day (any kind of engagement). */
  readonly members: readonly string[];
}

/** Which stats column each kind of record adds to; kinds not listed only count towards members seen. */
export const COLUMN_OF_KIND: Partial<
  Record<InboundEventKind | CountedKind, 'messages' | 'replies' | 'reactions' | 'joins'>
> = {
  message_posted: 'messages',
  thread_reply: 'replies',
  reaction_added: 'reactions',
  member_joined: 'joins',
  // Adds its count, not 1.
  reactions_counted: 'reactions',
};

/**
 * What counts as community engagement, in one place. Running a bot command, pressing its button or filling
 * its form is using the bot, not taking part in the community: those records exist only as the answer's
 * claim, and expire with it. A departure is recorded but does not make a member "seen".
 */
export function isEngagement(kind: RecordKind): boolean {
  return !INTERACTION_KINDS.has(kind as InboundEventKind);
}

export function makesMemberSeen(kind: RecordKind): boolean {
  return isEngagement(kind) && kind !== 'member_left';
}

/**
 * Taking part through the bot's own features, recorded as engagement (activity.ts): a member's item added to
 * the library (`content_contributed`), a "Helpful" vote (`content_helpful`).
 */
export const ACTIVITY_KINDS = ['content_contributed', 'content_helpful'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The stored kind of anonymous reaction counts (a record per message and emoji, holding a count). */
export const REACTIONS_COUNTED = 'reactions_counted';
export type CountedKind = typeof REACTIONS_COUNTED;

/** Every kind a record may have. */
export type RecordKind = InboundEventKind | CountedKind | ActivityKind;

const INTERACTION_KINDS: ReadonlySet<InboundEventKind> = new Set([
  'command_invoked',
  'button_pressed',
  'form_submitted',
]);

/**
 * The record's key: the platform's event identity, within its space. Where a platform gives no event id and
 * the adapter builds one from the actor (a Discord join), the actor's platform id is replaced by their opaque
 * id: the same on every delivery, so still idempotent, and no key ever names the person. A reaction is keyed
 * by what it is (channel, message, member, emoji) on every platform, so its removal finds it.
 */
function recordKeyOf(event: InboundEvent, memberId: string): string {
  if (event.kind === 'reaction_added' || event.kind === 'reaction_removed') {
    return reactionKey(
      event.location.space,
      event.location.channelId,
      event.messageId,
      memberId,
      event.reaction,
    );
  }
  // Only a whole `:`-separated part that is the actor's id: a message id that merely holds its author's id
  // among its digits (a Telegram post 1424201 by user 42420) must stay as it is, for its edits to find it.
  const id = event.member.id
    ? event.id
        .split(':')
        .map((part) => (part === event.member.id ? memberId : part))
        .join(':')
    : event.id;
  return keyInSpace(event.location.space, id);
}

/** A record key: an id within its space. */
export function keyInSpace(space: Space, id: string): string {
  return `${space.platform}:${space.id}:${id}`;
}

/** One member's reaction (or the space's anonymous ones, `memberId` {@link ANONYMOUS}) of one emoji on one message. */
export function reactionKey(
  space: Space,
  channelId: string,
  messageId: string,
  memberId: string,
  reaction: string,
): string {
  return keyInSpace(space, `reaction:${channelId}/${messageId}/${memberId}/${reaction}`);
}

/** The opaque ids a record carries (the platform ids never reach it). */
export interface RecordIds {
  readonly memberId: string;
  readonly toMemberId?: string;
}

/**
 * Builds the stored record for an event; `receivedAt` is when this delivery arrived, `keepDays` how long the
 * community keeps raw engagement (members/retention).
 */
export function toEngagementRecord(
  event: InboundEvent,
  receivedAt: Date,
  ids: RecordIds,
  keepDays?: number,
): EngagementRecord {
  const base = {
    ...keptFor(event.kind, receivedAt, keepDays),
    key: recordKeyOf(event, ids.memberId),
    platform: event.location.space.platform,
    kind: event.kind,
    spaceId: event.location.space.id,
    channelId: event.location.channelId,
    memberId: ids.memberId,
    ...(ids.toMemberId ? { toMemberId: ids.toMemberId } : {}),
    occurredAt: event.occurredAt.toISOString(),
  };
  switch (event.kind) {
    case 'message_posted':
      return { ...base, messageId: event.messageId, ...lengthOf(event) };
    case 'thread_reply':
      return {
        ...base,
        messageId: event.messageId,
        replyToId: event.replyToId,
        ...lengthOf(event),
      };
    case 'reaction_added':
    case 'reaction_removed':
      return { ...base, messageId: event.messageId, reaction: event.reaction };
    default:
      return base;
  }
}

/** When and on which day a record is recorded, and when it expires (`keepDays` after its day). */
function keptFor(kind: RecordKind, receivedAt: Date, keepDays?: number) {
  return {
    recordedAt: receivedAt.toISOString(),
    day: utcDay(receivedAt),
    ...(keepDays && isEngagement(kind)
      ? { expiresAt: new Date(endOfDay(utcDay(receivedAt)).getTime() + keepDays * DAY_MS).toISOString() }
      : {}),
  };
}

/** The record of a message's anonymous reactions of one emoji (see {@link ReactionsCounted}). */
export function toCountRecord(
  change: ReactionsCounted,
  receivedAt: Date,
  keepDays?: number,
): EngagementRecord {
  const { space, channelId } = change.location;
  return {
    key: reactionKey(space, channelId, change.messageId, ANONYMOUS, change.reaction),
    platform: space.platform,
    kind: REACTIONS_COUNTED,
    spaceId: space.id,
    channelId,
    memberId: ANONYMOUS,
    occurredAt: change.occurredAt.toISOString(),
    messageId: change.messageId,
    reaction: change.reaction,
    count: change.count,
    ...keptFor(REACTIONS_COUNTED, receivedAt, keepDays),
  };
}

/** How long a tombstone outlives the change that left it: longer than any platform redelivers. */
export const TOMBSTONE_DAYS = 2;

/** The order of a change: the platform's own sequence, else its time. */
export function sequenceOf(event: { readonly sequence?: number; readonly occurredAt: Date }): number {
  return event.sequence ?? event.occurredAt.getTime();
}

/** The text length when the platform sent the text; nothing when it is unknown. */
function lengthOf(event: { readonly textLength?: number }): { textLength?: number } {
  return event.textLength === undefined ? {} : { textLength: event.textLength };
}
