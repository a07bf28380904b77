import type { BotCommand, BotCommandScope } from 'grammy/types';
import {
  type FakeClock,
  type FaultPlan,
  realClock,
  type Violation,
} from '../../shared/platform/fake-limits.js';
import type { FakeResponse, FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import { startFakeServer } from '../../shared/platform/fake-server.js';
import { createSendGate, faultAnswer } from './fake-bot-limits.js';
import {
  createFakeUpdates,
  type FakeUpdate,
  type FakeUpdatesOptions,
  type FakeWebhook,
} from './fake-bot-updates.js';
import {
  CANNOT_INITIATE,
  describeSandboxUser,
  hasStartedBot,
  isSandboxAdministrator,
  SANDBOX_BOT_TOKEN,
  SANDBOX_BOT_USER,
  sandboxGroupTitle,
  sandboxModeratorName,
  sandboxSpaceOf,
  sandboxUserId,
} from './sandbox-ids.js';

/**
 * The Bot API as the sandbox and the tests meet it: the methods the bot calls, answered with the documented
 * result objects and errors, and the documented limits Telegram enforces where they are cheap to check. It
 * remembers the messages the bot sent, so edits and deletes are checked as Telegram checks them, and keeps
 * every message it delivered per chat, so a test can tell "posted twice" and "never posted" from its own
 * records. Under load it counts Telegram's send limits and can misbehave on purpose (fake-bot-limits.ts).
 */

/** How the fake behaves under load (the outbox's tests and the bench), and how long its getUpdates waits. */
export interface FakeBotApiOptions extends FakeUpdatesOptions {
  readonly port?: number;
  readonly onRequest?: (request: ReceivedRequest, response: FakeResponse) => void;
  /** The clock limits are counted on and message dates are stamped with (default: real time). */
  readonly clock?: FakeClock;
  /** Seeded faults: each sendMessage rolls the dice once. */
  readonly faults?: FaultPlan;
  /** Answer a sendMessage over a documented limit 429 (otherwise it is delivered and only counted). */
  readonly strictLimits?: boolean;
}

/** A message the fake delivered: what the chat's members saw. */
export interface DeliveredMessage {
  readonly chatId: number;
  readonly messageId: number;
  /** The forum topic it went to, if any. */
  readonly topicId?: number;
  /** As the member reads it (HTML removed). */
  readonly text: string;
  /** As the bot sent it (Telegram HTML): links, such as mentions, show here. */
  readonly html: string;
  /** When it was delivered, on the fake's clock. */
  readonly at: number;
}

/** The fake Bot API and what it observed. */
export interface FakeBotApi extends FakeServer {
  /** Every sendMessage past a documented limit, strict or not. */
  readonly violations: readonly Violation[];
  /** Every message delivered (including the ones whose answer was then lost), per chat, in order. */
  readonly delivered: ReadonlyMap<number, readonly DeliveredMessage[]>;
  /** The bot is removed from a group: Telegram refuses its sends there from now on (403). */
  removeBot(chatId: number): void;
  /** An update for getUpdates to serve; its update_id must be above the ones pushed before, as Telegram's are. */
  pushUpdate(update: FakeUpdate): void;
  /** The updates no getUpdates has confirmed yet (by an offset past them), oldest first. */
  pendingUpdates(): readonly FakeUpdate[];
  /** The webhook setWebhook set, until deleteWebhook (or an empty URL) removes it. */
  webhook(): FakeWebhook | undefined;
  /** The menu setMyCommands set for a scope (the default scope when omitted), if any. */
  commands(scope?: BotCommandScope): readonly BotCommand[] | undefined;
}

/** Telegram's refusal to a bot that was removed from a supergroup. */
export const BOT_KICKED = 'Forbidden: bot was kicked from the supergroup chat';

/** `/bot<token>/<method>`: how grammY calls the Bot API. */
export const METHOD_PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;

/** Documented limits the fake enforces, as Telegram does (sendMessage, InlineKeyboardButton, answerCallbackQuery). */
const TEXT_LIMIT = 4096;
const CALLBACK_DATA_BYTES = 64;
const ALERT_LIMIT = 200;
const QUERY_INVALID = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function fail(status: number, description: string): FakeResponse {
  return { status, body: { ok: false, error_code: status, description } };
}

function ok(result: unknown): FakeResponse {
  return { body: { ok: true, result } };
}

export type Payload = Record<string, unknown>;

/** What the fake remembers of a message the bot sent, so edits and deletes are checked like Telegram's. */
interface KeptMessage {
  readonly text: string;
  readonly markup: string;
}

/**
 * The id the fake gives a message the bot sends: the position (from 1) of the sendMessage request among
 * every request that fake received, so a test reads it from `api.requests` (the fake keeps no answers).
 */
export function sandboxMessageId(requestIndex: number): number {
  return requestIndex + 1;
}

/**
 * The id each sendMessage the fake accepted gave its message, by request: what a `describe` line prints, so
 * a sandbox member can press that message's buttons (`npm run say -- --press ... --id <id>`).
 */
const sentMessageIds = new WeakMap<ReceivedRequest, number>();

/** The id of the message a sendMessage request created, if the fake accepted it. */
export function sentMessageId(request: ReceivedRequest): number | undefined {
  return sentMessageIds.get(request);
}

/** The Bot API methods the bot calls, answering with the documented result objects. */
function createRoute(options: FakeBotApiOptions) {
  const clock = options.clock ?? realClock;
  const gate = createSendGate({ ...options, clock });
  const delivered = new Map<number, DeliveredMessage[]>();
  const removedFrom = new Set<number>();
  // fake-server.ts logs each request just before routing it, so this counts up with `requests`.
  let received = 0;
  const messages = new Map<string, KeptMessage>();
  const answeredQueries = new Set<string>();
  const updates = createFakeUpdates(options);
  const keyOf = (payload: Payload) => `${Number(payload.chat_id)}:${Number(payload.message_id)}`;

  /**
   * A sendMessage: the dice first (a fault that does not act answers at once), then what Telegram checks
   * (content, a private chat never started), then the limits; delivered, it may still lose its answer.
   */
  const sendMessage = (request: ReceivedRequest, payload: Payload, messageId: number): FakeResponse => {
    const fault = gate.roll();
    const faulted = faultAnswer(fault);
    if (faulted) return faulted;
    const problem = contentProblem(payload);
    if (problem) return fail(400, problem);
    const chatId = Number(payload.chat_id);
    if (chatId > 0 && !hasStartedBot(chatId)) return fail(403, CANNOT_INITIATE);
    if (removedFrom.has(chatId)) return fail(403, BOT_KICKED);
    const limited = gate.admit(chatId);
    if (limited) return limited;
    const message = messageResult(payload, messageId, clock());
    messages.set(`${chatId}:${message.message_id}`, kept(payload));
    sentMessageIds.set(request, message.message_id);
    const html = String(payload.text ?? '');
    const topic = payload.message_thread_id;
    const record: DeliveredMessage = {
      chatId,
      messageId: message.message_id,
      ...(topic === undefined ? {} : { topicId: Number(topic) }),
      text: plainText(html),
      html,
      at: clock(),
    };
    delivered.set(chatId, [...(delivered.get(chatId) ?? []), record]);
    // Telegram acted, then the answer was lost: the bot cannot tell this from a call that never arrived.
    return fault === 'timeout_after' ? { drop: true } : ok(message);
  };

  const route = (request: ReceivedRequest): FakeResponse | Promise<FakeResponse> => {
    const messageId = sandboxMessageId(received++);
    const [, token, method] = METHOD_PATH.exec(request.path) ?? [];
    if (!method) return fail(404, 'Not Found');
    if (token !== SANDBOX_BOT_TOKEN) return fail(401, 'Unauthorized');
    const payload = (request.payload ?? {}) as Payload;
    switch (method) {
      case 'getMe':
        return ok({ ...SANDBOX_BOT_USER, can_join_groups: true });
      case 'sendMessage':
        return sendMessage(request, payload, messageId);
      case 'editMessageText': {
        const problem = contentProblem(payload);
        if (problem) return fail(400, problem);
        const before = messages.get(keyOf(payload));
        if (!before) return fail(400, 'Bad Request: message to edit not found');
        const after = kept(payload);
        if (after.text === before.text && after.markup === before.markup) return fail(400, NOT_MODIFIED);
        messages.set(keyOf(payload), after);
        return ok(messageResult(payload, Number(payload.message_id), clock()));
      }
      case 'deleteMessage':
        if (!messages.delete(keyOf(payload))) return fail(400, 'Bad Request: message to delete not found');
        return ok(true);
      case 'answerCallbackQuery': {
        const id = String(payload.callback_query_id ?? '');
        if (String(payload.text ?? '').length > ALERT_LIMIT)
          return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
        // Telegram takes one answer per query.
        if (!id || answeredQueries.has(id)) return fail(400, QUERY_INVALID);
        answeredQueries.add(id);
        return ok(true);
      }
      case 'getChatMember':
        return ok(chatMember(Number(payload.user_id), Number(payload.chat_id)));
      case 'getChatAdministrators':
        if (Number(payload.chat_id) > 0) {
          return fail(400, 'Bad Request: there are no administrators in the private chat');
        }
        return ok(administrators(Number(payload.chat_id)));
      case 'sendChatAction':
        return ok(true);
      case 'setWebhook':
        return updates.setWebhook(payload);
      case 'deleteWebhook':
        return updates.deleteWebhook(payload);
      case 'getUpdates':
        return updates.getUpdates(payload);
      case 'setMyCommands':
        return updates.setMyCommands(payload);
      case 'getMyCommands':
        return updates.getMyCommands(payload);
      default:
        return fail(404, 'Not Found: method not found');
    }
  };
  return {
    route,
    violations: gate.violations,
    delivered,
    removeBot: (chatId: number) => removedFrom.add(chatId),
    updates,
  };
}

/** Why Telegram would refuse this text or keyboard, if it would. */
function contentProblem(payload: Payload): string | undefined {
  const text = plainText(String(payload.text ?? ''));
  if (!text.trim()) return 'Bad Request: message text is empty';
  if (text.length > TEXT_LIMIT) return 'Bad Request: message is too long';
  const buttons = (payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)
    ?.inline_keyboard;
  const data = buttons?.flat().map((button) => button.callback_data ?? '') ?? [];
  if (data.some((value) => value.length === 0 || Buffer.byteLength(value) > CALLBACK_DATA_BYTES)) {
    return 'Bad Request: BUTTON_DATA_INVALID';
  }
  return undefined;
}

function kept(payload: Payload): KeptMessage {
  return {
    text: plainText(String(payload.text ?? '')),
    markup: JSON.stringify(payload.reply_markup ?? null),
  };
}

function messageResult(payload: Payload, messageId: number, at: number) {
  const chatId = Number(payload.chat_id);
  const person = describeSandboxUser(chatId);
  const chat =
    chatId > 0
      ? { id: chatId, type: 'private', first_name: person.name ?? 'member' }
      : { id: chatId, type: 'supergroup', title: sandboxGroupTitle(chatId) ?? 'group' };
  const topic = payload.message_thread_id;
  return {
    message_id: messageId,
    from: SANDBOX_BOT_USER,
    chat,
    date: Math.floor(at / 1000),
    text: plainText(String(payload.text ?? '')),
    ...(topic === undefined ? {} : { message_thread_id: Number(topic), is_topic_message: true }),
    ...(payload.reply_markup === undefined ? {} : { reply_markup: payload.reply_markup }),
  };
}

/**
 * Every group of a space has the same administrators: modann (creator), modsam and the bot itself in the
 * first space, `modann-b` and `modsam-b` in space `b`, and so on (sandbox-ids.ts, isSandboxAdministrator).
 */
export const SANDBOX_ADMINISTRATORS = ['modann', 'modsam'] as const;

function administrators(chatId: number) {
  const space = sandboxSpaceOf(chatId);
  const [creator, ...admins] = SANDBOX_ADMINISTRATORS.map((name) =>
    chatMember(sandboxUserId(sandboxModeratorName(name, space)), chatId),
  );
  return [
    { status: 'creator', user: creator?.user, is_anonymous: false },
    ...admins,
    { ...chatMember(SANDBOX_BOT_USER.id, chatId), user: SANDBOX_BOT_USER },
  ];
}

function chatMember(userId: number, chatId: number) {
  const { name } = describeSandboxUser(userId);
  const user = { id: userId, is_bot: false, first_name: name ?? 'member' };
  if (!isSandboxAdministrator(userId, chatId) && userId !== SANDBOX_BOT_USER.id) {
    return { status: 'member', user };
  }
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
export function plainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Starts the fake Bot API on loopback (see {@link FakeBotApiOptions}). */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const { route, violations, delivered, removeBot, updates } = createRoute(options);
  const server = await startFakeServer('telegram', route, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const closeServer = server.close;
  return Object.assign(server, {
    violations,
    delivered,
    removeBot(chatId: number) {
      removeBot(chatId);
    },
    pushUpdate: updates.push,
    pendingUpdates: updates.pending,
    webhook: updates.webhook,
    commands: updates.commands,
    // A waiting getUpdates answers at once rather than holding the close for its long-poll timeout.
    close() {
      updates.close();
      return closeServer();
    },
  });
}
