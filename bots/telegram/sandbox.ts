import { createHash } from 'node:crypto';
import type { Chat, Message, Update, User } from 'grammy/types';
import {
  type FakeResponse,
  type ReceivedRequest,
  startFakeServer,
} from '../../shared/platform/fake-server.js';
import {
  isSandboxModerator,
  type PlatformSandbox,
  type SandboxAction,
  type SignedRequest,
} from '../../shared/platform/sandbox.js';

/*
 * TEST ONLY. Fixed credentials for the sandbox, the tests and the bench. The fake Bot API accepts only this
 * token; they protect nothing: never use them with a real bot.
 */
/** Sandbox bot token (TELEGRAM_BOT_TOKEN); the bot's id is the part before `:`. Test only. */
export const SANDBOX_BOT_TOKEN = '7000000001:sandbox-telegram-bot-token-test-only';
/** Sandbox webhook secret (TELEGRAM_SECRET_TOKEN), sent in X-Telegram-Bot-Api-Secret-Token. Test only. */
export const SANDBOX_SECRET_TOKEN = 'sandbox-telegram-secret-token';
/** Sandbox bot username (TELEGRAM_BOT_USERNAME). */
export const SANDBOX_BOT_USERNAME = 'community_sandbox_bot';
/** Telegram's answer when a bot writes first to someone who never started it. */
export const CANNOT_INITIATE = "Forbidden: bot can't initiate conversation with a user";

const BOT_USER: User = {
  id: Number(SANDBOX_BOT_TOKEN.split(':')[0]),
  is_bot: true,
  first_name: 'Community',
  username: SANDBOX_BOT_USERNAME,
};

/*
 * Ids carry what the fake API must know, because `npm run say` signs in another process than the one the
 * fake runs in: a user id is `<role> * 10^15 + <name code>`, a group id `-(10^15 + <name code>)`. Names of
 * up to 9 characters of [a-z0-9_-] are coded reversibly (so replies can name them), longer ones hashed.
 */
const ROLES = ['member', 'moderator', 'stranger'] as const;
type Role = (typeof ROLES)[number];
const ROLE_UNIT = 1e15;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789_-';
const BASE = ALPHABET.length + 1;
const CODED_LIMIT = BASE ** 9;
const PRIVATE_CHANNEL = 'dm';

/** Sandbox names starting with `stranger` never started the bot, so it cannot write to them first. */
export function isSandboxStranger(user: string): boolean {
  return user.toLowerCase().startsWith('stranger');
}

function roleOf(user: string): Role {
  if (isSandboxModerator(user)) return 'moderator';
  return isSandboxStranger(user) ? 'stranger' : 'member';
}

function nameCode(name: string): number {
  const lower = name.toLowerCase();
  let code = 0;
  for (const char of lower) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0 || lower.length > 9) return CODED_LIMIT + (hash(`name:${lower}`) % (4 * 1e14));
    code = code * BASE + digit + 1;
  }
  return code;
}

function nameOf(code: number): string | undefined {
  if (code <= 0 || code >= CODED_LIMIT) return undefined;
  let name = '';
  for (let rest = code; rest > 0; rest = Math.floor(rest / BASE)) name = ALPHABET[(rest % BASE) - 1] + name;
  return name;
}

/** The Telegram user id of a sandbox member. */
export function sandboxUserId(user: string): number {
  return (ROLES.indexOf(roleOf(user)) + 1) * ROLE_UNIT + nameCode(user);
}

/** The chat id of a sandbox channel: a supergroup, or for `dm` the member's private chat with the bot. */
export function sandboxChatId(channel: string, user: string): number {
  return channel === PRIVATE_CHANNEL ? sandboxUserId(user) : -(ROLE_UNIT + nameCode(channel));
}

function describeUser(id: number): { role: Role; name: string | undefined } {
  const role = ROLES[Math.floor(id / ROLE_UNIT) - 1] ?? 'member';
  return { role, name: nameOf(id % ROLE_UNIT) };
}

/** A 48-bit hash: ids that must not collide across a bench run. */
function hash(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}

/** Numeric message ids are kept (so `--reply-to 42` means 42); others are hashed into Telegram's range. */
function messageNumber(messageId: string): number {
  const number = Number(messageId);
  return Number.isSafeInteger(number) && number > 0 && number < 2 ** 31 ? number : hash(messageId) % 2 ** 31;
}

function userOf(name: string): User {
  return { id: sandboxUserId(name), is_bot: false, first_name: name, language_code: 'en' };
}

function chatOf(channel: string, user: string): Chat {
  if (channel === PRIVATE_CHANNEL) return { id: sandboxUserId(user), type: 'private', first_name: user };
  return { id: sandboxChatId(channel, user), type: 'supergroup', title: channel };
}

/**
 * The update Telegram would send for `action`. The update id comes from the action and its `messageId`
 * (or, for actions without one, the instant), so signing the same action again is a redelivery.
 */
export function sandboxUpdate(action: SandboxAction, now: Date): Update {
  const identity = 'messageId' in action && action.messageId ? action : { ...action, at: now.toISOString() };
  const update_id = hash(`update:${JSON.stringify(identity)}`);
  const date = Math.floor(now.getTime() / 1000);
  const chat = chatOf(action.channel, action.user);
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
  }
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

