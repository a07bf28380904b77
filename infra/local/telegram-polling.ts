/**
 * Long polling for `npm run dev` with a real bot token and no public URL: Telegram cannot reach this
 * machine, so the runner asks it for updates (getUpdates) and hands each one to the same webhook handler it
 * mounts, as the request Telegram would have sent (JSON body, secret token header). The handler parses,
 * verifies and records as in AWS; this loop never reads an update beyond its id.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { Update } from 'grammy/types';
import { Api, GrammyError } from 'grammy/web';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import {
  loadTelegramPollingConfig,
  SECRET_TOKEN_HEADER,
  type TelegramPollingConfig,
} from '../../bots/telegram/polling-config.js';
import { TELEGRAM_ALLOWED_UPDATES } from '../../bots/telegram/updates.js';
import type { Env } from '../../shared/lambda/env.js';
import type { HttpHandler } from '../../shared/lambda/http.js';
import { buildHttpEvent } from './http-bridge.js';

/** getUpdates' long-poll timeout: Telegram holds the request up to this long when nothing is pending. */
export const POLL_TIMEOUT_SECONDS = 25;
/** The wait after a failure doubles from this, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** The last offset is confirmed on close within this, or left for the next run (records are idempotent). */
const CONFIRM_TIMEOUT_MS = 2_000;
const [WEBHOOK_PATH = ''] = telegramPlatform.webhookPaths;

/**
 * grammY's Node typings name abort-controller's AbortSignal; grammy/web runs on the global fetch, which
 * takes the platform's own (grammY only checks that it has addEventListener).
 */
type GrammySignal = Parameters<Api['getUpdates']>[1];
const forGrammy = (signal: AbortSignal) => signal as unknown as GrammySignal;

export { loadTelegramPollingConfig, type TelegramPollingConfig };

/** What tests change: how long a poll waits, and how a backoff waits. */
export interface TelegramPollingOptions {
  /** getUpdates' `timeout` in seconds (default {@link POLL_TIMEOUT_SECONDS}). */
  readonly timeoutSeconds?: number;
  /** Waits `ms` after a failure, ending early when `signal` aborts (default: a real timer). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A running loop. */
export interface TelegramPolling {
  /** Stops asking: ends the waiting getUpdates, lets an update being handled finish, confirms the offset. */
  close(): Promise<void>;
}

/**
 * Starts long polling when {@link loadTelegramPollingConfig} says so, handing updates to `handler` (the
 * Telegram handler the runner mounts); otherwise returns undefined and calls nothing.
 */
export function startTelegramPollingIfConfigured(
  env: Env,
  handler: HttpHandler,
  log: (line: string) => void,
  options: TelegramPollingOptions = {},
): TelegramPolling | undefined {
  const config = loadTelegramPollingConfig(env);
  return config ? startTelegramPolling(config, handler, log, options) : undefined;
}

/**
 * Deletes the webhook (Telegram refuses getUpdates while one is set), then polls. The offset moves past an
 * update only once the handler answered it below 500: a 5xx (the table down) keeps the offset, so the
 * same update is fetched again after a backoff, as Telegram redelivers to a failing webhook. A 4xx would
 * be the same answer every time, so it is logged and passed.
 */
export function startTelegramPolling(
  config: TelegramPollingConfig,
  handler: HttpHandler,
  log: (line: string) => void,
  options: TelegramPollingOptions = {},
): TelegramPolling {
  const api = new Api(config.token, { apiRoot: config.apiRoot });
  const stop = new AbortController();
  const sleep = options.sleep ?? sleepUnlessAborted;
  const deliver = (update: Update) => deliverUpdate(handler, config.secretToken, update, log);
  let offset: number | undefined;
  let askedOffset: number | undefined;

  /** One getUpdates and its updates in order; false when the handler failed one (it is asked again). */
  async function pollOnce(): Promise<boolean> {
    askedOffset = offset;
    const updates = await api.getUpdates(
      {
        ...(offset === undefined ? {} : { offset }),
        timeout: options.timeoutSeconds ?? POLL_TIMEOUT_SECONDS,
        allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
      },
      forGrammy(stop.signal),
    );
    for (const update of updates) {
      if (stop.signal.aborted) break;
      const status = await deliver(update);
      if (status >= 500) return false;
      offset = update.update_id + 1;
    }
    return true;
  }

  async function run(): Promise<void> {
    let failures = 0;
    let webhookDeleted = false;
    while (!stop.signal.aborted) {
      let backoff = 0;
      try {
        if (!webhookDeleted) {
          await api.deleteWebhook({}, forGrammy(stop.signal));
          webhookDeleted = true;
          log('[telegram] long polling (no TELEGRAM_WEBHOOK_URL): webhook deleted, asking getUpdates');
        }
        failures = (await pollOnce()) ? 0 : failures + 1;
        if (failures > 0) backoff = backoffMs(failures);
      } catch (error) {
        if (stop.signal.aborted) break;
        failures += 1;
        // 409: a webhook was set meanwhile, or another process polls with this token.
        if (error instanceof GrammyError && error.error_code === 409) webhookDeleted = false;
        backoff = retryAfterMs(error) ?? backoffMs(failures);
        log(`[telegram] getUpdates failed: ${describe(error)}; retrying in ${backoff / 1000} s`);
      }
      if (backoff > 0) await sleep(backoff, stop.signal).catch(() => undefined);
    }
  }

  /** Tells Telegram the updates handled since the last getUpdates are done, so the next run skips them. */
  async function confirm(): Promise<void> {
    if (offset === undefined || offset === askedOffset) return;
    askedOffset = offset;
    await api
      .getUpdates({ offset, limit: 1, timeout: 0 }, forGrammy(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)))
      .catch(() => undefined);
  }

  const loop = run();
  return {
    async close() {
      stop.abort();
      await loop;
      await confirm();
    },
  };
}

/** Hands one update to the handler as Telegram's webhook request; a throw counts as the 500 Lambda gives. */
async function deliverUpdate(
  handler: HttpHandler,
  secretToken: string,
  update: Update,
  log: (line: string) => void,
): Promise<number> {
  const event = buildHttpEvent({
    method: 'POST',
    path: WEBHOOK_PATH,
    headers: { 'content-type': 'application/json', [SECRET_TOKEN_HEADER]: secretToken },
    body: JSON.stringify(update),
  });
  let status: number;
  try {
    status = (await handler(event)).statusCode ?? 200;
  } catch (error) {
    log(`[telegram] update ${update.update_id} failed: ${describe(error)}`);
    status = 500;
  }
  if (status >= 500) log(`[telegram] update ${update.update_id} answered ${status}: asking for it again`);
  else if (status >= 400) log(`[telegram] update ${update.update_id} answered ${status}: not retried`);
  return status;
}

function backoffMs(failures: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
}

/** Telegram's own wait on a 429 (`parameters.retry_after`, seconds). */
function retryAfterMs(error: unknown): number | undefined {
  const seconds = error instanceof GrammyError ? error.parameters.retry_after : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  await wait(ms, undefined, { signal });
}
