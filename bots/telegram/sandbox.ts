import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import {
  describeButton,
  type PlatformSandbox,
  pressString,
  readPressString,
  type SandboxAction,
  type SignedRequest,
} from '../../shared/platform/sandbox.js';
import { METHOD_PATH, type Payload, plainText, sentMessageId, startFakeBotApi } from './fake-bot-api.js';
import { splitCallbackData } from './parse.js';
import { callbackData } from './render.js';
import {
  DEFAULT_SPACE,
  describeSandboxUser,
  sandboxHash as hash,
  hasStartedBot,
  markUserStarted,
  PRIVATE_CHANNEL,
  SANDBOX_BOT_TOKEN,
  SANDBOX_BOT_USER,
  SANDBOX_BOT_USERNAME,
  SANDBOX_SECRET_TOKEN,
  sandboxChatId,
  sandboxGroupTitle,
  sandboxUserId,
} from './sandbox-ids.js';

export { SANDBOX_ADMINISTRATORS, sandboxMessageId } from './fake-bot-api.js';
export {
  CANNOT_INITIATE,
  isSandboxStranger,
  markSandboxStarted,
  SANDBOX_BOT_TOKEN,
  SANDBOX_BOT_USERNAME,
  SANDBOX_SECRET_TOKEN,
  sandboxChatId,
  sandboxGroupOf,
  sandboxModeratorName,
  sandboxUserId,
} from './sandbox-ids.js';

/** Numeric message ids are kept (so `--reply-to 42` means 42); others are hashed into Telegram's range. */
function messageNumber(messageId: string): number {
  const number = Number(messageId);
  return Number.isSafeInteger(number) && number > 0 && number < 2 ** 31 ? number : hash(messageId) % 2 ** 31;
}

function userOf(name: string): User {
  return { id: sandboxUserId(name), is_bot: false, first_name: name, language_code: 'en' };
}

/** A channel is a supergroup of the action's space; `dm` is the member's private chat with the bot. */
function chatOf(channel: string, user: string, space?: string): Chat {
  if (channel === PRIVATE_CHANNEL) return { id: sandboxUserId(user), type: 'private', first_name: user };
  const id = sandboxChatId(channel, user, space);
  return { id, type: 'supergroup', title: sandboxGroupTitle(id) ?? channel };
}

/**
 * The update Telegram would send for `action`. The update id comes from the action and its `messageId`
 * (or, for actions without one, the instant), so signing the same action again is a redelivery.
 */
export function sandboxUpdate(action: SandboxAction, now: Date): Update {
  // The first space's updates keep the ids they had before there were others.
  const { space, ...activity } = action;
  const named = space === undefined || space.toLowerCase() === DEFAULT_SPACE ? activity : action;
  // A press is new each time (Telegram gives every press its own query), even on the same message.
  const redelivery = named.kind !== 'press' && 'messageId' in named && named.messageId;
  const identity = redelivery ? named : { ...named, at: now.toISOString() };
  const update_id = hash(`update:${JSON.stringify(identity)}`);
  const date = Math.floor(now.getTime() / 1000);
  const chat = chatOf(action.channel, action.user, action.space);
  const from = userOf(action.user);
  switch (action.kind) {
    // The grammy types narrow `message` per chat type; these builders produce plain Bot API objects.
    case 'message':
      return { update_id, message: messageOf(action, chat, from, date, now) } as Update;
    case 'command':
      return { update_id, message: commandOf(action.text, chat, from, date, update_id) } as Update;
    case 'reaction': {
      const reaction = {
        chat,
        message_id: messageNumber(action.messageId),
        user: from,
        date,
        old_reaction: [],
        new_reaction: [{ type: 'emoji', emoji: action.emoji }],
      };
      return { update_id, message_reaction: reaction } as Update;
    }
    case 'join':
      return {
        update_id,
        chat_member: {
          chat,
          from,
          date,
          old_chat_member: { status: 'left', user: from },
          new_chat_member: { status: 'member', user: from },
        },
      };
    case 'press': {
      // One press, one query id: the same delivery again (the same press at the same instant) keeps it.
      const press = { user: action.user, data: pressData(action), queryId: `sandbox-query-${update_id}` };
      const messageId = messageNumber(action.messageId ?? `press:${JSON.stringify(identity)}`);
      return { update_id, callback_query: callbackQueryOf({ ...press, chat, messageId }, date) };
    }
  }
}

