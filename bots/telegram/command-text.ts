import type { MessageEntity, User } from 'grammy/types';

/**
 * Telegram delivers commands as message text: `/name`, `/name@bot_username` in groups, followed by what the
 * member typed. This file reads that text; what the words mean is the core's grammar (command-grammar.ts).
 */

/** A command as typed: its name (lower case) and the rest of the text, trimmed. */
export interface TypedCommand {
  readonly name: string;
  readonly rest: string;
}

const COMMAND = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/**
 * Reads `/name[@bot] rest`. `undefined` when the text is no command or is addressed to another bot
 * (`/community@otherbot` in a group with several bots is not ours to answer).
 */
export function readTypedCommand(text: string, botUsername: string): TypedCommand | undefined {
  const match = COMMAND.exec(text.trim());
  const name = match?.[1];
  if (!match || !name) return undefined;
  const addressee = match[2];
  if (addressee && addressee.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: name.toLowerCase(), rest: (match[3] ?? '').trim() };
}

/**
 * The text after `/community` (or `/community@<this bot>`), or `undefined` when the text is another command
 * or addressed to another bot.
 */
export function parseCommandText(text: string, botUsername: string): string | undefined {
  const command = readTypedCommand(text, botUsername);
  return command?.name === 'community' ? command.rest : undefined;
}

/** An entity that names a member who has no username: Telegram attaches the user itself. */
type TextMention = MessageEntity & { readonly type: 'text_mention'; readonly user: User };

/**
 * Writes every `text_mention` (a member picked from the mention list who has no @username; the entity
 * carries their user) as `<@id>`, the mention the core's grammar reads as a member option. Entity offsets
 * and lengths count UTF-16 code units, as JavaScript strings do. An `@username` mention carries no id (the
 * Bot API cannot look one up), so it stays text and a member option refuses it.
 */
export function writeTextMentions(text: string, entities: readonly MessageEntity[] = []): string {
  const mentions = entities
    .filter((entity): entity is TextMention => entity.type === 'text_mention' && entity.user !== undefined)
    .filter((entity) => entity.offset >= 0 && entity.offset + entity.length <= text.length)
    .sort((a, b) => b.offset - a.offset);
  let written = text;
  let limit = text.length;
  for (const mention of mentions) {
    // Overlapping entities cannot both be replaced; the later one in the text wins.
    if (mention.offset + mention.length > limit) continue;
    written = `${written.slice(0, mention.offset)}<@${mention.user.id}>${written.slice(mention.offset + mention.length)}`;
    limit = mention.offset;
  }
  return written;
}
