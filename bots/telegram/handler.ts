import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import { createLogger } from '../../shared/lambda/logger.js';
import { createStore } from '../../shared/store/index.js';
import { createTelegramBot } from './app.js';
import { loadTelegramConfig } from './config.js';
import { createWebhook, type TelegramWebhook } from './webhook.js';

// Cold start: settings, logger, table client and core only. No network call happens until a request.
const config = loadTelegramConfig(process.env);
const logger = createLogger('telegram-bot');
const store = createStore(config.store);
const community = createCommunity({ store: store.engagement });

let webhook: Promise<TelegramWebhook> | undefined;

/**
 * The bot needs the token, which in AWS is a secret read on first use; it is built on the first
 * invocation and kept for the life of the instance. A failed build is retried by the next invocation.
 */
function loadWebhook(): Promise<TelegramWebhook> {
  webhook ??= config
    .secrets()
    .then(({ TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN }) => {
      const bot = createTelegramBot({
        token: TELEGRAM_BOT_TOKEN,
        botUsername: config.botUsername,
        apiRoot: config.apiRoot,
        community,
        cache: store.cache,
        logger,
      });
      return createWebhook(bot, TELEGRAM_SECRET_TOKEN);
    })
    .catch((error: unknown) => {
      webhook = undefined;
      throw error;
    });
  return webhook;
}

/** Lambda entry for `POST /telegram/webhook` (API Gateway HTTP API, payload 2.0). */
export async function handler(event: HttpEvent): Promise<HttpResult> {
  try {
    const receive = await loadWebhook();
    return await receive(event);
  } catch (error) {
    return errorResult(error, logger);
  }
}
