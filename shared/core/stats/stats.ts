/** `/community stats` (moderators): engagement totals, answered from a later invocation (30 days of queries). */
import type { Feature } from '../feature.js';
import { computeStats, formatStats } from './compute.js';

export const statsFeature: Feature = {
  commands: [
    {
      name: 'stats',
      summary: 'This space: members seen, messages, replies, reactions and joins, today, 7 and 30 days',
      moderatorOnly: true,
      options: [],
    },
  ],
  commandHandlers: {
    stats: {
      run: async () => ({ kind: 'later' }),
      // This space's numbers only: a moderator is a moderator of their own space (community-wide stats
      // come with linked communities).
      later: async ({ services, now, event }) => ({
        text: formatStats(await computeStats(services.stores.engagement, [event.location.space], now)),
      }),
    },
  },
};
