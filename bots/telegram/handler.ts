import { loadTelegramConfig } from './config.js';
import { createTelegramHandler } from './edge.js';

/** Lambda entry: config read once per cold start; see edge.ts. */
export const handler = createTelegramHandler(loadTelegramConfig(process.env));
