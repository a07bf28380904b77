/** Who may act for a space and who for a whole community. */
import type { Member } from '../events.js';
import type { CommunityStore, SpaceRecord } from './model.js';

/**
 * A community moderator: named in the community's moderators (the two who issued and redeemed its first link,
 * and whoever they add). A community nobody has linked yet has none, and its space's moderators run it.
 */
export async function isCommunityModerator(
  communities: CommunityStore,
  space: SpaceRecord | undefined,
  member: Member,
  isSpaceModerator: () => Promise<boolean>,
): Promise<boolean> {
  if (!space) return false;
  if (await communities.isModerator(space.communityId, member)) return true;
  const moderators = await communities.moderators(space.communityId);
  return moderators.length === 0 && (await isSpaceModerator());
}
