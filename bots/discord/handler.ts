import { loadDiscordConfig } from './config.js';
import { createDiscordHandler } from './edge.js';

/** Lambda entry: config read once per cold start; see edge.ts. */
export const handler = createDiscordHandler(loadDiscordConfig(process.env));
