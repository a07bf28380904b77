/**
 * The outbox worker's Lambda: an EventBridge Scheduler schedule runs it every minute, and a bot invokes it
 * asynchronously when something is due now (shared/lambda/wake.ts). Each invocation drains the outbox for at
 * most 55 s (config.ts) and never past the function's timeout less {@link END_MARGIN_MS}; the lease in the
 * table lets only one invocation drain at a time (the others return at once, `leased: false`).
 *
 * Built once per cold start without a network call: the table client and the three platforms' transports,
 * which read their tokens on their first send.
 */

import { runContentSchedule } from '../../shared/core/content/scheduler.js';
import type { Pseudonyms } from '../../shared/core/members/pseudonyms.js';
import { systemClock } from '../../shared/core/outbox/clock.js';
import type { Clock, OutboxTransport } from '../../shared/core/outbox/model.js';
import { createOutbox } from '../../shared/core/outbox/outbox.js';
import { createOutboxWorker, type WorkerReport } from '../../shared/core/outbox/worker.js';
import type { Env } from '../../shared/lambda/env.js';
import { createLogger, type Logger } from '../../shared/lambda/logger.js';
import { loadPseudonyms } from '../../shared/lambda/member-key.js';
import type { OutboxTransportDeps } from '../../shared/lambda/outbox-transport.js';
import { OUTBOX_SOURCE } from '../../shared/lambda/wake.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { createDiscordOutboxTransport } from '../discord/outbox.js';
import { createSlackOutboxTransport } from '../slack/outbox.js';
import { createTelegramOutboxTransport } from '../telegram/outbox.js';
import { END_MARGIN_MS, loadOutboxConfig } from './config.js';

/** The part of Lambda's context the worker reads: how long the invocation may still run. */
export interface WorkerContext {
  getRemainingTimeInMillis(): number;
}

/** The worker's Lambda handler. Locally (fake Lambda, tests) it may be called without a context. */
export type OutboxHandler = (event: unknown, context?: WorkerContext) => Promise<WorkerReport>;

/** What a test, the bench or `npm run dev` may give instead of the defaults. */
export interface OutboxHandlerDeps {
  /** The worker's clock (a simulated one in tests); the system's by default. */
  readonly clock?: Clock;
  /** Structured logger; the worker's own Powertools logger by default. */
  readonly logger?: Logger;
  /**
   * The longest one invocation drains (55 s by default, config.ts). `npm run dev` runs shorter ones on a
   * fast timer, so stopping it never waits long for a run that is pacing sends.
   */
  readonly maxRunMs?: number;
}

/** Each platform's transport factory (bots/<platform>/outbox.ts). */
const TRANSPORTS: readonly ((env: Env, deps: OutboxTransportDeps) => OutboxTransport)[] = [
  createSlackOutboxTransport,
  createDiscordOutboxTransport,
  createTelegramOutboxTransport,
];

/**
 * Builds the worker's handler from an environment (the worker Lambda's, `npm run dev`'s, a test's): no
 * network call until the first invocation.
 */
export function createOutboxHandler(env: Env, deps: OutboxHandlerDeps = {}): OutboxHandler {
  const config = loadOutboxConfig(env);
  const logger = deps.logger ?? createLogger('outbox-worker');
  const clock = deps.clock ?? systemClock;
  const maxRunMs = deps.maxRunMs ?? config.maxRunMs;
  const store: Store = createStore(config.store);
  const transports = TRANSPORTS.map((create) => create(config.platforms, { logger, store }));
  const worker = createOutboxWorker({
    outbox: store.core.outbox,
    lease: store.lease,
    attention: store.core.attention,
    members: store.core.members,
    transports,
    clock,
    logger,
  });
  const schedule = contentScheduler(env, store, logger);
  return async (event, context) => {
    const trigger = triggerOf(event);
    const until = new Date(clock.now().getTime() + runWindowMs(maxRunMs, context));
    // Due channel slots and digests become outbox messages first, so this very run sends them.
    await schedule(clock.now());
    try {
      const report = await worker.run({ until });
      // A run that found nothing to do (most of them) is not worth a line at the default level.
      const { leased: _, ...counts } = report;
      const fields = { code: 'outbox_run', trigger, ...report };
      if (Object.values(counts).some((count) => count > 0)) logger.info('outbox worker ran', fields);
      else logger.debug('outbox worker ran', fields);
      return report;
    } catch (error) {
      // Nothing is lost: every message stays in the table, and the next run (a minute at most) goes on.
      logger.error('outbox worker run failed', { code: 'outbox_run_failed', trigger, error });
      throw error;
    }
  };
}

/**
 * Scheduled library posts and digests (shared/core/content/scheduler.ts), run before each drain. A failure is
 * logged and the drain goes on: the slots stay due and the next run (a minute later) takes them. Digests and
 * moderators' notices need the member key (MEMBER_KEY, or MEMBERS_SECRET_ARN in AWS); without it the posts
 * still go and those wait, with a warning.
 */
function contentScheduler(env: Env, store: Store, logger: Logger): (now: Date) => Promise<void> {
  const pseudonyms: (() => Promise<Pseudonyms>) | undefined =
    env.MEMBER_KEY?.trim() || env.MEMBERS_SECRET_ARN?.trim() ? loadPseudonyms(env) : undefined;
  const outbox = createOutbox({
    store: store.core.outbox,
    attention: store.core.attention,
    members: store.core.members,
    // The drain that follows sends what is due: no wake-up needed.
    wake: async () => {},
    logger,
  });
  const deps = { stores: store.core, outbox, logger, ...(pseudonyms ? { pseudonyms } : {}) };
  return async (now) => {
    try {
      const report = await runContentSchedule(deps, now);
      if (Object.values(report).some((count) => count > 0)) {
        logger.info('content schedule ran', { code: 'content_schedule_run', ...report });
      }
    } catch (error) {
      logger.error('content schedule run failed', { code: 'content_schedule_failed', error });
    }
  };
}

/** How long this invocation may drain: its maximum, and never past the function's timeout less a margin. */
function runWindowMs(maxRunMs: number, context: WorkerContext | undefined): number {
  const left = context ? context.getRemainingTimeInMillis() - END_MARGIN_MS : maxRunMs;
  return Math.max(0, Math.min(maxRunMs, left));
}

/** Why this invocation runs, for the log: the schedule, a wake-up, or something else invoking it. */
function triggerOf(event: unknown): 'schedule' | 'wake' | 'other' {
  if (typeof event !== 'object' || event === null) return 'other';
  const { source, wake } = event as Record<string, unknown>;
  if (source !== OUTBOX_SOURCE) return 'other';
  return wake === true ? 'wake' : 'schedule';
}
