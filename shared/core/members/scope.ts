/**
 * Who a member is inside one community: their linked identities, every opaque id their items may carry, and
 * the community's spaces. `me` reads it; an erasure first moves every identity to its tombstone and then
 * works on the ids the tombstones say.
 */
import type { SpaceRecord } from '../communities/model.js';
import type { Member } from '../events.js';
import type { CoreServices } from '../feature.js';
import { DEFAULT_PRIVACY, type MemberScope, type PrivacyState } from './model.js';

/** The member's scope as things stand (for `me`). */
export async function memberScope(
  services: CoreServices,
  space: SpaceRecord,
  member: Member,
  now: Date,
): Promise<MemberScope & { readonly privacy: PrivacyState }> {
  const { members } = services.stores;
  const pseudonyms = await services.pseudonyms();
  const [identities, spaces] = await Promise.all([
    members.identities(space.communityId, member),
    spacesOf(services, space),
  ]);
  const markers = await members.privacy(identities.map((identity) => pseudonyms.privacyKey(identity)));
  const stateOf = (identity: Member) => markers.get(pseudonyms.privacyKey(identity)) ?? DEFAULT_PRIVACY;
  return {
    communityId: space.communityId,
    spaces,
    identities,
    memberIds: identities.flatMap((identity) => pseudonyms.memberIds(identity, stateOf(identity).generation)),
    now,
    privacy: stateOf(member),
  };
}

/** The community's spaces; a space nobody linked is its community's only one. */
export async function spacesOf(services: CoreServices, space: SpaceRecord): Promise<SpaceRecord[]> {
  const spaces = await services.stores.spaces.spacesOf(space.communityId);
  return spaces.length > 0 ? spaces : [space];
}
