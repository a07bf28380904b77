import { fileURLToPath } from 'node:url';
import type { PlatformDescriptor } from '../../shared/platform/descriptor.js';
import { loadTelegramConfig, TELEGRAM_SETTINGS } from './config.js';
import { createTelegramHandler } from './edge.js';
import { TELEGRAM_MODERATOR_RULE } from './moderators.js';
import { telegramSandbox } from './sandbox.js';

/** Telegram, as infra, the local runner, the tests and the bench see it. */
export const telegramPlatform: PlatformDescriptor = {
  platform: 'telegram',
  title: 'Telegram',
  webhookPaths: [telegramSandbox.path],
  handlerEntry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
  settings: TELEGRAM_SETTINGS,
  secret: {
    arnVariable: 'TELEGRAM_SECRET_ARN',
    readByHandler: true,
    // Telegram echoes this token in X-Telegram-Bot-Api-Secret-Token; it allows A-Za-z0-9_- (1-256 chars).
    generated: { name: 'TELEGRAM_SECRET_TOKEN', length: 64 },
    instructions: 'set the bot token from BotFather',
  },
  bundling: { unusedModules: [], aliases: {} },
  moderatorRule: TELEGRAM_MODERATOR_RULE,
  sandbox: telegramSandbox,
  createHandler: (env, deps) => createTelegramHandler(loadTelegramConfig(env), deps),
};
