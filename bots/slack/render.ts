import type { types as slack } from '@slack/bolt';
import { parseLightFormat, type TextSegment } from '../../shared/core/light-format.js';
import {
  type Button,
  type Form,
  type FormField,
  type Mention,
  type OutboundMessage,
  renderMentions,
} from '../../shared/core/messenger.js';

/**
 * Core messages and forms -> Slack's native form: Block Kit sections with `mrkdwn` text, buttons in actions
 * blocks, forms as modals. The only file that knows Slack's markup.
 */

/** Slack refuses a section whose text is longer than this. */
export const SECTION_TEXT_LIMIT = 3000;
/** An actions block holds at most this many elements. */
const ACTIONS_PER_BLOCK = 25;
/** Button labels are cut by Slack beyond this length; cut them ourselves so the request stays valid. */
const BUTTON_LABEL_LIMIT = 75;
/** The characters each segment type's markup adds around its escaped text. */
const MARKUP_LENGTH: Readonly<Record<TextSegment['type'], number>> = {
  text: 0,
  bold: 2,
  italic: 2,
  code: 2,
  codeBlock: '```\n\n```'.length,
};

/** Modal titles and submit labels: Slack refuses longer ones. */
const MODAL_LABEL_LIMIT = 24;
/** An input block's label. */
const INPUT_LABEL_LIMIT = 2000;
/** A plain text input's placeholder. */
const PLACEHOLDER_LIMIT = 150;
/** The most a plain text input may be told to accept. */
export const PLAIN_TEXT_INPUT_LIMIT = 3000;

/** What a message is drawn as: a `mrkdwn` text fallback and its blocks. */
export interface SlackMessage {
  /** Plain fallback shown in notifications and by clients that cannot draw blocks. */
  readonly text: string;
  readonly blocks: (slack.SectionBlock | slack.ActionsBlock)[];
}

/**
 * A slash command acknowledgement, or a body for a `response_url`: ephemeral (only the member sees it) or
 * in the channel.
 */
export interface SlackResponse extends SlackMessage {
  readonly response_type: 'ephemeral' | 'in_channel';
}

/** Escapes the three characters Slack treats as control characters in any text it formats. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Light format (see light-format.ts) -> Slack mrkdwn. */
export function toMrkdwn(text: string): string {
  return parseLightFormat(text).map(segmentToMrkdwn).join('');
}

/** Light format -> text without markup (escaped), for the `text` fallback. */
export function toPlainText(text: string): string {
  return parseLightFormat(text)
    .map((segment) => escapeSlackText(segment.type === 'codeBlock' ? `\n${segment.text}\n` : segment.text))
    .join('');
}

/**
 * A message as Block Kit: its text in one or more mrkdwn sections (members' mentions as `<@U123>`), then
 * its buttons.
 */
export function renderBlocks(message: OutboundMessage): (slack.SectionBlock | slack.ActionsBlock)[] {
  const { text: source, restore } = mentionPlaceholders(message);
  const sections = packSections(parseLightFormat(source).flatMap(splitOverlong).map(segmentToMrkdwn));
  const blocks: (slack.SectionBlock | slack.ActionsBlock)[] = sections.map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: restore(text) },
  }));
  const buttons = message.buttons ?? [];
  for (let start = 0; start < buttons.length; start += ACTIONS_PER_BLOCK) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(start, start + ACTIONS_PER_BLOCK).map(renderButton),
    });
  }
  return blocks;
}

/** A message as `chat.postMessage` (and its kin) take it; the notification text mentions members too. */
export function renderMessage(message: OutboundMessage): SlackMessage {
  const { text, restore } = mentionPlaceholders(message);
  return { text: restore(toPlainText(text)), blocks: renderBlocks(message) };
}

/** A member's mention in Slack's markup: `<@U123>` notifies them and shows their current name. */
export function slackMention(mention: Mention): string {
  const { id } = mention.member;
  return /^[\w-]+$/.test(id) ? `<@${id}>` : escapeSlackText(id);
}

const PLACEHOLDER_START = '\uE000';
const PLACEHOLDER_FILL = '\uE001';
const PLACEHOLDER_END = '\uE002';
const PLACEHOLDER = /\uE000(\d+)\uE001*\uE002/g;

/**
 * The message's text with each `{@i}` token (messenger.ts) replaced by a placeholder exactly as long as the
 * mention it stands for, and how to put the mentions back once rendered. Mentions go in after escaping
 * (escaping would turn `<@U1>` into text), and the placeholder's length keeps the section packing honest:
 * a section filled to Slack's limit stays within it once its mentions are back. Private-use characters,
 * which neither the light format nor escaping touch.
 */
function mentionPlaceholders(message: OutboundMessage): {
  text: string;
  restore: (rendered: string) => string;
} {
  const { mentions } = message;
  if (!mentions?.length) return { text: message.text, restore: (rendered) => rendered };
  const rendered = mentions.map(slackMention);
  const text = renderMentions(message.text, mentions, (mention) => {
    const index = mentions.indexOf(mention);
    const fill = Math.max(0, (rendered[index]?.length ?? 0) - 2 - String(index).length);
    return `${PLACEHOLDER_START}${index}${PLACEHOLDER_FILL.repeat(fill)}${PLACEHOLDER_END}`;
  });
  return {
    text,
    restore: (done) => done.replace(PLACEHOLDER, (token, index: string) => rendered[Number(index)] ?? token),
  };
}