/** `stats` and `/community stats` both work; the command is marked with a bot_command entity. */
function commandOf(text: string, chat: Chat, from: User, date: number, updateId: number): Message {
  const command = text.trim().startsWith('/') ? text.trim() : `/community ${text.trim()}`;
  const length = command.split(/\s/)[0]?.length ?? 0;
  return {
    message_id: updateId % 2 ** 31,
    from,
    chat,
    date,
    text: command,
    entities: [{ type: 'bot_command', offset: 0, length }],
  } as Message;
}

const METHOD_PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;

function fail(status: number, description: string): FakeResponse {
  return { status, body: { ok: false, error_code: status, description } };
}

/** The Bot API methods the bot calls, answering with the documented result objects. */
function createRoute() {
  let nextMessageId = 1;
  return (request: ReceivedRequest): FakeResponse => {
    const [, token, method] = METHOD_PATH.exec(request.path) ?? [];
    if (!method) return fail(404, 'Not Found');
    if (token !== SANDBOX_BOT_TOKEN) return fail(401, 'Unauthorized');
    const payload = (request.payload ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'getMe':
        return { body: { ok: true, result: { ...BOT_USER, can_join_groups: true } } };
      case 'sendMessage':
        return sentMessage(payload, nextMessageId++);
      case 'getChatMember':
        return { body: { ok: true, result: chatMember(Number(payload.user_id)) } };
      case 'answerCallbackQuery':
      case 'deleteWebhook':
        return { body: { ok: true, result: true } };
      case 'setWebhook':
        return { body: { ok: true, result: true, description: 'Webhook was set' } };
      default:
        return fail(404, 'Not Found: method not found');
    }
  };
}

function sentMessage(payload: Record<string, unknown>, messageId: number): FakeResponse {
  const chatId = Number(payload.chat_id);
  const person = describeUser(chatId);
  if (chatId > 0 && person.role === 'stranger') return fail(403, CANNOT_INITIATE);
  const chat =
    chatId > 0
      ? { id: chatId, type: 'private', first_name: person.name ?? 'member' }
      : { id: chatId, type: 'supergroup', title: nameOf(-chatId - ROLE_UNIT) ?? 'group' };
  const text = plainText(String(payload.text ?? ''));
  const result = { message_id: messageId, from: BOT_USER, chat, date: Math.floor(Date.now() / 1000), text };
  return { body: { ok: true, result } };
}

function chatMember(userId: number) {
  const { role, name } = describeUser(userId);
  const user = { id: userId, is_bot: false, first_name: name ?? 'member' };
  if (role !== 'moderator') return { status: 'member', user };
  return {
    status: 'administrator',
    user,
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: true,
    can_manage_video_chats: true,
    can_restrict_members: true,
    can_promote_members: false,
    can_change_info: true,
    can_invite_users: true,
    can_post_stories: false,
    can_edit_stories: false,
    can_delete_stories: false,
    can_pin_messages: true,
  };
}

/** Telegram HTML as the text a member sees. */
function plainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function describeSend(payload: Record<string, unknown>): string {
  const chatId = Number(payload.chat_id);
  const person = describeUser(chatId);
  const label = person.name ?? `user ${chatId}`;
  if (chatId > 0 && person.role === 'stranger') {
    return `tried to write to ${label} privately (refused: they never started the bot)`;
  }
  const where = chatId > 0 ? `privately to ${label}` : `in #${nameOf(-chatId - ROLE_UNIT) ?? chatId}`;
  const replyTo = (payload.reply_parameters as { message_id?: number } | undefined)?.message_id;
  const buttons = (
    payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined
  )?.inline_keyboard
    ?.flat()
    .map((button) => ` [${button.text}]`)
    .join('');
  const reply = replyTo === undefined ? '' : ` (replying to message ${replyTo})`;
  return `${where}${reply}: ${plainText(String(payload.text ?? ''))}${buttons ?? ''}`;
}

/** Telegram in the sandbox: updates with the secret token header in, a fake Bot API out. */
export const telegramSandbox: PlatformSandbox = {
  platform: 'telegram',
  path: '/telegram/webhook',
  env: (apiUrl) => ({
    TELEGRAM_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    TELEGRAM_SECRET_TOKEN: SANDBOX_SECRET_TOKEN,
    TELEGRAM_BOT_USERNAME: SANDBOX_BOT_USERNAME,
    TELEGRAM_API_ROOT: apiUrl,
  }),
  startFakeApi: (options = {}) => startFakeServer('telegram', createRoute(), options),
  describe(request) {
    const method = METHOD_PATH.exec(request.path)?.[2];
    const payload = (request.payload ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'sendMessage':
        return describeSend(payload);
      case 'answerCallbackQuery':
        return 'acknowledged a button press';
      case 'setWebhook':
        return `set the webhook to ${String(payload.url)}`;
      default:
        return undefined;
    }
  },
  sign(action, now = new Date()): SignedRequest {
    const body = JSON.stringify(sandboxUpdate(action, now));
    return {
      path: telegramSandbox.path,
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': SANDBOX_SECRET_TOKEN,
      },
      body,
    };
  },
};
