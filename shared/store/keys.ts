/**
 * The partition keys items share, in one place: every item about a space lives under its space's key, every
 * item about a community under the community's.
 */
import type { Space } from '../core/events.js';

/** A space's partition: its directory entry (`SPACE`) and, on Slack, its installation (`INSTALLATION`). */
export function spacePartition(space: Space): string {
  return `SPACE#${space.platform}:${space.id}`;
}

/** A community's partition: the community, its spaces, moderators and audit trail. */
export function communityPartition(communityId: string): string {
  return `COMMUNITY#${communityId}`;
}

/** Sort keys within a space's partition. */
export const SPACE_ITEM = 'SPACE';
export const INSTALLATION_ITEM = 'INSTALLATION';