/** A message as a slash command acknowledgement or `response_url` body: private ones are ephemeral. */
export function renderResponse(
  message: OutboundMessage,
  visibility: 'private' | 'public' = 'private',
): SlackResponse {
  return { response_type: visibility === 'private' ? 'ephemeral' : 'in_channel', ...renderMessage(message) };
}

/** Slack refuses a home view of more blocks than this (Block Kit's surface limit). */
export const HOME_BLOCK_LIMIT = 100;

/**
 * A message as the member's App Home tab (`views.publish`): its blocks, cut to Slack's 100 with a last
 * section saying so, since a refused view would leave the member an empty tab instead.
 */
export function renderHome(message: OutboundMessage): slack.HomeView {
  const blocks = renderBlocks(message);
  if (blocks.length <= HOME_BLOCK_LIMIT) return { type: 'home', blocks };
  const cut: slack.SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: '_More than this page can show: cut here._' },
  };
  return { type: 'home', blocks: [...blocks.slice(0, HOME_BLOCK_LIMIT - 1), cut] };
}

/**
 * A form as a modal: `callback_id` routes the submission, each field a plain text input whose block and
 * action ids are the field's id. `privateMetadata` comes back with the submission (at most 3,000 characters).
 */
export function renderModal(form: Form, privateMetadata: string): slack.ModalView {
  return {
    type: 'modal',
    callback_id: form.formId,
    title: plainText(form.title, MODAL_LABEL_LIMIT),
    submit: plainText(form.submitLabel, MODAL_LABEL_LIMIT),
    close: plainText('Cancel', MODAL_LABEL_LIMIT),
    private_metadata: privateMetadata,
    blocks: form.fields.map(renderField),
  };
}

function renderField(field: FormField): slack.InputBlock {
  return {
    type: 'input',
    block_id: field.id,
    optional: !field.required,
    label: plainText(field.label, INPUT_LABEL_LIMIT),
    element: {
      type: 'plain_text_input',
      action_id: field.id,
      multiline: field.style === 'paragraph',
      max_length: Math.min(field.maxLength, PLAIN_TEXT_INPUT_LIMIT),
      ...(field.placeholder ? { placeholder: plainText(field.placeholder, PLACEHOLDER_LIMIT) } : {}),
    },
  };
}

/** Plain text, cut to what Slack accepts there (never inside a surrogate pair). */
function plainText(text: string, limit: number): slack.PlainTextElement {
  const characters = [...text];
  const fitted = characters.length > limit ? `${characters.slice(0, limit - 1).join('')}…` : text;
  return { type: 'plain_text', text: fitted, emoji: true };
}

function renderButton(button: Button): slack.Button {
  return {
    type: 'button',
    action_id: button.actionId,
    text: { type: 'plain_text', text: button.label.slice(0, BUTTON_LABEL_LIMIT), emoji: true },
    ...(button.value !== undefined ? { value: button.value } : {}),
  };
}

function segmentToMrkdwn(segment: TextSegment): string {
  const text = escapeSlackText(segment.text);
  switch (segment.type) {
    case 'text':
      return text;
    case 'bold':
      return `*${text}*`;
    case 'italic':
      return `_${text}_`;
    case 'code':
      return `\`${text}\``;
    case 'codeBlock':
      return `\`\`\`\n${text}\n\`\`\``;
  }
}

/**
 * Splits a segment whose rendered form would not fit one section into pieces that do, measured by the real
 * escaped length. A code block is cut between lines (each piece is a code block of whole lines), other text
 * after whitespace; only a single line or word longer than a section is cut inside, between characters.
 */
function splitOverlong(segment: TextSegment): TextSegment[] {
  const budget = SECTION_TEXT_LIMIT - MARKUP_LENGTH[segment.type];
  if (escapedLength(segment.text) <= budget) return [segment];
  const isBlock = segment.type === 'codeBlock';
  // Lines lose the newline between them when they land in different blocks; words keep their whitespace.
  const units = isBlock ? segment.text.split('\n') : segment.text.split(/(?<=\s)/);
  const separator = isBlock ? '\n' : '';
  const pieces: string[] = [];
  let current: string | undefined;
  let length = 0;
  for (const unit of units.flatMap((whole) => cutToFit(whole, budget))) {
    const unitLength = escapedLength(unit);
    if (current !== undefined && length + separator.length + unitLength <= budget) {
      current = `${current}${separator}${unit}`;
      length += separator.length + unitLength;
    } else {
      if (current !== undefined) pieces.push(current);
      current = unit;
      length = unitLength;
    }
  }
  if (current !== undefined) pieces.push(current);
  return pieces.map((text) => ({ type: segment.type, text }));
}

/** A line or word longer than `budget` once escaped, cut between code points (never inside a surrogate pair). */
function cutToFit(text: string, budget: number): string[] {
  if (escapedLength(text) <= budget) return [text];
  const pieces: string[] = [];
  let current = '';
  let length = 0;
  for (const character of text) {
    const added = escapedLength(character);
    if (length + added > budget) {
      pieces.push(current);
      current = '';
      length = 0;
    }
    current += character;
    length += added;
  }
  pieces.push(current);
  return pieces;
}

function escapedLength(text: string): number {
  return escapeSlackText(text).length;
}

/** Joins rendered segments into as few sections as fit, never cutting one segment's markup in two. */
function packSections(rendered: readonly string[]): string[] {
  const sections: string[] = [];
  let current = '';
  for (const piece of rendered) {
    if (current && current.length + piece.length > SECTION_TEXT_LIMIT) {
      sections.push(current);
      current = '';
    }
    current += piece;
  }
  if (current) sections.push(current);
  return sections;
}
