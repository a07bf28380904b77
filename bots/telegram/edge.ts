import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import type { HttpHandler } from '../../shared/lambda/http.js';
import { createLogger } from '../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createStore } from '../../shared/store/index.js';
import { createTelegramBot } from './app.js';
import type { TelegramConfig } from './config.js';
import { TELEGRAM_MODERATOR_RULE } from './moderators.js';
import { createWebhook, type TelegramWebhook } from './webhook.js';

/**
 * `POST /telegram/webhook` (API Gateway HTTP API, payload 2.0). At cold start: logger, table client and core
 * only; no network call happens until a request. The bot needs the token, which in AWS is a secret read on
 * first use: it is built on the first invocation and kept for the life of the instance, and a failed build
 * is retried by the next invocation.
 */
export function createTelegramHandler(config: TelegramConfig, deps: HandlerDeps = {}): HttpHandler {
  const logger = deps.logger ?? createLogger('telegram-bot');
  const now = deps.now ?? (() => new Date());
  const store = createStore(config.store);
  const community = createCommunity({
    store: store.engagement,
    moderatorRule: TELEGRAM_MODERATOR_RULE,
    now,
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  });
  let webhook: Promise<TelegramWebhook> | undefined;
  const loadWebhook = (): Promise<TelegramWebhook> => {
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
          now,
        });
        return createWebhook(bot, TELEGRAM_SECRET_TOKEN, logger);
      })
      .catch((error: unknown) => {
        webhook = undefined;
        throw error;
      });
    return webhook;
  };
  return async (event) => {
    try {
      const receive = await loadWebhook();
      return await receive(event);
    } catch (error) {
      return errorResult(error, logger);
    }
  };
}
