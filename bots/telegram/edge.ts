import { type Community, createCommunity } from '../../shared/core/community.js';
import { isLaterJob } from '../../shared/core/later.js';
import { errorResult, runLaterJob } from '../../shared/lambda/edge.js';
import { type BotHandler, jsonResult } from '../../shared/lambda/http.js';
import { createLaterQueue } from '../../shared/lambda/later-queue.js';
import { createLogger, type Logger } from '../../shared/lambda/logger.js';
import { prefetchPseudonyms } from '../../shared/lambda/member-key.js';
import { createWake } from '../../shared/lambda/wake.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createStore } from '../../shared/store/index.js';
import { AnswerInProgressError, createBot, registerUpdates } from './app.js';
import type { TelegramConfig } from './config.js';
import { createTelegramMessenger } from './messenger.js';
import { createModeratorCheck, TELEGRAM_MODERATOR_RULE } from './moderators.js';
import { createWebhook, type TelegramWebhook } from './webhook.js';

/** What one Lambda instance builds once it knows the bot token. */
interface TelegramRuntime {
  readonly webhook: TelegramWebhook;
  readonly community: Community;
}

/**
 * `POST /telegram/webhook` (API Gateway HTTP API, payload 2.0), and the function's own later jobs. At cold
 * start: logger, table client and later queue only; no network call happens until a request. The bot, its
 * Messenger and the core need the token, which in AWS is a secret read on first use: they are built on the
 * first invocation and kept for the life of the instance, and a failed build is retried by the next one.
 */
export function createTelegramHandler(config: TelegramConfig, deps: HandlerDeps = {}): BotHandler {
  const logger = deps.logger ?? createLogger('telegram-bot');
  const now = deps.now ?? (() => new Date());
  const store = createStore(config.store);
  const later = createLaterQueue(config.later);
  let runtime: Promise<TelegramRuntime> | undefined;
  const load = (): Promise<TelegramRuntime> => {
    prefetchPseudonyms(config.pseudonyms);
    runtime ??= config
      .secrets()
      .then(({ TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN }) => {
        const bot = createBot(TELEGRAM_BOT_TOKEN, config.botUsername, config.apiRoot);
        const isModerator = createModeratorCheck({
          api: bot.api,
          cache: store.cache,
          logger,
          now,
          // The cache outlives an erasure by minutes: it must not name the member meanwhile.
          userKey: async (userId) =>
            (await config.pseudonyms()).privacyKey({ platform: 'telegram', id: String(userId) }),
        });
        const messenger = createTelegramMessenger({
          api: bot.api,
          botUsername: config.botUsername,
          isModerator,
        });
        const community = createCommunity({
          stores: store.core,
          messenger,
          moderatorRule: TELEGRAM_MODERATOR_RULE,
          spacesMode: config.spacesMode,
          pseudonyms: config.pseudonyms,
          later,
          wake: createWake(config.wake, store.lease, logger),
          logger,
          now,
          ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
        });
        registerUpdates({ bot, botUsername: config.botUsername, community, messenger, logger, now });
        return { webhook: createWebhook(bot, TELEGRAM_SECRET_TOKEN, logger), community };
      })
      .catch((error: unknown) => {
        runtime = undefined;
        throw error;
      });
    return runtime;
  };
  return async (event) => {
    if (isLaterJob(event)) {
      return runLaterJob(event, async (job) => (await load()).community.runLater(job), logger);
    }
    try {
      const { webhook } = await load();
      return await webhook(event);
    } catch (error) {
      return failure(error, logger);
    }
  };
}

function failure(error: unknown, logger: Logger) {
  if (error instanceof AnswerInProgressError) {
    // Not a fault: another delivery is answering. Telegram retries a 5xx later, by then answered or free.
    logger.info('answer in progress elsewhere; asking Telegram to deliver again', {
      code: error.code,
      updateId: error.updateId,
    });
    return jsonResult(500, { error: 'Being answered by another delivery; deliver again later' });
  }
  return errorResult(error, logger);
}
