/**
 * Where a member pulls from: the community whose library answers, the space, and the channel an item may be
 * shared into. A command names it by where it runs; a press in a private chat (Telegram answers privately
 * there) names no community, so its button carries the space it was asked in.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { Space } from '../events.js';
import { answer, type Outcome, type Turn } from '../feature.js';
import { memberAudience } from '../outbox/audience.js';
import type { MemberAudience } from '../outbox/model.js';

/** A member's place in a community, for one request. */
export interface PullPlace {
  readonly communityId: string;
  readonly space: Space;
  /** The channel it happened in; absent for a press in a private chat. */
  readonly channelId?: string;
  /** The space's raw-engagement retention (SpaceRecord.retentionDays), for activity records. */
  readonly keepDays?: number;
}

export const IN_COMMUNITY: Outcome = answer(
  `Use \`/${COMMAND_NAME}\` in a channel of your community, so I know whose library you mean.`,
);

export const NOT_IN_LIBRARY = "That item is not in this community's library (or no longer shown).";

/** The place of an event in a served space; `undefined` in a private chat. */
export function placeOf(turn: Turn): PullPlace | undefined {
  const { location } = turn.event;
  if (!turn.space || location.direct) return undefined;
  const { communityId, retentionDays } = turn.space;
  return {
    communityId,
    space: location.space,
    channelId: location.channelId,
    ...(retentionDays ? { keepDays: retentionDays } : {}),
  };
}

/**
 * The place of a press: the event's own when it happened in a space (a value naming another space is
 * ignored: communities are walls); in a private chat, the active space the button names on this platform.
 */
export async function placeOfPress(turn: Turn, spaceId: string | undefined): Promise<PullPlace | undefined> {
  const here = placeOf(turn);
  if (here || !spaceId) return here;
  const space: Space = { platform: turn.event.location.space.platform, id: spaceId };
  const record = await turn.services.stores.spaces.find(space);
  if (record?.status !== 'active') return undefined;
  const keep = record.retentionDays ? { keepDays: record.retentionDays } : {};
  return { communityId: record.communityId, space, ...keep };
}

/** The acting member as an audience in the place's community; `undefined` when they opted out. */
export function audienceAt(turn: Turn, place: PullPlace): Promise<MemberAudience | undefined> {
  return memberAudience(turn.services, place.communityId, place.space, turn.event.member);
}

/** Where an item pulled here may be shared: the channel it was asked in (none in a private chat). */
export function shareHere(place: PullPlace): { spaceId: string; channelId: string } | undefined {
  return place.channelId ? { spaceId: place.space.id, channelId: place.channelId } : undefined;
}
