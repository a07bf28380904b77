import type { InlineKeyboardMarkup } from 'grammy/types';
import { CommunityError } from '../../shared/core/errors.js';
import { parseLightFormat, type TextSegment } from '../../shared/core/light-format.js';
import {
  type Button,
  type Mention,
  type OutboundMessage,
  renderMentions,
} from '../../shared/core/messenger.js';

/**
 * A core message as Telegram sendMessage / editMessageText fields: HTML text (the only file that knows
 * Telegram's markup) and an inline keyboard for buttons.
 */
export interface TelegramMessage {
  readonly text: string;
  readonly parse_mode: 'HTML';
  readonly reply_markup?: InlineKeyboardMarkup;
}

/** Telegram's limit for a button's `callback_data`, in bytes (InlineKeyboardButton). */
export const CALLBACK_DATA_LIMIT = 64;

/** Between a button's action id and its value in `callback_data`; parse.ts splits at the first one. */
export const CALLBACK_SEPARATOR = ':';

/** Between a button's action id and the group it answers for, in a private chat (see {@link callbackData}). */
export const GROUP_SEPARATOR = '@';

/** Telegram's limit for an answerCallbackQuery notification or alert, in characters. */
export const CALLBACK_ALERT_LIMIT = 200;

/** A button whose action id and value Telegram cannot carry back: refused before anything is sent. */
export class ButtonPayloadError extends CommunityError {
  override readonly name = 'ButtonPayloadError';

  constructor(message: string) {
    super('button_payload_invalid', message);
  }
}

/**
 * Renders light format as Telegram HTML. Every piece of text is escaped, so nothing a message contains can
 * open a tag. Each button gets its own row; its `callback_data` is `<actionId>:<value>` (or the action id
 * alone), which comes back in the `callback_query` update. `group`: the group a private answer is given
 * for (see {@link callbackData}).
 */
export function renderMessage(message: OutboundMessage, group?: number): TelegramMessage {
  const text = parseLightFormat(message.text)
    .map((segment) => renderSegment(segment, message.mentions))
    .join('');
  if (!message.buttons?.length) return { text, parse_mode: 'HTML' };
  return {
    text,
    parse_mode: 'HTML',
    reply_markup: {
      inline_keyboard: message.buttons.map((button) => [
        { text: button.label, callback_data: callbackData(button, group) },
      ]),
    },
  };
}

/**
 * `<actionId>:<value>`, at most {@link CALLBACK_DATA_LIMIT} bytes. A longer one would be refused by
 * Telegram with the whole message ("BUTTON_DATA_INVALID"); refusing here names the button instead.
 *
 * A button under a private answer to something done in a group also names the group:
 * `<actionId>@<chatId>:<value>`. Its press then comes back as a press in that group (parse.ts), as a press
 * on Slack's or Discord's in-place private answer does, so the core checks rights and acts there. When the
 * group does not fit the 64 bytes, the button goes without it, and its press is one in the private chat.
 */
export function callbackData(button: Button, group?: number): string {
  const { actionId, value } = button;
  if (!actionId || actionId.includes(CALLBACK_SEPARATOR) || actionId.includes(GROUP_SEPARATOR)) {
    throw new ButtonPayloadError(`Button action id "${actionId}" must be non-empty and have no ':' or '@'`);
  }
  const data = join(actionId, value);
  const bytes = Buffer.byteLength(data);
  if (bytes > CALLBACK_DATA_LIMIT) {
    throw new ButtonPayloadError(
      `Button ${actionId} carries ${bytes} bytes; Telegram's callback_data holds ${CALLBACK_DATA_LIMIT}`,
    );
  }
  if (group === undefined) return data;
  const withGroup = join(`${actionId}${GROUP_SEPARATOR}${group}`, value);
  return Buffer.byteLength(withGroup) <= CALLBACK_DATA_LIMIT ? withGroup : data;
}

function join(head: string, value: string | undefined): string {
  return value === undefined ? head : `${head}${CALLBACK_SEPARATOR}${value}`;
}

/**
 * The message as an answerCallbackQuery alert (plain text, shown only to the member who pressed), or
 * `undefined` when it does not fit one: too long, or with buttons an alert cannot show.
 */
export function alertText(message: OutboundMessage): string | undefined {
  if (message.buttons?.length) return undefined;
  const text = parseLightFormat(message.text)
    .map((segment) => renderMentions(segment.text, message.mentions, mentionName))
    .join('');
  return text.length > 0 && text.length <= CALLBACK_ALERT_LIMIT ? text : undefined;
}

/**
 * Each segment is escaped first and its `{@i}` tokens replaced after (escaping leaves them intact), so a
 * name can neither open a tag nor be read as light format. Code shows the bare name: Telegram does not
 * parse a link inside `<code>` or `<pre>`.
 */
function renderSegment(segment: TextSegment, mentions: readonly Mention[] | undefined): string {
  const code = segment.type === 'code' || segment.type === 'codeBlock';
  const text = renderMentions(escapeHtml(segment.text), mentions, (mention) =>
    code ? escapeHtml(mentionName(mention)) : mentionLink(mention),
  );
  switch (segment.type) {
    case 'bold':
      return `<b>${codeWithin(text)}</b>`;
    case 'italic':
      return `<i>${codeWithin(text)}</i>`;
    case 'code':
      return `<code>${text}</code>`;
    case 'codeBlock':
      return `<pre>${text}</pre>`;
    default:
      return text;
  }
}

/**
 * Inline code inside bold or italic text (`**Item `x1` is live**`): Slack and Discord markup nest it, and
 * HTML does too once the backticks become tags (escaped text holds no tag, so none is broken).
 */
function codeWithin(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** What a mention shows when the join payload gave no name: a neutral word, never an id. */
export const UNNAMED_MEMBER = 'member';

/** Telegram's limit for a user's first name; a longer one (a forged payload) is cut. */
const NAME_LIMIT = 64;

function mentionName(mention: Mention): string {
  const name = mention.name?.trim().slice(0, NAME_LIMIT);
  return name || UNNAMED_MEMBER;
}

/**
 * A mention in HTML mode: a link to `tg://user?id=<id>` notifies the member even without a username (Bot
 * API "Formatting options"). A member of another platform, or an id that is no Telegram id, shows the name
 * alone rather than a broken link.
 */
function mentionLink(mention: Mention): string {
  const name = escapeHtml(mentionName(mention));
  const { platform, id } = mention.member;
  if (platform !== 'telegram' || !/^\d{1,16}$/.test(id)) return name;
  return `<a href="tg://user?id=${id}">${name}</a>`;
}

/** The Bot API's HTML mode knows four entities; `&`, `<` and `>` must be escaped everywhere. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
