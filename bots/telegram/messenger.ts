import { type Api, GrammyError } from 'grammy/web';
import type { Member, Space } from '../../shared/core/events.js';
import type {
  ChannelTarget,
  Messenger,
  MessengerCapabilities,
  OutboundMessage,
  PostedMessage,
  PrivateDelivery,
} from '../../shared/core/messenger.js';
import { readAnswerHandle } from './answer-handle.js';
import type { ModeratorCheck } from './moderators.js';
import { renderMessage } from './render.js';

/**
 * The Messenger on the Bot API. Telegram has no ephemeral messages and no forms: a private answer is a
 * message in the member's private chat with the bot (refused until they have started it, so the core
 * falls back to a deep link), and a form is asked field by field there (the core drives it).
 */
export const TELEGRAM_CAPABILITIES: MessengerCapabilities = {
  forms: 'guided',
  privateAnswers: 'direct',
  threads: true,
};

/** The Bot API methods the Messenger calls. */
export type MessengerApi = Pick<
  Api,
  'sendMessage' | 'editMessageText' | 'deleteMessage' | 'getChatAdministrators'
>;

export interface TelegramMessengerDeps {
  readonly api: MessengerApi;
  /** For deep links: `https://t.me/<botUsername>?start=<token>`. */
  readonly botUsername: string;
  /** The cached getChatMember check (moderators.ts). */
  readonly isModerator: ModeratorCheck;
}

const PLATFORM = 'telegram';

export function createTelegramMessenger({ api, botUsername, isModerator }: TelegramMessengerDeps): Messenger {
  /**
   * A message in a member's private chat, or `unreachable` when Telegram refuses to start one. `group`: the
   * group it answers for, which its buttons name (render.ts).
   */
  const sendToMember = async (space: Space, userId: number, message: OutboundMessage, group?: number) => {
    const { text, ...other } = renderMessage(message, group);
    try {
      const sent = await api.sendMessage(userId, text, other);
      return posted(space, String(userId), sent.message_id);
    } catch (error) {
      const reason = unreachableReason(error);
      if (reason === undefined) throw error;
      return { kind: 'unreachable', reason } as const;
    }
  };

  return {
    capabilities: TELEGRAM_CAPABILITIES,

    async respond(handle, message, visibility = 'private') {
      const answer = readAnswerHandle(handle);
      const space = spaceOf(answer.chatId);
      if (visibility === 'private' && !answer.privateChat) {
        return sendToMember(space, answer.userId, message, answer.chatId);
      }
      // Public, or asked in the private chat itself: reply to the command there (and in its topic).
      const { text, ...other } = renderMessage(message, answer.groupChatId);
      const sent = await api.sendMessage(answer.chatId, text, {
        ...other,
        ...(answer.topicId === undefined ? {} : { message_thread_id: answer.topicId }),
        // The answer still goes out if the command message was deleted meanwhile.
        reply_parameters: { message_id: answer.messageId, allow_sending_without_reply: true },
      });
      return posted(space, String(answer.chatId), sent.message_id);
    },

    async post(target: ChannelTarget, message) {
      const { chatId, topicId } = readChannel(target.channelId, target.threadId);
      const { text, ...other } = renderMessage(message);
      const sent = await api.sendMessage(chatId, text, {
        ...other,
        ...(topicId === undefined ? {} : { message_thread_id: topicId }),
      });
      return { space: target.space, channelId: target.channelId, messageId: String(sent.message_id) };
    },

    sendPrivate: (space, member, message) => sendToMember(space, userIdOf(member), message),

    async update(message, content) {
      const { chatId } = readChannel(message.channelId);
      const { text, ...other } = renderMessage(content);
      try {
        // Without reply_markup the edit removes the buttons, which is what a message without buttons means.
        await api.editMessageText(chatId, Number(message.messageId), text, other);
      } catch (error) {
        // A repeated edit to the same content: the message already says it.
        if (!isBadRequest(error, 'message is not modified')) throw error;
      }
    },

    async delete(message) {
      const { chatId } = readChannel(message.channelId);
      try {
        await api.deleteMessage(chatId, Number(message.messageId));
      } catch (error) {
        if (!isBadRequest(error, 'message to delete not found')) throw error;
      }
    },

    deepLink: (token) => `https://t.me/${botUsername}?start=${encodeURIComponent(token)}`,

    async isModerator(space, member) {
      const chatId = Number(space.id);
      // Nobody moderates a private chat (positive ids are users); getChatMember would fail on one.
      if (!Number.isSafeInteger(chatId) || chatId > 0) return false;
      return isModerator(chatId, userIdOf(member));
    },

    async moderators(space) {
      const chatId = Number(space.id);
      if (!Number.isSafeInteger(chatId) || chatId > 0) return [];
      const administrators = await api.getChatAdministrators(chatId);
      return administrators
        .filter((administrator) => !administrator.user.is_bot)
        .map((administrator): Member => ({ platform: PLATFORM, id: String(administrator.user.id) }));
    },
  };
}

function posted(space: Space, channelId: string, messageId: number): PrivateDelivery {
  const message: PostedMessage = { space, channelId, messageId: String(messageId) };
  return { kind: 'sent', message };
}

function spaceOf(chatId: number): Space {
  return { platform: PLATFORM, id: String(chatId) };
}

/** A core member's Telegram user id (also the id of their private chat with the bot). */
export function userIdOf(member: Member): number {
  const id = Number(member.id);
  if (member.platform !== PLATFORM || !Number.isSafeInteger(id)) {
    throw new TypeError(`Not a Telegram member id: ${member.platform}:${member.id}`);
  }
  return id;
}

/** A core channel id: the chat, or `<chat>/<topic>` for a forum topic (parse.ts writes it). */
export function readChannel(channelId: string, threadId?: string): { chatId: number; topicId?: number } {
  const [chat = '', topic] = channelId.split('/');
  const chatId = Number(chat);
  const topicId = threadId ?? topic;
  if (!Number.isSafeInteger(chatId) || (topicId !== undefined && !/^\d+$/.test(topicId))) {
    throw new TypeError(`Not a Telegram channel: ${channelId}${threadId ? ` / ${threadId}` : ''}`);
  }
  return topicId === undefined ? { chatId } : { chatId, topicId: Number(topicId) };
}

/**
 * Why Telegram will not let the bot write to a member first, or `undefined` for any other failure. 403:
 * "bot can't initiate conversation with a user" (never started), "bot was blocked by the user",
 * "user is deactivated". 400 "chat not found": an id the bot has never met.
 */
export function unreachableReason(error: unknown): string | undefined {
  if (!(error instanceof GrammyError)) return undefined;
  if (error.error_code === 403 || isBadRequest(error, 'chat not found')) return error.description;
  return undefined;
}

function isBadRequest(error: unknown, description: string): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    error.description.toLowerCase().includes(description)
  );
}
