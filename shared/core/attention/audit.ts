/** Moderator actions of the attention, welcome and announce features, kept for `/community audit`. */
import type { Turn } from '../feature.js';

/** Notes that the acting member did `action` in the event's space (its community's audit trail). */
export async function auditAction(turn: Turn, communityId: string, action: string): Promise<void> {
  const { space } = turn.event.location;
  await turn.services.stores.communities.audit(communityId, {
    at: turn.now.toISOString(),
    actor: turn.event.member,
    action,
    where: `${space.platform}:${space.id}`,
  });
}
