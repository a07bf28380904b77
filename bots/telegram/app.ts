import type { UserFromGetMe } from 'grammy/types';
import { Bot, type Context } from 'grammy/web';
import type { Community } from '../../shared/core/community.js';
import { CommunityError } from '../../shared/core/errors.js';
import type {
  InboundEvent,
  InteractionEvent,
  MessageChange,
  PrivateText,
  SpaceChange,
} from '../../shared/core/events.js';
import type { InteractionResponder, Messenger } from '../../shared/core/messenger.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { type Ignored, ignore, isIgnored, logIgnored, type Parsed } from '../../shared/platform/ignored.js';
import { botIdFromToken } from './config.js';
import {
  type Translation,
  translateCallbackQuery,
  translateChatMember,
  translateEdit,
  translateMessage,
  translatePollAnswer,
  translateReaction,
  translateReactionCount,
} from './parse.js';
import { commandResponder, pressResponder } from './responders.js';
import { translateMyChatMember } from './space-changes.js';

/** A Bot API call that hangs fails after this long, well inside the webhook's own deadline. */
export const API_TIMEOUT_SECONDS = 5;

/** The bot's side of one Lambda instance: the community it feeds and the Messenger it answers through. */
export interface TelegramAppDeps {
  readonly bot: Bot;
  readonly botUsername: string;
  readonly community: Community;
  readonly messenger: Messenger;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * Another delivery of this interaction is being answered right now. Telegram is told to deliver it again
 * (a 5xx): if that other delivery fails, the retry answers; if it succeeds, the retry is a duplicate.
 */
export class AnswerInProgressError extends CommunityError {
  override readonly name = 'AnswerInProgressError';

  constructor(readonly updateId: number) {
    super('answer_in_progress', `Update ${updateId} is being answered by another delivery`);
  }
}

/** The grammY bot, its token given and getMe never called (see {@link botInfo}). */
export function createBot(token: string, botUsername: string, apiRoot: string): Bot {
  return new Bot(token, {
    botInfo: botInfo(token, botUsername),
    client: { apiRoot, timeoutSeconds: API_TIMEOUT_SECONDS },
  });
}

/**
 * Each update type the webhook subscribes to (see set-webhook.ts) becomes core events: engagement is
 * recorded, commands and presses are answered through the dispatcher, text in a private chat is handed to
 * it, and the bot's own arrival in or removal from a group, and a group's migration, change its space.
 * Errors are not caught here: grammY hands them to the webhook callback, and the edge turns them into
 * status codes (a 5xx makes Telegram deliver again; the dispatcher answers once however often it comes).
 */
export function registerUpdates(deps: TelegramAppDeps): void {
  const { bot, messenger, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const record = (ctx: Context, translation: Translation) => recordAll(ctx, translation, deps);

  bot.on('message', async (ctx) => {
    const updateId = ctx.update.update_id;
    const translation = translateMessage(ctx.message, updateId, deps.botUsername);
    if (isIgnored(translation)) return skip(ctx, translation, logger);
    if (translation.spaceChange) return changeSpace(deps, updateId, translation.spaceChange);
    await record(ctx, translation);
    if (translation.command) {
      const { command } = translation;
      await interact(deps, updateId, command, commandResponder(messenger, command));
    }
    if (translation.privateText) await handPrivateText(deps, updateId, translation.privateText);
  });
  bot.on('message_reaction', (ctx) =>
    record(ctx, translateReaction(ctx.messageReaction, ctx.update.update_id)),
  );
  bot.on('chat_member', (ctx) => record(ctx, translateChatMember(ctx.chatMember, ctx.update.update_id)));
  bot.on('edited_message', (ctx) => apply(ctx, translateEdit(ctx.editedMessage, ctx.update.update_id), deps));
  bot.on('message_reaction_count', (ctx) =>
    apply(ctx, translateReactionCount(ctx.messageReactionCount, ctx.update.update_id), deps),
  );
  bot.on('poll_answer', (ctx) => skip(ctx, translatePollAnswer(ctx.pollAnswer), logger));
  bot.on('my_chat_member', async (ctx) => {
    const translation = translateMyChatMember(ctx.myChatMember);
    if (isIgnored(translation)) return skip(ctx, translation, logger);
    await changeSpace(deps, ctx.update.update_id, translation.change);
  });
  bot.on('callback_query', async (ctx) => {
    const updateId = ctx.update.update_id;
    const translation = translateCallbackQuery(ctx.callbackQuery, updateId, now());
    const [press] = isIgnored(translation) ? [] : translation.events;
    if (!press) {
      await ctx.answerCallbackQuery().catch((error: unknown) => {
        logger.warn('callback query not answered', { updateId, error: error as Error });
      });
      return record(ctx, translation);
    }
    const responder = pressResponder({ api: ctx.api, messenger, logger }, ctx.callbackQuery.id, press);
    await interact(deps, updateId, press, responder);
  });
  bot.use((ctx) => skip(ctx, ignore('update type not handled'), logger));
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

/** An edit or an anonymous reaction count, applied to what was recorded. */
async function apply(ctx: Context, change: Parsed<MessageChange>, deps: TelegramAppDeps): Promise<void> {
  if (isIgnored(change)) return skip(ctx, change, deps.logger);
  const outcome = await deps.community.onChange(change);
  deps.logger.debug('change handled', { updateId: ctx.update.update_id, kind: change.kind, outcome });
}

async function recordAll(ctx: Context, translation: Translation, deps: TelegramAppDeps): Promise<void> {
  if (isIgnored(translation)) return skip(ctx, translation, deps.logger);
  for (const event of translation.events) {
    // `private` (a private chat is never a space) and `not_served` (a space the bot does not serve) are
    // deliberate: nothing is recorded, and the log line says which.
    const outcome = await deps.community.onEvent(event);
    deps.logger.debug('event handled', { updateId: ctx.update.update_id, ...describeEvent(event), outcome });
  }
}

/** The bot added to or removed from a group, or a group migrated: the core applies it, idempotently. */
async function changeSpace(
  { community, logger }: TelegramAppDeps,
  updateId: number,
  change: SpaceChange,
): Promise<void> {
  await community.onSpaceChange(change);
  const chatId = change.kind === 'space_migrated' ? change.to.id : change.space.id;
  logger.info('space change handled', { updateId, kind: change.kind, chatId });
}

/** A command or press, answered once by the dispatcher; a concurrent redelivery is sent back to retry. */
async function interact(
  { community, logger }: TelegramAppDeps,
  updateId: number,
  event: InteractionEvent,
  responder: InteractionResponder,
): Promise<void> {
  const result = await community.onInteraction(event, responder);
  if (result === 'in_progress') throw new AnswerInProgressError(updateId);
  logger.info('interaction handled', { updateId, ...describeEvent(event), result });
}

async function handPrivateText(
  { community, logger }: TelegramAppDeps,
  updateId: number,
  event: PrivateText,
): Promise<void> {
  const result = await community.onPrivateText(event);
  logger.debug('private text handled', { updateId, deepLink: event.startToken !== undefined, result });
}

function skip(ctx: Context, result: Ignored, logger: Logger): void {
  logIgnored(logger, result, { updateId: ctx.update.update_id });
}

/** Ids and kinds only: message text is never logged. */
function describeEvent(event: InboundEvent) {
  return { kind: event.kind, eventId: event.id, chatId: event.location.space.id };
}
