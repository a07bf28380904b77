import type { AnswerHandle } from '../../shared/core/messenger.js';

/**
 * Where the answer to one interaction goes on Telegram, kept by the core as its {@link AnswerHandle} and
 * handed back to the Messenger, possibly in a later invocation. Ids only.
 */
export interface TelegramAnswer {
  /** The chat the command was sent in, or whose message carried the pressed button. */
  readonly chatId: number;
  /** The member who acted: their private chat with the bot has the same id. */
  readonly userId: number;
  /** The command message (public answers reply to it), or the message whose button was pressed. */
  readonly messageId: number;
  /** The forum topic, so a public answer lands in the same topic. */
  readonly topicId?: number;
  /** Sent in the member's private chat with the bot: every answer goes back there. */
  readonly privateChat: boolean;
  /**
   * In the private chat on behalf of this group: a press on a button of a private answer to something done
   * there (render.ts). Buttons of its answers name the group again.
   */
  readonly groupChatId?: number;
}

export function toAnswerHandle(answer: TelegramAnswer): AnswerHandle {
  return { ...answer };
}

/** Reads a handle this adapter wrote; anything else is a programming error, not a member's mistake. */
export function readAnswerHandle(handle: AnswerHandle): TelegramAnswer {
  const { chatId, userId, messageId, topicId, privateChat, groupChatId } = handle;
  if (
    !Number.isSafeInteger(chatId) ||
    !Number.isSafeInteger(userId) ||
    !Number.isSafeInteger(messageId) ||
    (topicId !== undefined && !Number.isSafeInteger(topicId)) ||
    (groupChatId !== undefined && !Number.isSafeInteger(groupChatId)) ||
    typeof privateChat !== 'boolean'
  ) {
    throw new TypeError(`Not a Telegram answer handle: ${Object.keys(handle).join(', ')}`);
  }
  return {
    chatId: chatId as number,
    userId: userId as number,
    messageId: messageId as number,
    ...(topicId === undefined ? {} : { topicId: topicId as number }),
    privateChat,
    ...(groupChatId === undefined ? {} : { groupChatId: groupChatId as number }),
  };
}
