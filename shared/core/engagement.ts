import type { InboundEvent, InboundEventKind, Platform } from './events.js';
import { utcDay } from './time.js';

/**
 * One act of engagement, as stored. Ids, times and sizes only: the text of a message is never kept.
 */
export interface EngagementRecord {
  /** `<platform>:<platform event id>`: the same for every delivery of one event. */
  readonly key: string;
  readonly platform: Platform;
  readonly kind: InboundEventKind;
  readonly spaceId: string;
  readonly channelId: string;
  readonly memberId: string;
  readonly occurredAt: string;
  /** When the first delivery that got recorded arrived. Stats count by this day, see {@link utcDay}. */
  readonly recordedAt: string;
  /** UTC day (`YYYY-MM-DD`) of {@link recordedAt}. */
  readonly day: string;
  readonly messageId?: string;
  readonly replyToId?: string;
  readonly textLength?: number;
  readonly reaction?: string;
}

/** Whether this delivery was the first one of its event. */
export type RecordOutcome = 'recorded' | 'duplicate';

/** The store the core records into; the DynamoDB implementation lives in shared/store. */
export interface EngagementStore {
  /** Writes the record unless one with the same key exists. Must be safe to call concurrently. */
  record(record: EngagementRecord): Promise<RecordOutcome>;
  /** Per-day totals for one platform, one entry per requested day, in the same order. */
  dayTotals(platform: Platform, days: readonly string[], now: Date): Promise<DayTotals[]>;
}

/** What one platform saw on one UTC day. */
export interface DayTotals {
  readonly platform: Platform;
  readonly day: string;
  readonly messages: number;
  readonly replies: number;
  readonly reactions: number;
  readonly joins: number;
  /** Distinct member ids seen that day (any kind of engagement). */
  readonly members: readonly string[];
}

/** Builds the stored record for an event; `receivedAt` is when this delivery arrived. */
export function toEngagementRecord(event: InboundEvent, receivedAt: Date): EngagementRecord {
  const base = {
    key: `${event.location.space.platform}:${event.id}`,
    platform: event.location.space.platform,
    kind: event.kind,
    spaceId: event.location.space.id,
    channelId: event.location.channelId,
    memberId: event.member.id,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: receivedAt.toISOString(),
    day: utcDay(receivedAt),
  };
  switch (event.kind) {
    case 'message_posted':
      return { ...base, messageId: event.messageId, textLength: event.textLength };
    case 'thread_reply':
      return {
        ...base,
        messageId: event.messageId,
        replyToId: event.replyToId,
        textLength: event.textLength,
      };
    case 'reaction_added':
    case 'reaction_removed':
      return { ...base, messageId: event.messageId, reaction: event.reaction };
    default:
      return base;
  }
}