/**
 * A press's `callback_data`, encoded as render.ts encodes a button's. The action id may name the group a
 * private answer was given for (`feedback.read@-100…`, as the describe line printed it): it stays named.
 */
function pressData(action: Extract<SandboxAction, { kind: 'press' }>): string {
  const { actionId, value, group } = splitCallbackData(pressString(action));
  return callbackData({ actionId, label: '', ...(value === undefined ? {} : { value }) }, group);
}

function messageOf(
  action: Extract<SandboxAction, { kind: 'message' }>,
  chat: Chat,
  from: User,
  date: number,
  now: Date,
): Message {
  const message_id = messageNumber(action.messageId ?? `${now.toISOString()}:${action.text}`);
  const base = { message_id, from, chat, date, text: action.text };
  if (!action.threadOf) return base as Message;
  const repliedTo = { message_id: messageNumber(action.threadOf), chat, date, text: '…' };
  return { ...base, reply_to_message: repliedTo } as Message;
}

/**
 * `stats` and `/community stats` both work; the command is marked with a bot_command entity. `@name` after
 * it is a member picked from the list that opens as you type @: sandbox members have no username, so
 * Telegram writes their name and attaches them as a `text_mention`.
 */
function commandOf(text: string, chat: Chat, from: User, date: number, updateId: number): Message {
  const typed = text.trim().startsWith('/') ? text.trim() : `/community ${text.trim()}`;
  const length = typed.split(/\s/)[0]?.length ?? 0;
  const { text: written, mentions } = pickMentions(typed, length);
  return {
    message_id: updateId % 2 ** 31,
    from,
    chat,
    date,
    text: written,
    entities: [{ type: 'bot_command', offset: 0, length }, ...mentions],
  } as Message;
}

const MENTION = /(?<=\s)@([a-z0-9_-]+)(?=\s|$)/gi;

/** Each `@name` after the command word becomes the name, with a text mention of that sandbox member. */
function pickMentions(text: string, from: number): { text: string; mentions: MessageEntity[] } {
  const mentions: MessageEntity[] = [];
  let written = text.slice(0, from);
  let last = from;
  for (const match of text.slice(from).matchAll(MENTION)) {
    const name = match[1] ?? '';
    const at = from + (match.index ?? 0);
    written += text.slice(last, at);
    mentions.push({ type: 'text_mention', offset: written.length, length: name.length, user: userOf(name) });
    written += name;
    last = at + match[0].length;
  }
  return { text: written + text.slice(last), mentions };
}

/** A press on a button of a message the bot sent (`chatId`, `messageId` from its sendMessage result). */
export interface SandboxPress {
  readonly user: string;
  readonly chatId: number;
  readonly messageId: number;
  /** The button's `callback_data`. */
  readonly data: string;
  /** Telegram's id for this press; the same press delivered again keeps it (and its update id). */
  readonly queryId: string;
}

/** The `callback_query` update Telegram sends for `press`, signed like every sandbox delivery. */
export function signPress(press: SandboxPress, now = new Date()): SignedRequest {
  const chat: Chat =
    press.chatId > 0
      ? { id: press.chatId, type: 'private', first_name: describeSandboxUser(press.chatId).name ?? 'member' }
      : { id: press.chatId, type: 'supergroup', title: sandboxGroupTitle(press.chatId) ?? 'group' };
  const update: Update = {
    update_id: hash(`press:${press.queryId}`),
    callback_query: callbackQueryOf({ ...press, chat }, Math.floor(now.getTime() / 1000)),
  };
  return signedBody(JSON.stringify(update));
}

/** A press by `user` on the bot's message `messageId` in `chat`: Telegram's CallbackQuery object. */
function callbackQueryOf(
  press: Omit<SandboxPress, 'chatId'> & { readonly chat: Chat },
  date: number,
): Update['callback_query'] {
  return {
    id: press.queryId,
    from: userOf(press.user),
    message: { message_id: press.messageId, from: SANDBOX_BOT_USER, chat: press.chat, date },
    chat_instance: String(hash(`chat:${press.chat.id}`)),
    data: press.data,
  } as Update['callback_query'];
}

