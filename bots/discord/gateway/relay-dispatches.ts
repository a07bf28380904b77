/**
 * The relay's dispatches on their way into the core: one at a time, in the order the gateway sent them (a
 * reaction removed right after it was added must not overtake it), each retried with backoff while the store
 * fails. A dispatch that still fails after the last try is logged loudly with its event name and given up:
 * one bad payload or a long outage never stops the process, and the events after it still flow.
 */
import type { Logger } from '../../../shared/lambda/logger.js';
import type { GatewayIngestion } from './ingest.js';

/** Time as the relay waits on it: the system's in production, a simulated one in tests. */
export interface RelayClock {
  now(): number;
  /** Resolves after `ms`; rejects if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemRelayClock: RelayClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', abort);
        resolve();
      }, ms);
      const abort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
    }),
};

/** How often a dispatch is tried while the store fails, and the first wait (doubled after each failure). */
export interface RetryPolicy {
  readonly attempts: number;
  readonly firstDelayMs: number;
}

/** Five tries over about 4 s: long enough for a throttled or briefly unreachable table. */
export const DISPATCH_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 250 };

export interface DispatchQueue {
  /** Queues a dispatch payload behind the others. */
  push(payload: { readonly t?: unknown; readonly s?: unknown }): void;
  /** Resolves once every dispatch queued so far (and any queued meanwhile) has been handled. */
  idle(): Promise<void>;
  /** Dispatches queued and not yet handled. */
  readonly pending: number;
}

export function createDispatchQueue(
  ingestion: GatewayIngestion,
  logger: Logger,
  clock: RelayClock,
  retry: RetryPolicy = DISPATCH_RETRY,
): DispatchQueue {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;

  async function handle(payload: { readonly t?: unknown; readonly s?: unknown }): Promise<void> {
    const event = typeof payload.t === 'string' ? payload.t : 'unknown';
    for (let attempt = 1; ; attempt++) {
      try {
        await ingestion.dispatch(payload);
        return;
      } catch (error) {
        const fields = { event, sequence: payload.s, attempt, error: describe(error) };
        if (attempt >= retry.attempts) {
          logger.error('gateway dispatch dropped: the store kept failing', fields);
          return;
        }
        logger.warn('gateway dispatch failed, retrying', fields);
        await clock.sleep(retry.firstDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  return {
    push(payload) {
      pending += 1;
      tail = tail
        .then(() => handle(payload))
        .finally(() => {
          pending -= 1;
        });
    },
    async idle() {
      // Dispatches may arrive while waiting: wait until the tail stops moving.
      for (let current = tail; ; current = tail) {
        await current;
        if (current === tail) return;
      }
    },
    get pending() {
      return pending;
    },
  };
}

/** An error for a log line: its name, code and message (never the payload). */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}
