/**
 * Points Telegram at the deployed webhook: `npm run telegram:set-webhook -- <https url>`.
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN and (optionally) TELEGRAM_API_ROOT.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Api } from 'grammy/web';
import { CommunityError, ConfigError } from '../../shared/core/errors.js';
import { type Env, requireEnv } from '../../shared/lambda/env.js';
import { telegramApiRoot } from './config.js';

/**
 * The update types the bot handles. Telegram sends `chat_member` and `message_reaction` only when asked
 * for by name (and only to a bot that is an administrator of the chat); a list given here replaces the
 * default one, so `my_chat_member` (the bot added to or removed from a group) must be named too.
 */
export const ALLOWED_UPDATES = [
  'message',
  'message_reaction',
  'chat_member',
  'my_chat_member',
  'callback_query',
] as const;

/** What setWebhook needs. */
export interface WebhookSetup {
  /** The public HTTPS URL of `POST /telegram/webhook` (the stack's TelegramWebhookUrl output). */
  readonly url: string;
  /** TELEGRAM_BOT_TOKEN. */
  readonly token: string;
  /** TELEGRAM_SECRET_TOKEN: Telegram sends it back in every delivery's X-Telegram-Bot-Api-Secret-Token. */
  readonly secretToken: string;
  /** TELEGRAM_API_ROOT, no trailing slash. */
  readonly apiRoot: string;
}

/** Registers the webhook with its secret token and the update types above. */
export async function setTelegramWebhook(setup: WebhookSetup): Promise<void> {
  const api = new Api(setup.token, { apiRoot: setup.apiRoot });
  await api.setWebhook(setup.url, {
    secret_token: setup.secretToken,
    allowed_updates: [...ALLOWED_UPDATES],
  });
}

/** Reads the CLI's settings: the URL argument and the environment. */
export function loadWebhookSetup(env: Env, args: readonly string[]): WebhookSetup {
  const url = args[0];
  if (!url || !URL.canParse(url)) {
    throw new ConfigError(
      'Pass the webhook URL: npm run telegram:set-webhook -- https://.../telegram/webhook',
    );
  }
  return Object.freeze({
    url,
    token: requireEnv(env, 'TELEGRAM_BOT_TOKEN'),
    secretToken: requireEnv(env, 'TELEGRAM_SECRET_TOKEN'),
    apiRoot: telegramApiRoot(env),
  });
}

async function main(): Promise<void> {
  try {
    const setup = loadWebhookSetup(process.env, process.argv.slice(2));
    await setTelegramWebhook(setup);
    console.log(`Telegram webhook set to ${setup.url} (updates: ${ALLOWED_UPDATES.join(', ')})`);
  } catch (error) {
    console.error(`setWebhook failed: ${error instanceof CommunityError ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) await main();