function signedBody(body: string): SignedRequest {
  return {
    path: '/telegram/webhook',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SANDBOX_SECRET_TOKEN },
    body,
  };
}

/** `privately to alice` or `in #general`. */
function placeOf(chatId: number): string {
  if (chatId > 0) return `privately to ${describeSandboxUser(chatId).name ?? `user ${chatId}`}`;
  return `in #${sandboxGroupTitle(chatId) ?? chatId}`;
}

/**
 * The message's buttons, each with what `npm run say` takes to press it: its `callback_data` as the press
 * string (render.ts wrote `<actionId>[@<group>][:<value>]`), and the message's id, which the press must
 * name so that the bot can edit that message.
 */
function buttonsOf(payload: Payload, messageId: number | undefined): string {
  const keyboard = (
    payload.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined
  )?.inline_keyboard;
  const id = messageId === undefined ? undefined : String(messageId);
  return (keyboard ?? [])
    .flat()
    .map((button) => ` ${describeButton(button.text, readPressString(button.callback_data ?? ''), id)}`)
    .join('');
}

function describeSend(request: ReceivedRequest, payload: Payload): string {
  const chatId = Number(payload.chat_id);
  const person = describeSandboxUser(chatId);
  const label = person.name ?? `user ${chatId}`;
  if (chatId > 0 && !hasStartedBot(chatId)) {
    return `tried to write to ${label} privately (refused: they never started the bot)`;
  }
  const replyTo = (payload.reply_parameters as { message_id?: number } | undefined)?.message_id;
  const reply = replyTo === undefined ? '' : ` (replying to message ${replyTo})`;
  const text = plainText(String(payload.text ?? ''));
  return `${placeOf(chatId)}${reply}: ${text}${buttonsOf(payload, sentMessageId(request))}`;
}

/**
 * What Telegram itself learns from a delivery, for the fake Bot API of this process: a message in a private
 * chat means its sender pressed Start, so the bot may write to them from now on. `sign` notes its own
 * deliveries; a runner that receives deliveries signed elsewhere (`npm run say` in another process) notes
 * them before handing them to the bot.
 */
export function noteDelivery(body: string): void {
  let update: Partial<Update>;
  try {
    update = JSON.parse(body) as Partial<Update>;
  } catch {
    return;
  }
  const message = update?.message;
  if (message?.chat?.type === 'private' && typeof message.from?.id === 'number') {
    markUserStarted(message.from.id);
  }
}

/** Telegram in the sandbox: updates with the secret token header in, a fake Bot API out. */
export const telegramSandbox: PlatformSandbox & { readonly noteDelivery: (body: string) => void } = {
  platform: 'telegram',
  path: '/telegram/webhook',
  env: (apiUrl) => ({
    TELEGRAM_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    TELEGRAM_SECRET_TOKEN: SANDBOX_SECRET_TOKEN,
    TELEGRAM_BOT_USERNAME: SANDBOX_BOT_USERNAME,
    TELEGRAM_API_ROOT: apiUrl,
  }),
  startFakeApi: (options = {}) => startFakeBotApi(options),
  describe(request) {
    const method = METHOD_PATH.exec(request.path)?.[2];
    const payload = (request.payload ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'sendMessage':
        return describeSend(request, payload);
      case 'answerCallbackQuery':
        return payload.text === undefined
          ? 'acknowledged a button press'
          : `answered a button press with an alert to the presser: ${String(payload.text)}`;
      case 'editMessageText':
        return `edited message ${String(payload.message_id)} ${placeOf(Number(payload.chat_id))}: ${plainText(String(payload.text ?? ''))}${buttonsOf(payload, Number(payload.message_id))}`;
      case 'deleteMessage':
        return `deleted message ${String(payload.message_id)} ${placeOf(Number(payload.chat_id))}`;
      case 'setWebhook':
        return `set the webhook to ${String(payload.url)}`;
      default:
        return undefined;
    }
  },
  noteDelivery,
  sign(action, now = new Date()): SignedRequest {
    const body = JSON.stringify(sandboxUpdate(action, now));
    noteDelivery(body);
    return signedBody(body);
  },
};
