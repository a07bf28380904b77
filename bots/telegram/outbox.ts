import { Api, GrammyError, HttpError } from 'grammy/web';
import { CommunityError } from '../../shared/core/errors.js';
import type {
  Audience,
  OutboxMessage,
  OutboxTransport,
  PaceRule,
  SendResult,
} from '../../shared/core/outbox/model.js';
import type { Env } from '../../shared/lambda/env.js';
import type { OutboxTransportDeps } from '../../shared/lambda/outbox-transport.js';
import { loadTelegramOutboxConfig } from './config.js';
import { readChannel, unreachableReason, userIdOf } from './messenger.js';
import { renderMessage } from './render.js';

/**
 * The outbox's Telegram side: one sendMessage per attempt with grammY's Api and nothing around it. grammY's
 * core client neither retries nor waits (that is the auto-retry plugin, not used here): a 429 is thrown as
 * a GrammyError carrying `parameters.retry_after`, a network failure or timeout as an HttpError. The worker
 * decides when to try again, on its own clock.
 *
 * Exactly once: nothing on Telegram lets a bot ask whether a message went out (no idempotency key, no
 * search of a chat's history), so a send whose answer was lost is never repeated (`give-up`): the worker
 * marks it unconfirmed and logs it. An answer that says it failed (429, 5xx) is known not to have posted.
 */

/** How long one sendMessage may take before its outcome counts as unknown, unless deps say otherwise. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * Telegram's documented limits (Bot API FAQ, "My bot is hitting limits"): about one message per second in a
 * chat, at most 20 per minute in a group, about 30 per second overall.
 */
export const TELEGRAM_PACE = {
  chat: { limit: 1, windowMs: 1000 },
  group: { limit: 20, windowMs: 60_000 },
  overall: { limit: 30, windowMs: 1000 },
} as const;

/** Where a send goes on Telegram: the chat, its forum topic, and the core channel id it is posted as. */
interface SendTarget {
  readonly chatId: number;
  readonly topicId?: number;
  readonly channelId: string;
  /** A private message: a refusal to start the chat means `unreachable`. */
  readonly private: boolean;
}

/** Builds the transport; the token is read (from the secret in AWS) on the first send, not here. */
export function createTelegramOutboxTransport(env: Env, deps: OutboxTransportDeps): OutboxTransport {
  const config = loadTelegramOutboxConfig(env);
  const timeoutSeconds = (deps.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS) / 1000;
  let client: Promise<Api> | undefined;
  const api = (): Promise<Api> => {
    client ??= config
      .secrets()
      .then(
        ({ TELEGRAM_BOT_TOKEN }) => new Api(TELEGRAM_BOT_TOKEN, { apiRoot: config.apiRoot, timeoutSeconds }),
      )
      .catch((error: unknown) => {
        client = undefined;
        throw error;
      });
    return client;
  };

  return {
    platform: 'telegram',
    onUnknown: 'give-up',
    paceRules: telegramPaceRules,
    async send(message) {
      const prepared = prepare(message);
      if ('kind' in prepared) return prepared;
      const { target, rendered } = prepared;
      let bot: Api;
      try {
        bot = await api();
      } catch (error) {
        // Nothing was sent: the token could not be read. Known, so it may be tried again.
        deps.logger.warn('telegram token unavailable for the outbox', { error: error as Error });
        return { kind: 'retry', reason: `bot token unavailable: ${describe(error)}` };
      }
      const { text, ...other } = rendered;
      try {
        const sent = await bot.sendMessage(target.chatId, text, {
          ...other,
          ...(target.topicId === undefined ? {} : { message_thread_id: target.topicId }),
        });
        return { kind: 'sent', posted: { channelId: target.channelId, messageId: String(sent.message_id) } };
      } catch (error) {
        return failureOf(error, target);
      }
    },
  };
}

/**
 * The documented limits a send spends from, narrowest first (the worker holds the first one on a 429,
 * which does not say which limit was hit): the chat, the group (negative ids), the bot overall. A forum
 * topic is in its chat's limits.
 */
export function telegramPaceRules(audience: Audience): readonly PaceRule[] {
  const chatId = chatOf(audience);
  const overall: PaceRule = { key: 'telegram:global', ...TELEGRAM_PACE.overall };
  if (chatId === undefined) return [overall];
  const chat: PaceRule = { key: `telegram:chat:${chatId}`, ...TELEGRAM_PACE.chat };
  if (chatId > 0) return [chat, overall];
  return [chat, { key: `telegram:group:${chatId}`, ...TELEGRAM_PACE.group }, overall];
}

function chatOf(audience: Audience): number | undefined {
  try {
    return targetOf(audience).chatId;
  } catch {
    return undefined;
  }
}

/** The target and rendered message, or the refusal when the message cannot be sent as it is. */
function prepare(
  message: OutboxMessage,
): { target: SendTarget; rendered: ReturnType<typeof renderMessage> } | SendResult {
  try {
    const target = targetOf(message.audience);
    // As the Messenger's sendPrivate: a private message's buttons are pressed in the private chat.
    return { target, rendered: renderMessage(message.message) };
  } catch (error) {
    // No Telegram chat (a bad id) or a button Telegram cannot carry: sending again would fail the same way.
    if (error instanceof TypeError || error instanceof CommunityError) {
      return { kind: 'refused', reason: error.message };
    }
    throw error;
  }
}

function targetOf(audience: Audience): SendTarget {
  if (audience.kind === 'member') {
    // A member's private chat with the bot has the member's id.
    const chatId = userIdOf(audience.member);
    return { chatId, channelId: String(chatId), private: true };
  }
  const { target } = audience;
  const { chatId, topicId } = readChannel(target.channelId, target.threadId);
  return {
    chatId,
    channelId: target.channelId,
    private: false,
    ...(topicId === undefined ? {} : { topicId }),
  };
}

/**
 * A failed sendMessage as an outcome. Telegram answers 429 and 5xx without sending; no answer at all (a
 * timeout, a dropped connection) may have sent. A private chat Telegram will not start is `unreachable`;
 * any other refusal (the bot removed or muted, the chat or topic gone, content refused) stays refused.
 */
function failureOf(error: unknown, target: SendTarget): SendResult {
  if (!(error instanceof GrammyError)) {
    // HttpError: grammY's timeout or a network failure (the token is redacted from its message).
    const reason = error instanceof HttpError ? error.message : describe(error);
    return { kind: 'unknown', reason: `no answer from Telegram: ${reason}` };
  }
  const { error_code: code, description, parameters } = error;
  if (code === 429) {
    const seconds = parameters.retry_after;
    return {
      kind: 'retry',
      reason: description,
      ...(seconds === undefined ? {} : { afterMs: seconds * 1000 }),
    };
  }
  // Telegram answered that it failed: it did not send. A wrong token (401) is fixed by configuration, not
  // by dropping the message; the worker's attempt limit still bounds it.
  if (code >= 500 || code === 401) return { kind: 'retry', reason: `${code} ${description}` };
  if (target.private) {
    const unreachable = unreachableReason(error);
    if (unreachable !== undefined) return { kind: 'unreachable', reason: unreachable };
  }
  const moved = parameters.migrate_to_chat_id;
  const movedNote = moved === undefined ? '' : ` (the group is now supergroup ${moved})`;
  return { kind: 'refused', reason: `${code} ${description}${movedNote}` };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
