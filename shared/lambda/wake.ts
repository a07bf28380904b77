/**
 * Wakes the outbox worker when something is due now (shared/core/outbox/outbox.ts calls it after an enqueue),
 * so a welcome or an announcement leaves within seconds instead of at the next scheduled run.
 *
 * Two steps: the lease's wake count is bumped first, so a worker that is draining right now does not let go
 * of the lease believing nothing new came in; then the worker function is invoked asynchronously (Lambda
 * answers 202 at once). A wake never fails its caller: the schedule runs the worker within a minute anyway,
 * so a failed wake only costs that minute, and it is logged.
 */
import type { WakeWorker, WorkerLease } from '../core/outbox/model.js';
import type { Env } from './env.js';
import { createAsyncInvoker } from './later-queue.js';
import type { Logger } from './logger.js';

/** Where the outbox worker runs. */
export interface WakeConfig {
  /** OUTBOX_FUNCTION_NAME: the worker's function (the stack sets it on every bot). Unset: no invocation. */
  readonly functionName?: string;
  /** LAMBDA_ENDPOINT: a local Invoke endpoint (infra/local/fake-lambda.ts). Unset in AWS. */
  readonly endpoint?: string;
}

/** The `source` of every invocation of the worker, scheduled or woken. */
export const OUTBOX_SOURCE = 'community.outbox';

/** What a wake-up invokes the worker with. */
export const WAKE_EVENT = { source: OUTBOX_SOURCE, wake: true } as const;

/** What the schedule invokes the worker with (infra/outbox-worker.ts). */
export const SCHEDULED_EVENT = { source: OUTBOX_SOURCE, wake: false } as const;

export function loadWakeConfig(env: Env): WakeConfig {
  const functionName = env.OUTBOX_FUNCTION_NAME?.trim();
  const endpoint = env.LAMBDA_ENDPOINT?.trim();
  return Object.freeze({ ...(functionName ? { functionName } : {}), ...(endpoint ? { endpoint } : {}) });
}

/**
 * The WakeWorker of a bot: bumps `lease.wake()`, then invokes the worker (the Lambda client is imported on
 * the first wake, not at cold start). Never throws. Without a function name only the bump happens, and that
 * is logged once per instance: the worker runs on its schedule (or, in `npm run dev`, on its timer).
 */
export function createWake(config: WakeConfig, lease: WorkerLease, logger: Logger): WakeWorker {
  const { functionName } = config;
  const invoker = functionName ? createAsyncInvoker(config.endpoint) : undefined;
  let toldNoFunction = false;
  return async () => {
    try {
      await lease.wake();
    } catch (error) {
      logger.warn('outbox wake not counted', { code: 'outbox_wake_failed', step: 'lease', error });
    }
    if (!functionName || !invoker) {
      if (!toldNoFunction) {
        toldNoFunction = true;
        logger.info('OUTBOX_FUNCTION_NAME is not set: the outbox worker runs on its schedule only', {
          code: 'outbox_wake_scheduled_only',
        });
      }
      return;
    }
    try {
      await invoker.invoke(functionName, JSON.stringify(WAKE_EVENT));
    } catch (error) {
      logger.warn('outbox worker not woken; the schedule runs it within a minute', {
        code: 'outbox_wake_failed',
        step: 'invoke',
        error,
      });
    }
  };
}
