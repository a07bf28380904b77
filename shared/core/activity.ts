/**
 * Taking part through the bot's own features, recorded as engagement beside messages and reactions: a
 * member's item accepted into the library, a "Helpful" vote (engagement.ts {@link ActivityKind}). The
 * record names the member by opaque id, like every other, and is written once per key; nothing is recorded
 * for a member who opted out (or is being erased), or for an act in a private chat with the bot.
 */
import { type ActivityKind, type EngagementRecord, keyInSpace, type RecordOutcome } from './engagement.js';
import type { Member, Space } from './events.js';
import type { CoreServices } from './feature.js';
import { privacyKeysOf, recordingIds } from './members/privacy.js';
import { DEFAULT_RETENTION_DAYS } from './members/retention.js';
import { endOfDay, utcDay } from './time.js';

const DAY_MS = 24 * 3600 * 1000;

/** One act to record: who, where, and a key naming it for good (a redelivery writes nothing new). */
export interface Activity {
  readonly kind: ActivityKind;
  readonly space: Space;
  readonly channelId: string;
  readonly member: Member;
  /** Unique within the space: `content_helpful:<item>:<person>`. */
  readonly id: string;
  readonly at: Date;
  /** The space's raw-engagement retention (SpaceRecord.retentionDays). */
  readonly keepDays?: number;
}

/** Records the act unless the member opted out; `skipped` then. */
export async function recordActivity(
  services: CoreServices,
  activity: Activity,
): Promise<RecordOutcome | 'skipped'> {
  const pseudonyms = await services.pseudonyms();
  const people = { member: activity.member };
  const keys = privacyKeysOf(pseudonyms, people);
  const markers = await services.stores.members.privacy(keys);
  const ids = recordingIds(pseudonyms, people, keys, markers);
  if (!ids.record) return 'skipped';
  const day = utcDay(activity.at);
  const keepDays = activity.keepDays ?? DEFAULT_RETENTION_DAYS;
  const record: EngagementRecord = {
    key: keyInSpace(activity.space, activity.id),
    platform: activity.space.platform,
    kind: activity.kind,
    spaceId: activity.space.id,
    channelId: activity.channelId,
    memberId: ids.memberId,
    occurredAt: activity.at.toISOString(),
    recordedAt: activity.at.toISOString(),
    day,
    expiresAt: new Date(endOfDay(day).getTime() + keepDays * DAY_MS).toISOString(),
  };
  return services.stores.engagement.record(record);
}
