/** `/community stats` (moderators): engagement totals, answered from a later invocation (30 days of queries). */
import type { Feature } from '../feature.js';
import { computeStats, formatStats } from './compute.js';

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
      later: async ({ services, now }) => ({
        text: formatStats(await computeStats(services.stores.engagement, now)),
      }),
    },
  },
};
