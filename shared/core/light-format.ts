/**
 * The light format every message the bot sends is written in (see messenger.ts for the message itself).
 *
 * Text uses a small light-formatting subset that every platform can render: `**bold**`, `_italic_`,
 * `` `code` `` and fenced blocks (three backticks on their own lines). Adapters translate it in their
 * `render.ts`; nothing else may assume a platform's markup.
 */

/** One run of light-formatted text. */
export type TextSegment =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'bold'; readonly text: string }
  | { readonly type: 'italic'; readonly text: string }
  | { readonly type: 'code'; readonly text: string }
  | { readonly type: 'codeBlock'; readonly text: string };

const FENCE = '```';
const INLINE = /\*\*(.+?)\*\*|(?<![\w])_(.+?)_(?![\w])|`([^`]+)`/g;

/**
 * Splits light-formatted text into segments, so each platform's renderer only maps segment types to its
 * own markup (and escapes plain text its own way).
 */
export function parseLightFormat(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  const parts = text.split(FENCE);
  parts.forEach((part, index) => {
    // Odd parts sit between two fences; an unclosed fence leaves the rest as plain text.
    const insideFence = index % 2 === 1 && index < parts.length - 1;
    if (insideFence) {
      segments.push({ type: 'codeBlock', text: part.replace(/^\n/, '').replace(/\n$/, '') });
    } else {
      pushInline(segments, index % 2 === 1 ? FENCE + part : part);
    }
  });
  return segments;
}

function pushInline(segments: TextSegment[], text: string): void {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) segments.push({ type: 'text', text: text.slice(last, match.index) });
    if (match[1] !== undefined) segments.push({ type: 'bold', text: match[1] });
    else if (match[2] !== undefined) segments.push({ type: 'italic', text: match[2] });
    else if (match[3] !== undefined) segments.push({ type: 'code', text: match[3] });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ type: 'text', text: text.slice(last) });
}
