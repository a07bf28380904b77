// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIInteractionResponseCallbackData,
  ButtonStyle,
  ComponentType,
  MessageFlags,
} from 'discord-api-types/payloads/v10';
import { parseLightFormat, type Reply, type ReplyButton, type TextSegment } from '../../shared/core/reply.js';

/** Discord refuses message content longer than this. */
export const CONTENT_LIMIT = 2000;
/** Discord's limits for buttons: 5 per action row, 5 rows per message, 80-character labels. */
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const LABEL_LIMIT = 80;
const CUSTOM_ID_LIMIT = 100;

const FENCE = '```';

/**
 * A core reply as the `data` of an interaction response: Discord markdown content, EPHEMERAL (64) when the
 * reply is private, buttons as action rows. Mentions never ping: the bot only ever echoes ids and numbers.
 */
export function renderReply(reply: Reply): APIInteractionResponseCallbackData {
  const components = renderButtons(reply.buttons ?? []);
  return {
    content: renderText(reply.text),
    allowed_mentions: { parse: [] },
    ...(reply.visibility === 'private' ? { flags: MessageFlags.Ephemeral } : {}),
    ...(components.length > 0 ? { components } : {}),
  };
}

/** Light-formatted text (see shared/core/reply.ts) as Discord markdown, cut to Discord's length limit. */
export function renderText(text: string): string {
  return truncate(parseLightFormat(text).map(renderSegment).join(''));
}

function renderSegment(segment: TextSegment): string {
  switch (segment.type) {
    case 'text':
      return escapeMarkdown(segment.text);
    case 'bold':
      return `**${escapeMarkdown(segment.text)}**`;
    case 'italic':
      return `_${escapeMarkdown(segment.text)}_`;
    case 'code':
      // parseLightFormat never yields a backtick inside inline code, so one backtick delimits it.
      return `\`${segment.text}\``;
    case 'codeBlock':
      // A fence inside the block would end it early; a zero-width space keeps the backticks apart.
      return `${FENCE}\n${segment.text.replaceAll(FENCE, '``\u200b`')}\n${FENCE}`;
  }
}

/**
 * Escapes what Discord would read as markup in plain text. Discord drops a backslash before any
 * punctuation, so escaping is invisible; line-start markers (headings, quotes, lists) only matter there.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|<>[\]]/g, '\\$&')
    .replace(/^([ \t]*)([#\-+])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)\./gm, '$1\\.');
}

function truncate(content: string): string {
  if (content.length <= CONTENT_LIMIT) return content;
  const kept = content.slice(0, CONTENT_LIMIT - 1);
  // An odd number of fences means a code block was cut open: close it, or Discord shows the fences raw.
  if (kept.split(FENCE).length % 2 === 1) return `${kept}…`;
  const closing = `\n${FENCE}`;
  return `${content.slice(0, CONTENT_LIMIT - 1 - closing.length)}…${closing}`;
}

function renderButtons(
  buttons: readonly ReplyButton[],
): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  const shown = buttons.slice(0, BUTTONS_PER_ROW * MAX_ROWS);
  for (let start = 0; start < shown.length; start += BUTTONS_PER_ROW) {
    rows.push({
      type: ComponentType.ActionRow,
      components: shown.slice(start, start + BUTTONS_PER_ROW).map(renderButton),
    });
  }
  return rows;
}

function renderButton(button: ReplyButton): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: button.label.slice(0, LABEL_LIMIT),
    // The press comes back as a MESSAGE_COMPONENT interaction carrying this id (see app.ts).
    custom_id: button.actionId.slice(0, CUSTOM_ID_LIMIT),
  };
}
