import { type Api, GrammyError } from 'grammy/web';
import type { Reply } from '../../shared/core/reply.js';
import { renderReply } from './render.js';

/** Where a `/community` command was sent, which decides where its answer goes. */
export interface CommandOrigin {
  readonly chatId: number;
  readonly isPrivateChat: boolean;
  readonly userId: number;
  /** The command message, which public answers reply to. */
  readonly messageId: number;
  /** The forum topic the command was sent in, so the answer lands in the same topic. */
  readonly topicId?: number;
}

/** Where the answer went: privately, or in the chat because the member never started the bot. */
export type Delivery = 'chat' | 'private' | 'chat_instead_of_private';

/**
 * Sends a core reply. Public answers, and any answer in a private chat, reply to the command message.
 * Private answers to a group command go to the member's private chat with the bot; Telegram refuses that
 * (403) until the member has started the bot, and then the answer is posted in the group with a hint.
 */
export async function deliverReply(
  api: Pick<Api, 'sendMessage'>,
  origin: CommandOrigin,
  reply: Reply,
  botUsername: string,
): Promise<Delivery> {
  if (reply.visibility === 'public' || origin.isPrivateChat) {
    await sendInChat(api, origin, reply);
    return 'chat';
  }
  try {
    const { text, ...other } = renderReply(reply);
    await api.sendMessage(origin.userId, text, other);
    return 'private';
  } catch (error) {
    if (!(error instanceof GrammyError && error.error_code === 403)) throw error;
  }
  const hint = `I can't message you privately until you open a chat with @${botUsername} and press Start, so here it is:`;
  await sendInChat(api, origin, { ...reply, text: `${hint}\n\n${reply.text}` });
  return 'chat_instead_of_private';
}

async function sendInChat(api: Pick<Api, 'sendMessage'>, origin: CommandOrigin, reply: Reply): Promise<void> {
  const { text, ...other } = renderReply(reply);
  await api.sendMessage(origin.chatId, text, {
    ...other,
    ...(origin.topicId === undefined ? {} : { message_thread_id: origin.topicId }),
    // The answer still goes out if the command message was deleted meanwhile.
    reply_parameters: { message_id: origin.messageId, allow_sending_without_reply: true },
  });
}
