import type { UserFromGetMe } from 'grammy/types';
import { Bot, type Context, GrammyError, HttpError } from 'grammy/web';
import type { Community } from '../../shared/core/community.js';
import type { CommandInvoked, InboundEvent } from '../../shared/core/events.js';
import { privateReply, type Reply } from '../../shared/core/reply.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { type Ignored, ignore, isIgnored, logIgnored } from '../../shared/platform/ignored.js';
import type { CacheRepository } from '../../shared/store/cache-repository.js';
import { botIdFromToken } from './config.js';
import { type CommandOrigin, deliverReply } from './deliver-reply.js';
import { createModeratorCheck, type ModeratorCheck } from './moderators.js';
import {
  type Translation,
  translateCallbackQuery,
  translateChatMember,
  translateMessage,
  translateReaction,
} from './parse.js';

/** A Bot API call that hangs fails after this long, well inside the webhook's own deadline. */
const API_TIMEOUT_SECONDS = 5;

/** Added to an answer in a private chat whenever the moderator question came up there. */
const PRIVATE_CHAT_HINT =
  '_In a private chat nobody is a moderator: send moderator commands in your group instead._';

/** The answer when Telegram cannot say whether the member is an administrator. */
const RIGHTS_UNKNOWN = 'I could not check your rights with Telegram just now. Please try again in a minute.';

/** What the bot is built from, once per Lambda instance (the token may come from Secrets Manager). */
export interface TelegramAppDeps {
  readonly token: string;
  readonly botUsername: string;
  readonly apiRoot: string;
  readonly community: Community;
  readonly cache: Pick<CacheRepository, 'get' | 'put'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * The grammY bot: each update type the webhook subscribes to (see set-webhook.ts) becomes core events.
 * `botInfo` is given, so grammY never calls getMe. Errors are not caught here: grammY hands them to the
 * webhook callback, and the edge turns them into status codes.
 */
export function createTelegramBot(deps: TelegramAppDeps): Bot {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const bot = new Bot(deps.token, {
    botInfo: botInfo(deps.token, deps.botUsername),
    client: { apiRoot: deps.apiRoot, timeoutSeconds: API_TIMEOUT_SECONDS },
  });
  const isModerator = createModeratorCheck({ api: bot.api, cache: deps.cache, logger, now });
  const record = (ctx: Context, translation: Translation) => recordAll(ctx, translation, deps);

  bot.on('message', async (ctx) => {
    const translation = translateMessage(ctx.message, ctx.update.update_id, deps.botUsername);
    const [event] = isIgnored(translation) ? [] : translation.events;
    if (event?.kind !== 'command_invoked') return record(ctx, translation);
    await answerCommand(ctx, event, isModerator, deps);
  });
  bot.on('message_reaction', (ctx) =>
    record(ctx, translateReaction(ctx.messageReaction, ctx.update.update_id)),
  );
  bot.on('chat_member', (ctx) => record(ctx, translateChatMember(ctx.chatMember, ctx.update.update_id)));
  bot.on('callback_query', async (ctx) => {
    await record(ctx, translateCallbackQuery(ctx.callbackQuery, ctx.update.update_id, now()));
    // Stops the button's spinner. Only cosmetic, and it fails for queries older than a few minutes.
    await ctx.answerCallbackQuery().catch((error: unknown) => {
      logger.warn('callback query not answered', { updateId: ctx.update.update_id, error: error as Error });
    });
  });
  bot.use((ctx) => skip(ctx, ignore('update type not handled'), logger));
  return bot;
}

/**
 * What getMe would say, built from the token's id and the configured username, so the first update needs
 * no round trip. The capability flags only matter to getMe's callers; they are filled with the defaults
 * of a group bot with privacy mode on.
 */
export function botInfo(token: string, username: string): UserFromGetMe {
  return {
    id: botIdFromToken(token),
    is_bot: true,
    first_name: username,
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

async function recordAll(ctx: Context, translation: Translation, deps: TelegramAppDeps): Promise<void> {
  if (isIgnored(translation)) return skip(ctx, translation, deps.logger);
  for (const event of translation.events) {
    const outcome = await deps.community.onEvent(event);
    deps.logger.debug('event recorded', { updateId: ctx.update.update_id, ...describeEvent(event), outcome });
  }
}

/** Runs `/community ...` and answers it, once however often Telegram delivers the update. */
async function answerCommand(
  ctx: Context,
  invocation: CommandInvoked,
  isModerator: ModeratorCheck,
  { community, logger, botUsername }: TelegramAppDeps,
): Promise<void> {
  const updateId = ctx.update.update_id;
  const origin = commandOrigin(ctx);
  if (!origin) return skip(ctx, ignore('command without chat or sender'), logger);
  let askedInPrivate = false;
  const reply = await community
    .onCommand(invocation, async () => {
      if (!origin.isPrivateChat) return isModerator(origin.chatId, origin.userId);
      askedInPrivate = true;
      return false;
    })
    .catch((error: unknown) => {
      // getChatMember failed after the command was recorded: a redelivery would not be answered, so say so.
      if (!(error instanceof GrammyError || error instanceof HttpError)) throw error;
      logger.error('moderator check failed', { updateId, error });
      return privateReply(RIGHTS_UNKNOWN);
    });
  if (!reply) return logger.info('command already answered', { updateId });
  const answer: Reply = askedInPrivate ? { ...reply, text: `${reply.text}\n\n${PRIVATE_CHAT_HINT}` } : reply;
  try {
    const delivery = await deliverReply(ctx.api, origin, answer, botUsername);
    logger.info('command answered', { updateId, delivery });
  } catch (error) {
    // The command is recorded: a redelivery would be recognised as a duplicate and not answered, so a 500
    // (and Telegram's retries) could not help. Log it and let the update go.
    logger.error('command answer not delivered', { updateId, error: error as Error });
  }
}

function commandOrigin(ctx: Context): CommandOrigin | undefined {
  const message = ctx.message;
  if (!message?.from) return undefined;
  return {
    chatId: message.chat.id,
    isPrivateChat: message.chat.type === 'private',
    userId: message.from.id,
    messageId: message.message_id,
    ...(message.is_topic_message && message.message_thread_id !== undefined
      ? { topicId: message.message_thread_id }
      : {}),
  };
}

function skip(ctx: Context, result: Ignored, logger: Logger): void {
  logIgnored(logger, result, { updateId: ctx.update.update_id });
}

/** Ids and kinds only: message text is never logged. */
function describeEvent(event: InboundEvent) {
  return { kind: event.kind, eventId: event.id, chatId: event.location.space.id };
}
