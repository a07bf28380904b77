/**
 * TEST ONLY. Discord's REST API as far as the bot uses it, on loopback: the real @discordjs/rest client
 * (handler and register.ts) is pointed here by DISCORD_API_URL. It answers with Discord's documented
 * shapes and error codes, keeps what the bot posted (so an edit of a missing message fails as on Discord),
 * checks command registrations (sandbox-commands.ts), and announces per-route rate-limit buckets in
 * `X-RateLimit-*` headers, answering 429 with `retry_after` when a bucket is exceeded.
 *
 * The guilds (spaces `a`, `b` and `c`, SANDBOX_SPACES) and their members are the fixed cast of sandbox-cast.ts.
 */
import {
  type FakeResponse,
  type FakeServer,
  type ReceivedRequest,
  startFakeServer,
} from '../../shared/platform/fake-server.js';
import {
  CAST_BY_ID,
  hasClosedDms,
  MEMBER_PERMISSIONS,
  SANDBOX_APPLICATION_ID,
  SANDBOX_BOT_TOKEN,
  SANDBOX_CAST,
  SANDBOX_OWNER,
  SANDBOX_ROLES,
  sandboxDmChannel,
  sandboxGuildName,
  sandboxId,
  sandboxRoles,
  sandboxSpaceOf,
  sandboxUserId,
} from './sandbox-cast.js';
import { commandRegistrationErrors } from './sandbox-commands.js';

/** A bucket: `limit` requests per `resetAfterSeconds`, per route and major parameter, as Discord announces. */
export interface RateLimit {
  readonly limit: number;
  readonly resetAfterSeconds: number;
}

/** Generous enough that the tests never wait unless they set a smaller one. */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 50, resetAfterSeconds: 1 };

export interface DiscordApiOptions {
  readonly port?: number;
  readonly onRequest?: (request: ReceivedRequest, response: FakeResponse) => void;
  readonly rateLimit?: RateLimit;
}

/** The route below `/v10` (the SDK adds `/v10`; a base URL ending in `/api` adds that too). */
const VERSIONED = /^(?:\/api)?\/v10(\/.*)$/;

const ROUTES = {
  commands: /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/,
  callback: /^\/interactions\/(\d+)\/[^/]+\/callback$/,
  original: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
  followUp: /^\/webhooks\/(\d+)\/([^/]+)$/,
  dmChannel: /^\/users\/@me\/channels$/,
  messages: /^\/channels\/([^/]+)\/messages$/,
  message: /^\/channels\/([^/]+)\/messages\/([^/]+)$/,
  guild: /^\/guilds\/([^/]+)$/,
  roles: /^\/guilds\/([^/]+)\/roles$/,
  members: /^\/guilds\/([^/]+)\/members$/,
  member: /^\/guilds\/([^/]+)\/members\/([^/]+)$/,
} as const;

type RouteName = keyof typeof ROUTES;

/** Recipients of the DM channels any fake opened (ids are derived from the recipient, so they agree). */
const dmRecipients = new Map<string, string>();

/** The member a DM channel of the sandbox leads to, if it is one. */
export function dmRecipientOf(channelId: string): string | undefined {
  return dmRecipients.get(channelId);
}

/** The route a request took, by name, and its path parameters. */
export function routeOf(
  request: Pick<ReceivedRequest, 'path'>,
): { name: RouteName; params: string[] } | undefined {
  const path = VERSIONED.exec(request.path)?.[1];
  if (!path) return undefined;
  for (const [name, pattern] of Object.entries(ROUTES) as [RouteName, RegExp][]) {
    const match = pattern.exec(path);
    if (match) return { name, params: match.slice(1).map((param) => decodeURIComponent(param ?? '')) };
  }
  return undefined;
}

const error = (status: number, code: number, message: string): FakeResponse => ({
  status,
  body: { message, code },
});

/** 204 No Content: no body, so no JSON content type (a client would try to parse nothing). */
const NO_CONTENT: FakeResponse = { status: 204, body: '', headers: { 'content-type': 'text/plain' } };

