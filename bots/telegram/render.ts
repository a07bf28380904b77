import type { InlineKeyboardMarkup } from 'grammy/types';
import { parseLightFormat, type Reply, type TextSegment } from '../../shared/core/reply.js';

/**
 * A core reply as Telegram sendMessage fields: HTML text (the only file that knows Telegram's markup) and
 * an inline keyboard for buttons.
 */
export interface TelegramMessage {
  readonly text: string;
  readonly parse_mode: 'HTML';
  readonly reply_markup?: InlineKeyboardMarkup;
}

/**
 * Renders light format as Telegram HTML. Every piece of text is escaped, so nothing a reply contains can
 * open a tag. Each button gets its own row; its `callback_data` is the `actionId` (Telegram allows 1-64
 * bytes), which comes back in the `callback_query` update.
 */
export function renderReply(reply: Reply): TelegramMessage {
  const text = parseLightFormat(reply.text).map(renderSegment).join('');
  if (!reply.buttons?.length) return { text, parse_mode: 'HTML' };
  return {
    text,
    parse_mode: 'HTML',
    reply_markup: {
      inline_keyboard: reply.buttons.map((button) => [
        { text: button.label, callback_data: button.actionId },
      ]),
    },
  };
}

function renderSegment(segment: TextSegment): string {
  const text = escapeHtml(segment.text);
  switch (segment.type) {
    case 'bold':
      return `<b>${text}</b>`;
    case 'italic':
      return `<i>${text}</i>`;
    case 'code':
      return `<code>${text}</code>`;
    case 'codeBlock':
      return `<pre>${text}</pre>`;
    default:
      return text;
  }
}

/** The Bot API's HTML mode knows four entities; `&`, `<` and `>` must be escaped everywhere. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
