/**
 * What a platform's outbox transport (bots/<platform>/outbox.ts) is built with in the worker Lambda
 * (bots/outbox/), `npm run dev` and the tests. Each platform exports
 * `create<Platform>OutboxTransport(env: Env, deps: OutboxTransportDeps): OutboxTransport`, reading its own
 * settings from `env` with its own config loader; nothing is read or connected until the first send.
 */
import type { Store } from '../store/index.js';
import type { Logger } from './logger.js';

export interface OutboxTransportDeps {
  readonly logger: Logger;
  /** The table (Slack reads its workspaces' installations from it). */
  readonly store: Store;
  /**
   * How long one call may take before its outcome counts as unknown (default 10 s). A timeout is real time:
   * the worker's clock only paces sends.
   */
  readonly timeoutMs?: number;
}
