/** Ops approving a waiting space (approved mode), from `npm run spaces -- approve` (infra/ops/spaces.ts). */
import type { Space } from '../events.js';
import type { CommunityStore, SpaceRecord, SpaceStore } from './model.js';
import { spaceKey } from './model.js';

export type ApproveResult =
  | { readonly kind: 'approved'; readonly record: SpaceRecord }
  | { readonly kind: 'already_active'; readonly record: SpaceRecord }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'moved'; readonly record: SpaceRecord };

/**
 * Serves a pending (or removed) space as a community of its own, with an audit entry naming the operator.
 * The space's moderators run it from then on; its notice is posted at its next activity.
 */
export async function approveSpace(
  stores: { readonly spaces: SpaceStore; readonly communities: CommunityStore },
  space: Space,
  operator: string,
  now: Date,
): Promise<ApproveResult> {
  const found = await stores.spaces.find(space);
  if (!found) return { kind: 'unknown' };
  if (found.status === 'moved') return { kind: 'moved', record: found };
  if (found.status === 'active') return { kind: 'already_active', record: found };
  const record = (await stores.spaces.activate(space, now)) ?? found;
  await stores.communities.audit(record.communityId, {
    at: now.toISOString(),
    actor: { platform: 'ops', id: operator },
    action: `approved ${spaceKey(space)}`,
    where: 'ops',
  });
  return { kind: 'approved', record };
}
