/**
 * Core messages and forms in Discord's native form: markdown content, buttons in action rows, modals.
 * The only place that knows Discord's message and component shapes.
 */
// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponentWithCustomId,
  type APIInteractionResponseCallbackData,
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from 'discord-api-types/payloads/v10';
import { parseLightFormat, type TextSegment } from '../../shared/core/light-format.js';
import {
  type Button,
  type Form,
  type FormField,
  type Mention,
  type OutboundMessage,
  renderMentions,
} from '../../shared/core/messenger.js';

/** Discord refuses message content longer than this. */
export const CONTENT_LIMIT = 2000;
/** Discord's `allowed_mentions.users` holds at most 100 ids. */
const ALLOWED_USERS_LIMIT = 100;
/** A Discord id: only a snowflake can be written as a mention. */
const SNOWFLAKE = /^\d{1,20}$/;
/** Discord's limits for buttons: 5 per action row, 5 rows per message, 80-character labels. */
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const LABEL_LIMIT = 80;
/** A component's or a modal's `custom_id`: at most 100 characters. */
export const CUSTOM_ID_LIMIT = 100;
/** Separates the action id (or form id) from the value (or context) in a `custom_id`. */
export const CUSTOM_ID_SEPARATOR = ':';
/** Modal limits: a title and a label of at most 45 characters, a label's description 100, 5 components. */
const MODAL_TITLE_LIMIT = 45;
const FIELD_LABEL_LIMIT = 45;
const FIELD_DESCRIPTION_LIMIT = 100;
const MODAL_COMPONENTS_LIMIT = 5;
const PLACEHOLDER_LIMIT = 100;
/** A text input holds at most 4000 characters. */
const TEXT_INPUT_LIMIT = 4000;

const FENCE = '```';

/**
 * A message body Discord accepts for a new message, an edit, an interaction answer or a webhook call:
 * content, buttons, flags.
 */
export type DiscordMessage = APIInteractionResponseCallbackData;

/**
 * A core message as Discord markdown with its buttons. Only the members the message names in `mentions` are
 * pinged (`allowed_mentions.users`); any other mention in the text (an id a member typed, @everyone, a role)
 * stays silent.
 */
export function renderMessage(message: OutboundMessage): DiscordMessage {
  const components = renderButtons(message.buttons ?? []);
  return {
    content: renderText(message.text, message.mentions),
    allowed_mentions: allowedMentions(message.mentions),
    ...(components.length > 0 ? { components } : {}),
  };
}

/** EPHEMERAL: only the member who acted sees it, in place. */
export const EPHEMERAL = 64;

/** A message only the member who acted sees. */
export function renderPrivate(message: OutboundMessage): DiscordMessage {
  return { ...renderMessage(message), flags: EPHEMERAL };
}

/**
 * Light-formatted text (see shared/core/light-format.ts) as Discord markdown, its `{@i}` tokens as mentions,
 * cut to Discord's length limit. Mentions go in after escaping, or their `<` and `>` would be escaped too.
 */
export function renderText(text: string, mentions?: readonly Mention[]): string {
  const markdown = parseLightFormat(text).map(renderSegment).join('');
  return truncate(renderMentions(markdown, mentions, renderMention));
}

/** Discord's user mention, `<@id>`; an id that is not a snowflake cannot be one, so the name shows instead. */
function renderMention({ member, name }: Mention): string {
  return SNOWFLAKE.test(member.id) ? `<@${member.id}>` : escapeMarkdown(name ?? '');
}

/** Pings only the members the message mentions: never @everyone, @here or a role. */
function allowedMentions(mentions: readonly Mention[] | undefined): APIAllowedMentions {
  const ids = (mentions ?? []).map(({ member }) => member.id).filter((id) => SNOWFLAKE.test(id));
  const users = [...new Set(ids)].slice(0, ALLOWED_USERS_LIMIT);
  return users.length > 0 ? { parse: [], users } : { parse: [] };
}

function renderSegment(segment: TextSegment): string {
  switch (segment.type) {
    case 'text':
      return escapeMarkdown(segment.text);
    case 'bold':
      return `**${renderNested(segment.text)}**`;
    case 'italic':
      return `_${renderNested(segment.text)}_`;
    case 'code':
      // parseLightFormat never yields a backtick inside inline code, so one backtick delimits it.
      return `\`${segment.text}\``;
    case 'codeBlock':
      // A fence inside the block would end it early; a zero-width space keeps the backticks apart.
      return `${FENCE}\n${segment.text.replaceAll(FENCE, '``\u200b`')}\n${FENCE}`;
  }
}

/** Bold or italic text may hold inline code (`**from \`id\`**`); Discord nests them, so keep it code. */
function renderNested(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1 ? part : escapeMarkdown(part),
    )
    .join('');
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

function renderButtons(buttons: readonly Button[]): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
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

function renderButton(button: Button): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: button.label.slice(0, LABEL_LIMIT),
    // The press comes back as a MESSAGE_COMPONENT interaction carrying this id (parse.ts splits it).
    custom_id: joinCustomId(button.actionId, button.value),
  };
}

/**
 * `id` and an optional `value` in one `custom_id`: `feedback.read:<value>`. Cutting it would silently
 * change what a press means, so one that does not fit is a bug, refused here.
 */
export function joinCustomId(id: string, value: string | undefined): string {
  const customId = value === undefined ? id : `${id}${CUSTOM_ID_SEPARATOR}${value}`;
  if (customId.length > CUSTOM_ID_LIMIT || id.includes(CUSTOM_ID_SEPARATOR)) {
    throw new Error(`custom_id for ${id} must be at most ${CUSTOM_ID_LIMIT} characters, the id without ':'`);
  }
  return customId;
}

/**
 * A form as a modal: one text input per field, each in a Label (Discord's current modal layout; text
 * inputs in action rows are deprecated). The submission carries `custom_id` = `formId:context`.
 */
export function renderModal(form: Form): APIModalInteractionResponseCallbackData {
  if (form.fields.length === 0 || form.fields.length > MODAL_COMPONENTS_LIMIT) {
    throw new Error(
      `A Discord modal holds 1 to ${MODAL_COMPONENTS_LIMIT} fields; ${form.formId} has ${form.fields.length}`,
    );
  }
  return {
    custom_id: joinCustomId(form.formId, form.context ?? ''),
    title: clip(form.title, MODAL_TITLE_LIMIT),
    components: form.fields.map(renderField),
  };
}

function renderField(field: FormField): APILabelComponent {
  const label = clip(field.label, FIELD_LABEL_LIMIT);
  return {
    type: ComponentType.Label,
    label,
    // A label too long for Discord's 45 characters is shown whole underneath.
    ...(label === field.label ? {} : { description: clip(field.label, FIELD_DESCRIPTION_LIMIT) }),
    component: {
      type: ComponentType.TextInput,
      custom_id: field.id,
      style: field.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: field.required,
      max_length: Math.min(field.maxLength, TEXT_INPUT_LIMIT),
      ...(field.placeholder ? { placeholder: clip(field.placeholder, PLACEHOLDER_LIMIT) } : {}),
    },
  };
}

/** Cuts at a word boundary where there is one, with an ellipsis. */
function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > limit / 2 ? cut.slice(0, space) : cut}…`;
}
