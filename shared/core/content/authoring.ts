/**
 * Authoring the library: topics (topics.ts), moderators' items (authoring-items.ts, library-list.ts),
 * members' suggestions (suggestions.ts) and their review (queue.ts). This module only gathers their
 * handlers for the feature (feature.ts).
 */
import { itemCommandHandlers, itemFormHandlers } from './authoring-items.js';
import type { FeatureParts } from './feature.js';
import { listHandlers } from './library-list.js';
import { queueButtonHandlers, queueCommandHandlers, queueFormHandlers } from './queue.js';
import { suggestCommandHandlers, suggestFormHandlers } from './suggestions.js';
import { topicHandlers } from './topics.js';

export const authoringParts: FeatureParts = {
  commandHandlers: {
    ...itemCommandHandlers,
    ...listHandlers,
    ...suggestCommandHandlers,
    ...queueCommandHandlers,
    ...topicHandlers,
  },
  buttonHandlers: queueButtonHandlers,
  formHandlers: { ...itemFormHandlers, ...suggestFormHandlers, ...queueFormHandlers },
};
