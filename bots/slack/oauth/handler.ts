import { loadSlackOAuthConfig } from './config.js';
import { createSlackOAuthHandler } from './edge.js';

/** Lambda entry of the Slack installation flow: config read once per cold start; see edge.ts. */
export const handler = createSlackOAuthHandler(loadSlackOAuthConfig(process.env));
