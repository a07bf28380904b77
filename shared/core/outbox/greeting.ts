/**
 * New members the bot cannot write to first (Telegram, until they start the bot) are greeted in the space
 * instead: everyone who joined within the hour in one post, mentioned, at most one such post an hour per
 * channel, and the post itself spends the channel's budget like any other.
 */
import type { ChannelTarget, Mention } from '../messenger.js';
import { mentionToken } from '../messenger.js';
import type { MemberAudience, OutboxMessage } from './model.js';

/** The reason a welcome waits to be part of its channel's next greeting. */
export const GREETING_REASON = 'greeting';
/** At most one greeting post per channel per this long. */
export const GREETING_EVERY_MS = 60 * 60 * 1000;
/** A greeting names at most this many members (the rest wait for the next one). */
export const GREETING_MENTIONS = 20;

/** A welcome waiting to be greeted together with others in `greetIn`. */
export type WaitingWelcome = OutboxMessage & {
  readonly audience: MemberAudience & { greetIn: ChannelTarget };
};

export function isWaitingWelcome(message: OutboxMessage): message is WaitingWelcome {
  return (
    message.reason === GREETING_REASON && message.audience.kind === 'member' && !!message.audience.greetIn
  );
}

export function greetingChannelKey(target: ChannelTarget): string {
  return `${target.space.platform}:${target.space.id}:${target.channelId}:${target.threadId ?? ''}`;
}

/** The greeting post's key: the same members give the same key, so a run that died half-way posts it once. */
export function greetingKey(target: ChannelTarget, welcomes: readonly WaitingWelcome[]): string {
  const ids = welcomes.map((welcome) => welcome.id).sort();
  return `greeting:${greetingChannelKey(target)}:${ids.join(',')}`;
}

/** `Welcome {@0}, {@1} and {@2}!` followed by the space's welcome text. */
export function greetingText(welcomes: readonly WaitingWelcome[]): { text: string; mentions: Mention[] } {
  const mentions = welcomes.map(({ audience }) =>
    audience.name ? { member: audience.member, name: audience.name } : { member: audience.member },
  );
  const names = mentions.map((_, index) => mentionToken(index));
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  const body = welcomes[0]?.message.text ?? '';
  return { text: `Welcome ${list}!\n\n${body}`, mentions };
}
