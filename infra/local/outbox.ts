/**
 * The outbox worker in `npm run dev`: the same handler as the worker Lambda (bots/outbox/), registered with
 * the fake Lambda under the name the bots get as OUTBOX_FUNCTION_NAME (so a bot's wake-up invokes it as in
 * AWS), and run on a timer in place of the schedule, so the bot speaks unasked with zero configuration.
 */
import { createOutboxHandler, type OutboxHandler } from '../../bots/outbox/worker-handler.js';
import type { Clock } from '../../shared/core/outbox/model.js';
import type { Env } from '../../shared/lambda/env.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { SCHEDULED_EVENT } from '../../shared/lambda/wake.js';
import type { FakeLambda } from './fake-lambda.js';

/** The worker's function name locally: what every local bot gets as OUTBOX_FUNCTION_NAME. */
export const LOCAL_OUTBOX_FUNCTION = 'community-outbox';

/** How often the local timer runs the worker (AWS runs it every minute, and on every wake-up). */
export const LOCAL_OUTBOX_EVERY_MS = 2000;

/**
 * How long one local run drains at most: short, so stopping `npm run dev` never waits long for a run that
 * is pacing sends; the timer starts the next one two seconds later.
 */
export const LOCAL_OUTBOX_RUN_MS = 10_000;

export interface LocalOutboxOptions {
  /** Every platform's settings (the sandboxes' fake API URLs, or the real credentials) and the table's. */
  readonly env: Env;
  readonly lambda: FakeLambda;
  readonly log: (line: string) => void;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The timer's period; {@link LOCAL_OUTBOX_EVERY_MS} by default. */
  readonly everyMs?: number;
}

export interface LocalOutbox {
  readonly handler: OutboxHandler;
  /** Stops the timer and waits for the run under way and any run a wake-up started. */
  close(): Promise<void>;
}

export function startLocalOutbox(options: LocalOutboxOptions): LocalOutbox {
  const handler = createOutboxHandler(options.env, {
    maxRunMs: LOCAL_OUTBOX_RUN_MS,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  options.lambda.register(LOCAL_OUTBOX_FUNCTION, (payload) => handler(payload));
  let running: Promise<void> | undefined;
  const tick = () => {
    // One run at a time from the timer (the lease would refuse a second one anyway).
    running ??= handler(SCHEDULED_EVENT)
      .then(
        (report) => {
          const { leased: _, ...counts } = report;
          const done = Object.entries(counts).filter(([, count]) => count > 0);
          if (done.length > 0) {
            options.log(`[outbox] ${done.map(([what, count]) => `${what} ${count}`).join(', ')}`);
          }
        },
        (error: unknown) =>
          options.log(`[outbox] run failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.everyMs ?? LOCAL_OUTBOX_EVERY_MS);
  return {
    handler,
    async close() {
      clearInterval(timer);
      await running;
      await options.lambda.idle();
    },
  };
}
