/**
 * `/community stats` (moderators): engagement totals, answered from a later invocation (30 days of queries).
 * The caller's scope decides what is read: a space moderator their space; a community moderator every space
 * of the community, per platform, per space and in total.
 */
import { type SpaceRecord, spaceKey } from '../communities/model.js';
import type { Member } from '../events.js';
import type { CommandTurn, CoreStores, Feature } from '../feature.js';
import { computeStats, formatStats, type StatsSpace } from './compute.js';

export const statsFeature: Feature = {
  commands: [
    {
      name: 'stats',
      summary: 'Members seen, messages, replies, reactions, joins (1, 7, 30 days)',
      moderatorOnly: true,
      options: [],
    },
  ],
  commandHandlers: {
    stats: {
      run: async () => ({ kind: 'later' }),
      later: async (turn) => ({
        text: formatStats(await computeStats(turn.services.stores.engagement, await scopeOf(turn), turn.now)),
      }),
    },
  },
};

/** The spaces the caller's `/community stats` covers (see {@link statsScope}). */
async function scopeOf({ space, event, services }: CommandTurn): Promise<StatsSpace[]> {
  return space ? statsScope(services.stores, space, event.member) : [];
}

/**
 * The spaces a moderator's stats cover, found through the space -> community item: a community moderator's
 * every space of the community, anyone else's only `space`. A community with no named moderators has one
 * space, so that case needs no community read. Also what the moderator's home shows (home/home.ts).
 */
export async function statsScope(
  { communities, spaces }: Pick<CoreStores, 'communities' | 'spaces'>,
  space: SpaceRecord,
  member: Member,
): Promise<StatsSpace[]> {
  const community = await communities.isModerator(space.communityId, member);
  const scope = community ? await spaces.spacesOf(space.communityId) : [space];
  return scope.map((record) => ({
    platform: record.platform,
    id: record.id,
    formerIds: record.formerIds,
    label: record.name ? `${record.name} (${spaceKey(record)})` : spaceKey(record),
  }));
}
