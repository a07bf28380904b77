import { type Env, loadStoreConfig } from '../../shared/lambda/env.js';
import type { StoreConfig } from '../../shared/store/client.js';

/**
 * The longest one invocation drains: the schedule starts the next run a minute after this one started, so
 * a run that ends a few seconds before leaves the lease free for it.
 */
export const MAX_RUN_MS = 55_000;

/** Time kept back from the function's timeout: an attempt under way finishes and is recorded before it. */
export const END_MARGIN_MS = 10_000;

/** What the outbox worker's Lambda needs, read once per cold start. */
export interface OutboxWorkerConfig {
  /** TABLE_NAME and, locally, DYNAMODB_ENDPOINT. */
  readonly store: StoreConfig;
  /**
   * The platforms' settings, handed to their transports (bots/<platform>/outbox.ts), each of which reads
   * its own with its bot's config loader: API base URLs, and the secrets or, in AWS, the secret ARNs
   * (SLACK_SECRET_ARN, DISCORD_SECRET_ARN, TELEGRAM_SECRET_ARN). The member key is not needed: the worker
   * sends what was enqueued, under ids computed when it was.
   */
  readonly platforms: Env;
  /** How long one invocation drains at most (before the function's own remaining time is considered). */
  readonly maxRunMs: number;
}

/** Reads the worker's settings; a missing one fails at start, naming the variable. */
export function loadOutboxConfig(env: Env): OutboxWorkerConfig {
  return Object.freeze({
    store: loadStoreConfig(env),
    platforms: Object.freeze({ ...env }),
    maxRunMs: MAX_RUN_MS,
  });
}
