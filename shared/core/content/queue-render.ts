/**
 * How the review queue reads: one message with the oldest pending suggestions, each with its own Approve and
 * Reject buttons (labelled with the item id, since a platform may lay buttons out in rows of its own).
 */
import type { Button, Mention, OutboundMessage } from '../messenger.js';
import type { ContentItem } from './model.js';
import { CONTENT_ACTIONS, itemLine } from './render.js';

/**
 * Suggestions per message: two buttons each keeps within every platform's buttons per message (Discord:
 * 5 rows of 5) and the text within Discord's 2,000 characters.
 */
export const QUEUE_PER_MESSAGE = 5;
/** Characters of suggestion bodies per message, shared among the suggestions shown. */
const QUEUE_BODY_CHARS = 1200;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The queue as one message: a heading, each suggestion (line, body, author), the buttons and the rest's count. */
export function queueMessage(pending: readonly ContentItem[], heading?: string): OutboundMessage {
  const shown = pending.slice(0, QUEUE_PER_MESSAGE);
  const budget = Math.floor(QUEUE_BODY_CHARS / Math.max(1, shown.length));
  const mentions: Mention[] = [];
  const blocks = shown.map((item) => {
    const lines = [itemLine(item), clip(item.body, budget)];
    if (item.link) lines.push(item.link);
    if (item.author.member) {
      lines.push(`_suggested by {@${mentions.length}} on ${item.createdAt.slice(0, 10)}_`);
      mentions.push({ member: item.author.member });
    }
    return lines.join('\n');
  });
  const rest = pending.length - shown.length;
  const text = [
    ...(heading ? [heading] : []),
    `**Suggestions waiting for review: ${pending.length}** (oldest first)`,
    ...blocks,
    ...(rest > 0 ? [`_${rest} more waiting: they show once these are decided._`] : []),
  ].join('\n\n');
  const buttons: Button[] = shown.flatMap((item) => [
    { actionId: CONTENT_ACTIONS.approve, label: `Approve ${item.id}`, value: item.id },
    { actionId: CONTENT_ACTIONS.reject, label: `Reject ${item.id}`, value: item.id },
  ]);
  return { text, buttons, ...(mentions.length > 0 ? { mentions } : {}) };
}
