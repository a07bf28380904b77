/**
 * Erasing a member from one community, as a resumable job.
 *
 * 1. Tombstones: each linked identity's privacy marker says "erasing this community", opted out, on the next
 *    generation. From then on nothing new is recorded about them, and a run that stops half-way is resumed by
 *    running again: a tombstone already there keeps its generation, so the ids to look for stay the same.
 * 2. Every registered kind of member item is erased (each kind's `erase` is safe to repeat). The identity
 *    mapping goes last: a resumed run still needs it to know who is linked.
 * 3. The tombstones become plain opt-outs (the marker outlives the erasure, so the member stays unrecorded
 *    until they opt in again), and the caller answers with the counts.
 */
import type { SpaceRecord } from '../communities/model.js';
import type { Member } from '../events.js';
import type { CoreServices } from '../feature.js';
import type { MemberScope } from './model.js';
import { spacesOf } from './scope.js';

/** What an erasure erased, by kind, in registration order. */
export type ErasureReport = ReadonlyArray<{ readonly kind: string; readonly count: number }>;

/** The name of the identity mapping's kind: erased after every other kind (see above). */
export const IDENTITY_MAPPING_KIND = 'identity links';

export async function eraseMember(
  services: CoreServices,
  space: SpaceRecord,
  member: Member,
  now: Date,
): Promise<ErasureReport> {
  const { members } = services.stores;
  const pseudonyms = await services.pseudonyms();
  const identities = await members.identities(space.communityId, member);
  const tombstones = await Promise.all(
    identities.map((identity) =>
      members.beginErasure(pseudonyms.privacyKey(identity), space.communityId, now),
    ),
  );
  const scope: MemberScope = {
    communityId: space.communityId,
    spaces: await spacesOf(services, space),
    identities,
    memberIds: identities.flatMap((identity, index) =>
      pseudonyms.memberIds(identity, tombstones[index]?.erase ?? 0),
    ),
    now,
  };
  const kinds = [...services.memberData].sort(
    (a, b) => Number(a.name === IDENTITY_MAPPING_KIND) - Number(b.name === IDENTITY_MAPPING_KIND),
  );
  const report: { kind: string; count: number }[] = [];
  for (const kind of kinds) {
    report.push({ kind: kind.name, count: await kind.erase(scope, services.stores) });
  }
  await Promise.all(identities.map((identity) => members.endErasure(pseudonyms.privacyKey(identity), now)));
  services.logger.info('member erased', {
    community: space.communityId,
    identities: identities.length,
    items: report.reduce((sum, entry) => sum + entry.count, 0),
  });
  return report;
}

/** The report in words, for the private answer. */
export function reportText(report: ErasureReport): string {
  const lines = report.filter((entry) => entry.count > 0).map((entry) => `- ${entry.kind}: ${entry.count}`);
  return lines.length > 0 ? lines.join('\n') : '- nothing was stored';
}
