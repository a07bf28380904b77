// PLACEHOLDER (replaced by the pull helper): answers every command with a notice.
import { answer } from '../feature.js';
import type { FeatureParts } from './feature.js';

const notYet = { run: async () => answer('Not built yet.') };
export const pullParts: FeatureParts = {
  commandHandlers: { tip: notYet, find: notYet, digest: notYet, 'content stats': notYet },
};
