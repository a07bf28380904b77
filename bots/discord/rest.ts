/**
 * Discord's REST API as the handler uses it, through @discordjs/rest: it keeps Discord's per-route buckets
 * (from the `X-RateLimit-*` headers) and the global limit, waits out a 429's `retry_after`, and retries a
 * 5xx or a timeout.
 *
 * Cold start: the library (with undici) is imported on the first call, not at init, and most deliveries
 * (a PING, `help`, a refusal) never make one. The bot token is read on the first call that needs it:
 * interaction webhooks (editing a deferred answer, follow-ups) are authorised by the interaction token in
 * their path and need none.
 */
import { CommunityError } from '../../shared/core/errors.js';

/** Discord's JSON error codes the bot branches on. */
export const DiscordErrorCode = {
  UnknownGuild: 10004,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  MissingAccess: 50001,
  /** DMs closed, blocked, or no shared server: "Cannot send messages to this user". */
  CannotSendMessagesToUser: 50007,
} as const;

/** A call Discord refused or that never got an answer. `discordCode` is Discord's JSON error code (0 if none). */
export class DiscordApiError extends CommunityError {
  override readonly name = 'DiscordApiError';

  constructor(
    readonly status: number,
    readonly discordCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('discord_api_failed', message, options);
  }
}

export type RestMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** A route below `/v10`, e.g. `/channels/123/messages`. */
export type Route = `/${string}`;

export interface RestCall {
  readonly body?: unknown;
  readonly query?: URLSearchParams;
}

export interface DiscordRest {
  /** A call authorised with the bot token (read from the secret on first use). */
  bot<T>(method: RestMethod, route: Route, call?: RestCall): Promise<T>;
  /** An interaction webhook call, authorised by the interaction token in its route. */
  webhook<T>(method: RestMethod, route: Route, call?: RestCall): Promise<T>;
}

export interface DiscordRestConfig {
  /** The API root, `https://discord.com/api` in production (the library appends `/v10`). */
  readonly apiUrl: string;
  /** The bot token; called on the first bot call only, and again after a failed read. */
  readonly token: () => Promise<string>;
  /**
   * How long one attempt may take. Well inside the function's 10 s: an in-request call (a moderator check
   * on a button press) must leave room for Discord's 3-second answer window.
   */
  readonly timeoutMs?: number;
}

type Library = typeof import('@discordjs/rest');
type Client = InstanceType<Library['REST']>;

/** Builds the client lazily; nothing is imported or read until the first call. */
export function createDiscordRest(config: DiscordRestConfig): DiscordRest {
  let library: Promise<{ client: Client; library: Library }> | undefined;
  let authorised: Promise<void> | undefined;

  const load = () => {
    library ??= import('@discordjs/rest').then((loaded) => ({
      library: loaded,
      client: new loaded.REST({
        api: config.apiUrl,
        version: '10',
        timeout: config.timeoutMs ?? 3000,
        // One more try after a 5xx or a timeout: two attempts fit the function's 10 s; a later job that still
        // fails is run again by Lambda.
        retries: 1,
        // The sweepers bound memory in a long-lived process; a Lambda instance sees a few routes.
        handlerSweepInterval: 0,
        hashSweepInterval: 0,
        // Node's built-in fetch: the bundle then carries no undici of its own (bundle-stubs/undici-global-fetch.mjs).
        makeRequest: (url, init) => fetch(url, init as RequestInit),
      }),
    }));
    return library;
  };

  async function authorise(client: Client): Promise<void> {
    authorised ??= config.token().then(
      (token) => {
        client.setToken(token);
      },
      (error: unknown) => {
        // A failed secret read is tried again by the next call (and the next invocation).
        authorised = undefined;
        throw error;
      },
    );
    await authorised;
  }

  async function send<T>(auth: boolean, method: RestMethod, route: Route, call: RestCall = {}): Promise<T> {
    const { client, library: loaded } = await load();
    if (auth) await authorise(client);
    try {
      return (await client[method](route, {
        auth,
        ...(call.body === undefined ? {} : { body: call.body }),
        ...(call.query ? { query: call.query } : {}),
      })) as T;
    } catch (error) {
      throw translate(error, loaded, method, route);
    }
  }

  return {
    bot: (method, route, call) => send(true, method, route, call),
    webhook: (method, route, call) => send(false, method, route, call),
  };
}

/** The library's errors as ours, naming the call without its token-bearing path. */
function translate(error: unknown, loaded: Library, method: RestMethod, route: Route): unknown {
  const where = `${method.toUpperCase()} ${route.startsWith('/webhooks/') ? '/webhooks/…' : route}`;
  if (error instanceof loaded.DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : 0;
    return new DiscordApiError(error.status, code, `Discord refused ${where}: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof loaded.HTTPError) {
    return new DiscordApiError(error.status, 0, `Discord answered ${error.status} to ${where}`, {
      cause: error,
    });
  }
  return error;
}

/** Whether `error` is Discord's answer with this JSON error code. */
export function isDiscordError(error: unknown, code: number): error is DiscordApiError {
  return error instanceof DiscordApiError && error.discordCode === code;
}
