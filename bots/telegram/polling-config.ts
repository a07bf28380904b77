/**
 * Long polling's settings for `npm run dev` (infra/local/telegram-polling.ts runs the loop): named here, with
 * the rest of the Telegram adapter's settings.
 */
import { type Env, requireEnv } from '../../shared/lambda/env.js';
import { telegramApiRoot } from './config.js';

/** The header a webhook delivery carries its secret token in; each polled update is handed on with it. */
export { SECRET_TOKEN_HEADER } from './webhook.js';

/** What the loop needs, read once from the environment. */
export interface TelegramPollingConfig {
  /** TELEGRAM_BOT_TOKEN: a real bot's token (the sandbox has none in the environment). */
  readonly token: string;
  /** TELEGRAM_SECRET_TOKEN: sent in X-Telegram-Bot-Api-Secret-Token, as Telegram sends it to a webhook. */
  readonly secretToken: string;
  /** TELEGRAM_API_ROOT, as for the handler. */
  readonly apiRoot: string;
}

/**
 * The loop's settings when it should run: TELEGRAM_BOT_TOKEN is set and TELEGRAM_WEBHOOK_URL is not (with
 * a public URL, Telegram delivers to the webhook instead: `npm run telegram:set-webhook -- <url>`).
 */
export function loadTelegramPollingConfig(env: Env): TelegramPollingConfig | undefined {
  const token = env.TELEGRAM_BOT_TOKEN?.trim();
  if (!token || env.TELEGRAM_WEBHOOK_URL?.trim()) return undefined;
  return Object.freeze({
    token,
    secretToken: requireEnv(env, 'TELEGRAM_SECRET_TOKEN'),
    apiRoot: telegramApiRoot(env),
  });
}
