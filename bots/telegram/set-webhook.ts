/**
 * Points Telegram at the deployed webhook: `npm run telegram:set-webhook -- <https url>`.
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN and (optionally) TELEGRAM_API_ROOT. Also sets the command
 * menus members and administrators see (bot-commands.ts).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Api } from 'grammy/web';
import { CommunityError, ConfigError } from '../../shared/core/errors.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';
import { type Env, requireEnv } from '../../shared/lambda/env.js';
import { type CommandMenu, commandMenus } from './bot-commands.js';
import { telegramApiRoot } from './config.js';
import { TELEGRAM_ALLOWED_UPDATES } from './updates.js';

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

/**
 * Registers the webhook with its secret token and every update type the bot handles (updates.ts), then
 * the command menus; returns the menus set. Each call replaces what was set before, so running it again
 * is harmless.
 */
export async function setTelegramWebhook(setup: WebhookSetup): Promise<readonly CommandMenu[]> {
  const api = new Api(setup.token, { apiRoot: setup.apiRoot });
  await api.setWebhook(setup.url, {
    secret_token: setup.secretToken,
    allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
  });
  const menus = commandMenus(COMMAND_TABLE);
  for (const menu of menus) await api.setMyCommands(menu.commands, { scope: menu.scope });
  return menus;
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
    const menus = await setTelegramWebhook(setup);
    console.log(`Telegram webhook set to ${setup.url} (updates: ${TELEGRAM_ALLOWED_UPDATES.join(', ')})`);
    for (const menu of menus) {
      const commands = menu.commands.map((command) => `/${command.command}`).join(' ');
      console.log(`Commands for ${menu.scope.type}: ${commands}`);
    }
  } catch (error) {
    console.error(`set-webhook failed: ${error instanceof CommunityError ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) await main();
