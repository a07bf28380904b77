/**
 * TEST ONLY. Discord's REST API as far as the bot uses it, on loopback: the real @discordjs/rest client
 * (handler and register.ts) and the outbox transport's `fetch` (outbox.ts) are pointed here by DISCORD_API_URL.
 * It answers with Discord's documented shapes and error codes, keeps what the bot posted (so an edit of a
 * missing message fails as on Discord, and a test can count what each channel received), checks command
 * registrations (sandbox-commands.ts), honours Create Message's `nonce` + `enforce_nonce`, and plays
 * Discord's rate limits and faults on a clock shared with the code under test (sandbox-limits.ts).
 *
 * The guilds (spaces `a`, `b` and `c`, SANDBOX_SPACES) and their members are the fixed cast of sandbox-cast.ts.
 */
import {
  type FakeClock,
  type Fault,
  type FaultPlan,
  realClock,
  type Violation,
} from '../../shared/platform/fake-limits.js';
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
import { createDiscordLimits, type RateLimit } from './sandbox-limits.js';
import {
  type ChannelRefusal,
  createFakeChannels,
  type DeliveredMessage,
  discordError as error,
} from './sandbox-messages.js';

export { DEFAULT_RATE_LIMIT, type RateLimit } from './sandbox-limits.js';
export { type ChannelRefusal, type DeliveredMessage, NONCE_WINDOW_MS } from './sandbox-messages.js';

export interface DiscordApiOptions {
  readonly port?: number;
  readonly onRequest?: (request: ReceivedRequest, response: FakeResponse) => void;
  /** A bucket for every route, always enforced (tests of the real client's own waiting). */
  readonly rateLimit?: RateLimit;
  /** The clock of buckets, nonces and timestamps (default: real time); shared with a simulated worker. */
  readonly clock?: FakeClock;
  /** Seeded faults for the calls the outbox makes (sandbox-limits.ts `OUTBOX_ROUTES`). */
  readonly faults?: FaultPlan;
  /** Answer calls over Discord's documented limits with 429 (they are counted in `violations` always). */
  readonly strictLimits?: boolean;
}

/** The fake Discord API and what it saw. */
export interface DiscordFakeApi extends FakeServer {
  /** Every call over one of Discord's documented limits (sandbox-limits.ts), oldest first. */
  readonly violations: readonly Violation[];
  /** What Create Message actually created, per channel id, in order; a nonce repeat adds nothing. */
  readonly delivered: ReadonlyMap<string, readonly DeliveredMessage[]>;
  /** From now on, posts in `channelId` are refused the way `refusal` says. */
  refuse(channelId: string, refusal: ChannelRefusal): void;
  /** The next calls the outbox makes meet these faults, in order (then the `faults` dice, if any, roll again). */
  failNext(...faults: Fault[]): void;
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

/** 204 No Content: no body, so no JSON content type (a client would try to parse nothing). */
const NO_CONTENT: FakeResponse = { status: 204, body: '', headers: { 'content-type': 'text/plain' } };

export async function startDiscordApi(options: DiscordApiOptions = {}): Promise<DiscordFakeApi> {
  const clock = options.clock ?? realClock;
  const channels = createFakeChannels(clock);
  const limits = createDiscordLimits({
    clock,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.strictLimits ? { strictLimits: true } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });

  function route(request: ReceivedRequest, name: RouteName, params: readonly string[]): FakeResponse {
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
      case 'POST followUp':
        return { body: channels.store(`webhook:${second}`, body) };
      case 'POST dmChannel':
        return openDm(body);
      case 'POST messages': {
        const recipient = CAST_BY_ID.get(dmRecipients.get(first) ?? '');
        if (recipient && hasClosedDms(recipient))
          return error(403, 50007, 'Cannot send messages to this user');
        return channels.create(first, body);
      }
      case 'PATCH message':
        return channels.edit(first, second, body);
      case 'DELETE message':
        return channels.remove(first, second) ?? NO_CONTENT;
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

  /** Every call meets Discord's limits (and the rolled fault) first; the route's major parameter keys the bucket. */
  function answer(request: ReceivedRequest): FakeResponse {
    const found = routeOf(request);
    if (!found) return error(404, 0, '404: Not Found');
    const { name, params } = found;
    return limits.answer(request, name, params[0] ?? '', () => route(request, name, params));
  }

  const server = await startFakeServer('discord', answer, options);
  return {
    ...server,
    get violations() {
      return limits.violations;
    },
    delivered: channels.delivered,
    refuse: channels.refuse,
    failNext: (...faults) => limits.failNext(faults),
  };
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
