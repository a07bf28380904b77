// PLACEHOLDER (replaced by the authoring helper): answers every command with a notice.
import { answer } from '../feature.js';
import type { FeatureParts } from './feature.js';

const notYet = { run: async () => answer('Not built yet.') };
export const authoringParts: FeatureParts = {
  commandHandlers: {
    'content add': notYet,
    'content edit': notYet,
    'content retire': notYet,
    'content list': notYet,
    'content suggest': notYet,
    'content queue': notYet,
    'topics show': notYet,
    'topics add': notYet,
    'topics remove': notYet,
  },
};
