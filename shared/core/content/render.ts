/**
 * How an item reads in a chat, wherever it is shown: a private answer to `tip`, a channel post, a digest, a
 * moderator's queue. The buttons' action ids and values are defined here, once, for every handler that reads
 * them back (Telegram carries at most 64 bytes of action id + value).
 */
import type { Button, Mention, OutboundMessage } from '../messenger.js';
import type { ContentItem } from './model.js';

export const CONTENT_ACTIONS = {
  /** Opens one result of `find` in full. Value: {@link shareValue} of where `find` was asked (or the bare item id). */
  show: 'content.show',
  /** Value: {@link voteValue}. */
  helpful: 'content.helpful',
  notForMe: 'content.notforme',
  /** Posts the item into the channel the member pulled it in. Value: {@link shareValue}. */
  share: 'content.share',
  /** A moderator approves or rejects a member's suggestion. Value: the item id. */
  approve: 'content.approve',
  reject: 'content.reject',
} as const;

/**
 * Where a vote was cast: on a private answer, or on a channel post (whose feedback sets the channel's pace).
 * An answer's `spaceId` names the space it was asked in: a Telegram private answer is pressed in the private
 * chat, which names no community.
 */
export type VoteTarget =
  | { readonly kind: 'answer'; readonly itemId: string; readonly spaceId?: string }
  | { readonly kind: 'post'; readonly itemId: string; readonly postId: string };

export function voteValue(target: VoteTarget): string {
  if (target.kind === 'post') return `p:${target.itemId}:${target.postId}`;
  return target.spaceId ? `i:${target.itemId}:${target.spaceId}` : `i:${target.itemId}`;
}

export function readVoteValue(value: string | undefined): VoteTarget | undefined {
  const [kind, itemId, postId] = (value ?? '').split(':');
  if (!itemId) return undefined;
  if (kind === 'i') return { kind: 'answer', itemId, ...(postId ? { spaceId: postId } : {}) };
  if (kind === 'p' && postId) return { kind: 'post', itemId, postId };
  return undefined;
}

/** The channel a pulled item may be shared into (a private answer on Telegram arrives in a private chat). */
export interface ShareTarget {
  readonly itemId: string;
  readonly spaceId: string;
  readonly channelId: string;
}

export function shareValue(target: ShareTarget): string {
  return `${target.itemId}:${target.spaceId}:${target.channelId}`;
}

export function readShareValue(value: string | undefined): ShareTarget | undefined {
  const [itemId, spaceId, channelId] = (value ?? '').split(':');
  return itemId && spaceId && channelId ? { itemId, spaceId, channelId } : undefined;
}

/** The item's text: title, body, link, kind and topics, and its author's credit. */
export function itemText(item: ContentItem): { text: string; mentions?: readonly Mention[] } {
  const lines = [`**${item.title}**`, item.body];
  if (item.link) lines.push(item.link);
  const about = [item.kind.replace('-', ' '), ...item.topics].join(' · ');
  const credit = item.author.kind === 'member' && item.author.member;
  lines.push(credit ? `_${about} · suggested by {@0}_` : `_${about}_`);
  return credit
    ? {
        text: lines.join('\n'),
        mentions: [{ member: item.author.member as NonNullable<typeof item.author.member> }],
      }
    : { text: lines.join('\n') };
}

/** The vote buttons for an item shown at `target`. */
export function voteButtons(target: VoteTarget): Button[] {
  const value = voteValue(target);
  return [
    { actionId: CONTENT_ACTIONS.helpful, label: 'Helpful', value },
    { actionId: CONTENT_ACTIONS.notForMe, label: 'Not for me', value },
  ];
}

/** An item as a private answer: vote, and share into the channel it was asked in (when there is one). */
export function privateItem(item: ContentItem, share?: Omit<ShareTarget, 'itemId'>): OutboundMessage {
  const buttons = voteButtons({
    kind: 'answer',
    itemId: item.id,
    ...(share ? { spaceId: share.spaceId } : {}),
  });
  if (share)
    buttons.push({
      actionId: CONTENT_ACTIONS.share,
      label: 'Share',
      value: shareValue({ itemId: item.id, ...share }),
    });
  return { ...itemText(item), buttons };
}

/** An item as the bot's scheduled post in a channel. */
export function postedItem(item: ContentItem, postId: string): OutboundMessage {
  return { ...itemText(item), buttons: voteButtons({ kind: 'post', itemId: item.id, postId }) };
}

/** One line naming an item for lists (`content list`, `find`, the queue). */
export function itemLine(item: ContentItem): string {
  const topics = item.topics.length > 0 ? ` · ${item.topics.join(', ')}` : '';
  const flags = [item.status === 'live' ? '' : item.status, item.promotional ? 'promotional' : ''].filter(
    Boolean,
  );
  return `\`${item.id}\` **${item.title}** _${item.kind}${topics}${flags.length ? ` · ${flags.join(', ')}` : ''}_`;
}
