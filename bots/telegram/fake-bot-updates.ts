/**
 * The fake Bot API's update side (fake-bot-api.ts routes to it): the webhook setting, the getUpdates queue
 * long polling reads, and the command menus. It behaves as the Bot API documents: an update is confirmed
 * by a later getUpdates whose offset is past it, getUpdates is refused (409) while a webhook is set and
 * ends (409) when a newer getUpdates arrives, and a list of allowed updates replaces the default one, which
 * leaves out chat_member, message_reaction and message_reaction_count.
 */
import type { BotCommand, BotCommandScope } from 'grammy/types';
import type { FakeResponse } from '../../shared/platform/fake-server.js';

/** An update as a test pushes it: any update object with its id. */
export type FakeUpdate = Readonly<Record<string, unknown>> & { readonly update_id: number };

/** The webhook as setWebhook left it. */
export interface FakeWebhook {
  readonly url: string;
  readonly secretToken?: string;
  readonly allowedUpdates?: readonly string[];
}

/** How the fake's getUpdates waits. */
export interface FakeUpdatesOptions {
  /**
   * Real milliseconds a getUpdates waits per second of its `timeout` (default 1000); tests scale it down so
   * a 25 s long poll lasts a few milliseconds.
   */
  readonly pollSecondMs?: number;
}

type Payload = Record<string, unknown>;

/** What Telegram answers a getUpdates while a webhook is set. */
export const WEBHOOK_ACTIVE =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** What Telegram answers a waiting getUpdates when another one arrives. */
export const POLL_TERMINATED =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

/** Sent only when named in allowed_updates (getUpdates, setWebhook). */
const NAMED_ONLY = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
/** setMyCommands' documented limits (BotCommand). */
const COMMAND = /^[a-z0-9_]{1,32}$/;
const DESCRIPTION_LIMIT = 256;
const MENU_LIMIT = 100;
const BATCH_LIMIT = 100;

function fail(status: number, description: string): FakeResponse {
  return { status, body: { ok: false, error_code: status, description } };
}

function ok(result: unknown, description?: string): FakeResponse {
  return { body: { ok: true, result, ...(description === undefined ? {} : { description }) } };
}

/** The update side of one fake Bot API. */
export function createFakeUpdates(options: FakeUpdatesOptions = {}) {
  const secondMs = options.pollSecondMs ?? 1000;
  let queue: FakeUpdate[] = [];
  let webhook: FakeWebhook | undefined;
  let allowed: readonly string[] = [];
  let closed = false;
  // The newest getUpdates: an older one still waiting ends with 409, as on Telegram.
  let newestPoll = 0;
  const listeners = new Set<() => void>();
  const menus = new Map<string, readonly BotCommand[]>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };

  /** Resolves on the next push, newer poll or close, or after `ms`; says whether the time ran out. */
  const nextChange = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = (timedOut: boolean) => {
        clearTimeout(timer);
        listeners.delete(wake);
        resolve(timedOut);
      };
      const wake = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      listeners.add(wake);
    });

  const servable = (update: FakeUpdate) => {
    const kind = Object.keys(update).find((key) => key !== 'update_id') ?? '';
    return allowed.length > 0 ? allowed.includes(kind) : !NAMED_ONLY.has(kind);
  };

  async function getUpdates(payload: Payload): Promise<FakeResponse> {
    if (webhook) return fail(409, WEBHOOK_ACTIVE);
    confirm(Number(payload.offset ?? 0));
    if (Array.isArray(payload.allowed_updates)) allowed = payload.allowed_updates.map(String);
    const limit = Math.min(Math.max(Number(payload.limit ?? BATCH_LIMIT), 1), BATCH_LIMIT);
    const poll = ++newestPoll;
    changed();
    let remaining = Math.max(Number(payload.timeout ?? 0), 0) * secondMs;
    for (;;) {
      if (poll !== newestPoll) return fail(409, POLL_TERMINATED);
      const ready = queue.filter(servable).slice(0, limit);
      if (ready.length > 0 || remaining <= 0 || closed) return ok(ready);
      const started = Date.now();
      if (await nextChange(remaining)) remaining = 0;
      else remaining -= Date.now() - started;
    }
  }

  /** Forgets the updates before `offset`; a negative offset keeps only that many of the newest. */
  function confirm(offset: number) {
    if (offset > 0) queue = queue.filter((update) => update.update_id >= offset);
    if (offset < 0) queue = queue.slice(offset);
  }

  function setWebhook(payload: Payload): FakeResponse {
    const url = String(payload.url ?? '');
    if (Array.isArray(payload.allowed_updates)) allowed = payload.allowed_updates.map(String);
    // An empty URL removes the webhook (documented under setWebhook).
    if (!url) {
      webhook = undefined;
      return ok(true, 'Webhook was deleted');
    }
    webhook = {
      url,
      ...(payload.secret_token === undefined ? {} : { secretToken: String(payload.secret_token) }),
      ...(Array.isArray(payload.allowed_updates) ? { allowedUpdates: [...allowed] } : {}),
    };
    return ok(true, 'Webhook was set');
  }

  function deleteWebhook(payload: Payload): FakeResponse {
    webhook = undefined;
    if (payload.drop_pending_updates === true) queue = [];
    return ok(true);
  }

  function setMyCommands(payload: Payload): FakeResponse {
    const commands = (Array.isArray(payload.commands) ? payload.commands : []) as BotCommand[];
    if (commands.length > MENU_LIMIT) return fail(400, 'Bad Request: BOT_COMMANDS_TOO_MUCH');
    if (commands.some((one) => !COMMAND.test(String(one.command)))) {
      return fail(400, 'Bad Request: BOT_COMMAND_INVALID');
    }
    const description = (one: BotCommand) => String(one.description ?? '').trim().length;
    if (commands.some((one) => description(one) === 0 || description(one) > DESCRIPTION_LIMIT)) {
      return fail(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
    }
    menus.set(scopeKey(payload.scope as BotCommandScope | undefined), commands);
    return ok(true);
  }

  return {
    getUpdates,
    setWebhook,
    deleteWebhook,
    setMyCommands,
    getMyCommands: (payload: Payload) =>
      ok(menus.get(scopeKey(payload.scope as BotCommandScope | undefined)) ?? []),
    push(update: FakeUpdate) {
      queue.push(update);
      changed();
    },
    pending: (): readonly FakeUpdate[] => [...queue],
    webhook: () => webhook,
    commands: (scope?: BotCommandScope) => menus.get(scopeKey(scope)),
    /** Ends the waiting polls (empty answers), so closing the server does not wait for their timeouts. */
    close() {
      closed = true;
      changed();
    },
  };
}

/** A menu's scope as a key; no scope is the default one. */
function scopeKey(scope: BotCommandScope | undefined): string {
  const { type, ...rest } = scope ?? { type: 'default' };
  const where = Object.entries(rest)
    .map(([key, value]) => `${key}=${String(value)}`)
    .sort();
  return [type, ...where].join(' ');
}