export async function startDiscordApi(options: DiscordApiOptions = {}): Promise<FakeServer> {
  const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const buckets = new Map<string, { remaining: number; resetAt: number }>();
  /** Messages by channel id, then message id. */
  const channels = new Map<string, Map<string, Record<string, unknown>>>();
  let sequence = 0;

  function store(channelId: string, payload: unknown): Record<string, unknown> {
    sequence += 1;
    const message = messageOf(channelId, sandboxId('message', `${channelId}:${sequence}`), payload);
    const messages = channels.get(channelId) ?? new Map<string, Record<string, unknown>>();
    channels.set(channelId, messages);
    messages.set(String(message.id), message);
    return message;
  }

  function route(request: ReceivedRequest): FakeResponse {
    const found = routeOf(request);
    if (!found) return error(404, 0, '404: Not Found');
    const { name, params } = found;
    const webhook = name === 'original' || name === 'followUp' || name === 'callback';
    if (!webhook && request.headers.authorization !== `Bot ${SANDBOX_BOT_TOKEN}`) {
      return error(401, 0, '401: Unauthorized');
    }
    const [first = '', second = ''] = params;
    const body = request.payload;
    switch (`${request.method} ${name}`) {
      case 'PUT commands': {
        const refusal = commandRegistrationErrors(body);
        return refusal
          ? { status: 400, body: refusal }
          : { body: registeredCommands(body, first, params[1]) };
      }
      case 'POST callback':
        return NO_CONTENT;
      case 'PATCH original':
        return { body: store(`webhook:${second}`, body) };
      case 'POST followUp':
        return { body: store(`webhook:${second}`, body) };
      case 'POST dmChannel':
        return openDm(body);
      case 'POST messages': {
        const recipient = CAST_BY_ID.get(dmRecipients.get(first) ?? '');
        if (recipient && hasClosedDms(recipient))
          return error(403, 50007, 'Cannot send messages to this user');
        return { body: store(first, body) };
      }
      case 'PATCH message':
      case 'DELETE message': {
        const messages = channels.get(first);
        const existing = messages?.get(second);
        if (!messages || !existing) return error(404, 10008, 'Unknown Message');
        if (request.method === 'DELETE') {
          messages.delete(second);
          return NO_CONTENT;
        }
        const edited = { ...existing, ...(body as object), edited_timestamp: new Date().toISOString() };
        messages.set(second, edited);
        return { body: edited };
      }
      case 'GET guild':
        return sandboxSpaceOf(first) ? { body: guildObject(first) } : error(404, 10004, 'Unknown Guild');
      case 'GET roles':
        return sandboxSpaceOf(first) ? { body: roleObjects(first) } : error(404, 10004, 'Unknown Guild');
      case 'GET member': {
        if (!sandboxSpaceOf(first)) return error(404, 10004, 'Unknown Guild');
        const member = CAST_BY_ID.get(second);
        return member ? { body: memberObject(member) } : error(404, 10007, 'Unknown Member');
      }
      case 'GET members':
        return sandboxSpaceOf(first) ? listMembers(request.query) : error(404, 10004, 'Unknown Guild');
      default:
        return error(405, 0, '405: Method Not Allowed');
    }
  }

  /** Discord's buckets: one per route (and major parameter), announced on every answer. */
  function limited(request: ReceivedRequest): FakeResponse {
    const found = routeOf(request);
    const major = found?.params[0] ?? '';
    const bucket = sandboxId('bucket', `${request.method} ${found?.name ?? request.path}`);
    const key = `${bucket}:${major}`;
    const now = Date.now();
    let state = buckets.get(key);
    if (!state || state.resetAt <= now) {
      state = { remaining: rateLimit.limit, resetAt: now + rateLimit.resetAfterSeconds * 1000 };
      buckets.set(key, state);
    }
    const resetAfter = Math.max(0, (state.resetAt - now) / 1000);
    const headers = {
      'x-ratelimit-limit': String(rateLimit.limit),
      'x-ratelimit-reset': String(state.resetAt / 1000),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': bucket,
    };
    if (state.remaining <= 0) {
      return {
        status: 429,
        headers: {
          ...headers,
          'x-ratelimit-remaining': '0',
          'x-ratelimit-scope': 'user',
          'retry-after': resetAfter.toFixed(3),
        },
        body: { message: 'You are being rate limited.', retry_after: resetAfter, global: false },
      };
    }
    state.remaining -= 1;
    const response = route(request);
    return {
      ...response,
      headers: { ...response.headers, ...headers, 'x-ratelimit-remaining': String(state.remaining) },
    };
  }

  return startFakeServer('discord', limited, options);
}

