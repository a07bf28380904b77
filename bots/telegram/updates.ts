/**
 * The update types the bot handles, named once: `npm run telegram:set-webhook` subscribes the webhook to
 * them, the long polling of `npm run dev` asks getUpdates for them, and update-schema.ts checks each one.
 *
 * A list given to setWebhook or getUpdates replaces Telegram's default, so every handled type must be
 * named: `message_reaction`, `message_reaction_count` and `chat_member` are never sent unless named, and
 * Telegram sends those three only to a bot that is an administrator of the chat.
 */
export const TELEGRAM_ALLOWED_UPDATES = [
  // A post or a reply (message_posted, thread_reply), a join as a service message (member_joined), a
  // command (`/community ...`, a private `/start` or `/help`), text for a guided form, a group's migration.
  'message',
  // A post edited: its record is amended with the new length (MessageEdited); it stays counted once.
  'edited_message',
  // A button pressed under a message the bot sent (button_pressed), answered through the dispatcher.
  'callback_query',
  // A member's reactions on a message changed (reaction_added / reaction_removed). Admin only, named only.
  'message_reaction',
  // Anonymous reactions (a channel's, or a group's with anonymous reactions): counts per message, for the
  // chat and no member (ReactionsCounted). Admin only, named only.
  'message_reaction_count',
  // A vote in a non-anonymous poll the bot sent: recorded, for polls later.
  'poll_answer',
  // The bot added to or removed from a group: the space is registered or deactivated.
  'my_chat_member',
  // A member joined or left (member_joined, member_left). Admin only, named only.
  'chat_member',
] as const;

/** An update type the bot handles. */
export type TelegramUpdateKind = (typeof TELEGRAM_ALLOWED_UPDATES)[number];
