/**
 * Telegram updates that change what was recorded, or that count for the chat rather than a member:
 * `edited_message` (a post's new length), `message_reaction_count` (anonymous reactions) and `poll_answer`.
 * Telegram tells bots of no deletions, so a Telegram post stays counted once it was heard.
 */
import type { Message, MessageReactionCountUpdated, PollAnswer } from 'grammy/types';
import type { MessageEdited, ReactionsCounted } from '../../shared/core/events.js';
import { ignore, type Parsed } from '../../shared/platform/ignored.js';
import { chatLocation, fromUnixTime } from './locate.js';

/** The event id a post is recorded under: its message id, which names it in its chat for good. */
export function postId(messageId: number): string {
  return `message:${messageId}`;
}

/**
 * An edited post: its record gets the new length. `update_id` orders the edits of one post (Telegram numbers
 * updates in the order it sends them; `edit_date` has only seconds). A bot's post is not a record of ours.
 */
export function translateEdit(message: Message, updateId: number): Parsed<MessageEdited> {
  if (message.from?.is_bot && !message.sender_chat) return ignore('an edit of a bot message');
  if (message.chat.type === 'private') return ignore('an edit in a private chat: never a space');
  const text = message.text ?? message.caption ?? '';
  return {
    kind: 'message_edited',
    id: String(updateId),
    location: chatLocation(message.chat),
    occurredAt: fromUnixTime(message.edit_date ?? message.date),
    targetId: postId(message.message_id),
    textLength: text.length,
    sequence: updateId,
  };
}

/** The `reaction` of a count that stands for every emoji of a message together. */
export const ALL_REACTIONS = '*';

/**
 * Anonymous reactions on a post, as a total over every emoji: Telegram lists the emojis a message has now,
 * and one that dropped to none is left out, so only the total stays exact from one update to the next.
 */
export function translateReactionCount(
  update: MessageReactionCountUpdated,
  updateId: number,
): Parsed<ReactionsCounted> {
  const count = update.reactions.reduce((sum, reaction) => sum + reaction.total_count, 0);
  return {
    kind: 'reactions_counted',
    id: String(updateId),
    location: chatLocation(update.chat),
    occurredAt: fromUnixTime(update.date),
    targetId: postId(update.message_id),
    messageId: String(update.message_id),
    reaction: ALL_REACTIONS,
    count,
    sequence: updateId,
  };
}

/**
 * A vote in a poll. Telegram sends `poll_answer` only for polls the bot itself sent, and it names the poll,
 * not the chat. The bot sends no polls yet, so no vote can be placed in a community: it is left with that
 * reason. (Polls that count across platforms will note each poll's chat when they send it.)
 */
export function translatePollAnswer(answer: PollAnswer): Parsed<never> {
  return ignore(
    `a vote in poll ${answer.poll_id.slice(0, 40)}: not a poll this bot sent, so its community is unknown`,
  );
}
