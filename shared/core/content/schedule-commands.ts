// PLACEHOLDER (replaced by the schedule helper): answers every command with a notice.
import { answer } from '../feature.js';
import type { FeatureParts } from './feature.js';

const notYet = { run: async () => answer('Not built yet.') };
export const scheduleParts: FeatureParts = {
  commandHandlers: { 'schedule set': notYet, 'schedule show': notYet, 'schedule off': notYet },
};
