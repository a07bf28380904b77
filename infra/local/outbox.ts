/**
 * The outbox worker in `npm run dev`: the same handler as the worker Lambda (bots/outbox/), registered with
 * the fake Lambda under the name the bots get as OUTBOX_FUNCTION_NAME (so a bot's wake-up invokes it as in
 * AWS), and run on a timer in place of the schedule, so the bot speaks unasked with zero configuration.
 */
import { createOutboxHandler, type OutboxHandler } from '../../bots/outbox/worker-handler.js';
import type { Clock } from '../../shared/core/outbox/model.js';
import type { WorkerReport } from '../../shared/core/outbox/worker.js';
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
  /**
   * One run now, after the timer's run under way (never beside it): `npm run say -- --advance` runs the
   * worker this way at each simulated hour. It may still find the lease held by a run a wake-up started.
   */
  runNow(): Promise<WorkerReport>;
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
  let running: Promise<unknown> | undefined;
  /** Runs the worker once after the run under way, printing what it did. */
  const runAfter = (): Promise<WorkerReport> => {
    const run = (running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => handler(SCHEDULED_EVENT))
      .then((report) => {
        logReport(report, options.log);
        return report;
      });
    running = run;
    void run
      .catch(() => undefined)
      .finally(() => {
        if (running === run) running = undefined;
      });
    return run;
  };
  const tick = () => {
    // One run at a time from the timer (the lease would refuse a second one anyway).
    if (running) return;
    runAfter().catch((error: unknown) =>
      options.log(`[outbox] run failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  const timer = setInterval(tick, options.everyMs ?? LOCAL_OUTBOX_EVERY_MS);
  return {
    handler,
    runNow: runAfter,
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      await options.lambda.idle();
    },
  };
}

/** One terminal line per run that did something: `[outbox] sent 2`. */
function logReport(report: WorkerReport, log: (line: string) => void): void {
  const { leased: _, ...counts } = report;
  const done = Object.entries(counts).filter(([, count]) => count > 0);
  if (done.length > 0) log(`[outbox] ${done.map(([what, count]) => `${what} ${count}`).join(', ')}`);
}
