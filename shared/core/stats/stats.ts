/**
 * `/community stats` (moderators): engagement totals, answered from a later invocation (30 days of queries).
 * The caller's scope decides what is read: a space moderator their space; a community moderator every space
 * of the community, per platform, per space and in total.
 */
import { spaceKey } from '../communities/model.js';
import type { CommandTurn, Feature } from '../feature.js';
import { computeStats, formatStats, type StatsSpace } from './compute.js';

export const statsFeature: Feature = {
  commands: [
    {
      name: 'stats',
      summary: 'Members seen, messages, replies, reactions and joins: today, 7 and 30 days',
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

/**
 * The spaces a moderator's stats cover, found through the space -> community item. A community with no named
 * moderators has one space, so that case needs no community read.
 */
async function scopeOf({ space, event, services }: CommandTurn): Promise<StatsSpace[]> {
  if (!space) return [];
  const { communities, spaces } = services.stores;
  const community = await communities.isModerator(space.communityId, event.member);
  const scope = community ? await spaces.spacesOf(space.communityId) : [space];
  return scope.map((record) => ({
    platform: record.platform,
    id: record.id,
    formerIds: record.formerIds,
    label: record.name ? `${record.name} (${spaceKey(record)})` : spaceKey(record),
  }));
}
