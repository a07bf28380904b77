import { createOutboxHandler } from './worker-handler.js';

/** Lambda entry of the outbox worker (run by its schedule and by wake-ups); config read once per cold start. */
export const handler = createOutboxHandler(process.env);
