import { loadSlackConfig } from './config.js';
import { createSlackHandler } from './edge.js';

/** Lambda entry: config read once per cold start; see edge.ts. */
export const handler = createSlackHandler(loadSlackConfig(process.env));