function openDm(payload: unknown): FakeResponse {
  const recipient = (payload as { recipient_id?: unknown } | undefined)?.recipient_id;
  if (typeof recipient !== 'string' || !/^\d{1,20}$/.test(recipient)) {
    return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { recipient_id: {} } } };
  }
  const channelId = sandboxDmChannel(recipient);
  dmRecipients.set(channelId, recipient);
  const name = CAST_BY_ID.get(recipient) ?? recipient;
  return {
    body: {
      id: channelId,
      type: 1,
      last_message_id: null,
      flags: 0,
      recipients: [{ id: recipient, username: name, global_name: name, discriminator: '0', avatar: null }],
    },
  };
}

function guildObject(guildId: string): Record<string, unknown> {
  return {
    id: guildId,
    name: sandboxGuildName(guildId),
    icon: null,
    owner_id: sandboxUserId(SANDBOX_OWNER),
    roles: roleObjects(guildId),
    features: [],
  };
}

function roleObjects(guildId: string): Record<string, unknown>[] {
  const everyone = { id: guildId, name: '@everyone', permissions: MEMBER_PERMISSIONS };
  return [everyone, SANDBOX_ROLES.moderators, SANDBOX_ROLES.admins].map((role, position) => ({
    id: role.id,
    name: role.name,
    permissions: String(role.permissions),
    position,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  }));
}

function memberObject(name: string): Record<string, unknown> {
  return {
    user: { id: sandboxUserId(name), username: name, global_name: name, discriminator: '0', avatar: null },
    nick: null,
    roles: sandboxRoles(name),
    joined_at: '2025-01-01T00:00:00.000000+00:00',
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
}

/** List Guild Members: by user id ascending, after `after`, at most `limit` (1-1000). */
function listMembers(query: URLSearchParams): FakeResponse {
  const limit = Number(query.get('limit') ?? '1');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { limit: {} } } };
  }
  const after = BigInt(query.get('after') ?? '0');
  const members = SANDBOX_CAST.map((name) => ({ name, id: BigInt(sandboxUserId(name)) }))
    .filter(({ id }) => id > after)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map(({ name }) => memberObject(name));
  return { body: members };
}

function registeredCommands(payload: unknown, applicationId: string, guildId?: string): unknown[] {
  const definitions = payload as Record<string, unknown>[];
  return definitions.map((definition) => ({
    ...definition,
    id: sandboxId('command', String(definition.name)),
    application_id: applicationId,
    version: sandboxId('version', JSON.stringify(definition)),
    type: definition.type ?? 1,
    default_member_permissions: definition.default_member_permissions ?? null,
    nsfw: false,
    ...(guildId ? { guild_id: guildId } : {}),
  }));
}

function messageOf(channelId: string, id: string, payload: unknown): Record<string, unknown> {
  const { content, components, flags } = (payload ?? {}) as Record<string, unknown>;
  return {
    id,
    type: 0,
    channel_id: channelId,
    content: typeof content === 'string' ? content : '',
    components: Array.isArray(components) ? components : [],
    flags: typeof flags === 'number' ? flags : 0,
    author: { id: SANDBOX_APPLICATION_ID, username: 'community-bot', discriminator: '0', bot: true },
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
  };
}
