import { createHash, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { COMMAND_NAME, parseCommandText } from '../../shared/core/commands.js';
import { CommunityError } from '../../shared/core/errors.js';
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
 * TEST ONLY. A fixed Ed25519 key pair standing in for Discord's signing key, so the sandbox, the tests and
 * the bench can sign interactions the real handler accepts. It protects nothing: never configure a real
 * Discord application with it.
 */
/** Sandbox public key (hex), for DISCORD_PUBLIC_KEY. */
export const SANDBOX_PUBLIC_KEY = '34644e1604a072ad26b289c3144061a296487a9e7283039911995f9572e208b1';
/** Sandbox private key seed (hex). Test only. */
const SANDBOX_PRIVATE_SEED = 'f1a8375d8b8c4af6796275830240dd0bcab39991400e2d81e4e2f609a5a7f788';
/** Sandbox application id (DISCORD_APPLICATION_ID). */
export const SANDBOX_APPLICATION_ID = '1300000000000000001';
/** Sandbox bot token (DISCORD_BOT_TOKEN); the fake API accepts only this one. Test only. */
export const SANDBOX_BOT_TOKEN = 'sandbox-discord-bot-token';
/** The one guild of the sandbox; the channel `dm` is a direct message with the bot instead. */
export const SANDBOX_GUILD_ID = '1300000000000000002';
const SANDBOX_COMMAND_ID = '1300000000000000003';

const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const MEMBER_PERMISSIONS =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory;
const MODERATOR_PERMISSIONS = MEMBER_PERMISSIONS | PermissionFlagsBits.ManageGuild;

const sandboxKey: KeyObject = createPrivateKey({
  key: {
    kty: 'OKP',
    crv: 'Ed25519',
    d: Buffer.from(SANDBOX_PRIVATE_SEED, 'hex').toString('base64url'),
    x: Buffer.from(SANDBOX_PUBLIC_KEY, 'hex').toString('base64url'),
  },
  format: 'jwk',
});

/** Signs a body the way Discord does: Ed25519 over `timestamp + body`, hex. */
export function signInteraction(body: string, timestamp: string, key: KeyObject = sandboxKey): string {
  return sign(null, Buffer.from(timestamp + body), key).toString('hex');
}

/** The signed headers Discord sends with an interaction. */
export function interactionHeaders(body: string, now: Date, key?: KeyObject): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    'content-type': 'application/json',
    'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
    'x-signature-ed25519': signInteraction(body, timestamp, key),
    'x-signature-timestamp': timestamp,
  };
}

/** A stable snowflake-shaped id for a sandbox name (user, channel). */
export function sandboxId(kind: string, name: string): string {
  const digest = createHash('sha256').update(`${kind}:${name}`).digest();
  return (digest.readBigUInt64BE(0) >> 2n).toString();
}

/**
 * The interaction id Discord would assign: a snowflake whose time part is `now` and whose low bits come
 * from the action. Signing the same action at the same instant gives the same id (a redelivery); the same
 * command said again later is a new interaction, as on Discord.
 */
export function interactionId(action: SandboxAction, now: Date): string {
  const digest = createHash('sha256').update(JSON.stringify(action)).digest();
  const low = BigInt(digest.readUInt32BE(0) & 0x3fffff);
  return (((BigInt(now.getTime()) - DISCORD_EPOCH_MS) << 22n) | low).toString();
}

/**
 * `/community ...` as Discord delivers it. `text` may be `stats` or `/community stats`; only the first
 * word (the subcommand) travels, since the registered subcommands take no options.
 */
export function commandInteraction(
  action: Extract<SandboxAction, { kind: 'command' }>,
  now: Date,
): Record<string, unknown> {
  const args = (action.text.trim().startsWith('/') ? parseCommandText(action.text) : action.text) ?? '';
  const subcommand = args.trim().split(/\s+/)[0] || 'help';
  const id = interactionId(action, now);
  const user = {
    id: sandboxId('user', action.user),
    username: action.user,
    global_name: action.user,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
  };
  const inDm = action.channel === 'dm';
  const channelId = sandboxId('channel', inDm ? `dm:${action.user}` : action.channel);
  const permissions = isSandboxModerator(action.user) ? MODERATOR_PERMISSIONS : MEMBER_PERMISSIONS;
  return {
    id,
    application_id: SANDBOX_APPLICATION_ID,
    type: 2,
    token: `sandbox-interaction-token-${id}`,
    version: 1,
    locale: 'en-US',
    context: inDm ? 1 : 0,
    app_permissions: String(MEMBER_PERMISSIONS),
    entitlements: [],
    channel_id: channelId,
    ...(inDm
      ? { user }
      : {
          guild_id: SANDBOX_GUILD_ID,
          guild_locale: 'en-US',
          member: {
            user,
            roles: [],
            permissions: String(permissions),
            joined_at: '2025-01-01T00:00:00.000000+00:00',
            nick: null,
            premium_since: null,
            pending: false,
            mute: false,
            deaf: false,
            flags: 0,
          },
        }),
    data: {
      id: SANDBOX_COMMAND_ID,
      name: COMMAND_NAME,
      type: 1,
      options: [{ name: subcommand, type: 1 }],
    },
  };
}

const COMMANDS_PATH = /^(?:\/api)?\/v10\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/;
const CALLBACK_PATH = /^(?:\/api)?\/v10\/interactions\/(\d+)\/[^/]+\/callback$/;
const MESSAGE_PATH = /^(?:\/api)?\/v10\/(?:webhooks\/\d+\/[^/]+|channels\/(\d+)\/messages)$/;

/** The Discord REST API as far as the bot uses it, answering with the documented shapes. */
function routeDiscordApi(request: ReceivedRequest): FakeResponse {
  const commands = COMMANDS_PATH.exec(request.path);
  const needsBot = commands || /\/channels\//.test(request.path);
  if (needsBot && request.headers.authorization !== `Bot ${SANDBOX_BOT_TOKEN}`) {
    return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
  }
  if (commands && request.method === 'PUT') {
    return { body: registeredCommands(request.payload, commands[1] ?? '', commands[2]) };
  }
  if (CALLBACK_PATH.test(request.path) && request.method === 'POST') return { status: 204 };
  if (MESSAGE_PATH.test(request.path) && request.method === 'POST') {
    return { body: sentMessage(request.payload, MESSAGE_PATH.exec(request.path)?.[1]) };
  }
  return { status: 404, body: { message: '404: Not Found', code: 0 } };
}

function registeredCommands(payload: unknown, applicationId: string, guildId?: string): unknown[] {
  const definitions = Array.isArray(payload) ? (payload as Record<string, unknown>[]) : [];
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

function sentMessage(payload: unknown, channelId = sandboxId('channel', 'webhook')): unknown {
  const content = (payload as { content?: unknown } | undefined)?.content;
  return {
    id: sandboxId('message', `${channelId}:${Date.now()}`),
    type: 0,
    channel_id: channelId,
    content: typeof content === 'string' ? content : '',
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

function oneLine(payload: unknown): string {
  const data = (payload as { data?: unknown } | undefined)?.data ?? payload;
  const content = (data as { content?: unknown } | undefined)?.content;
  const text = typeof content === 'string' ? content.replace(/\s+/g, ' ').trim() : '(no text)';
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** Discord in the sandbox: signed interactions in, a fake REST API out. */
export const discordSandbox: PlatformSandbox = {
  platform: 'discord',
  path: '/discord/interactions',
  env: (apiUrl) => ({
    DISCORD_PUBLIC_KEY: SANDBOX_PUBLIC_KEY,
    DISCORD_APPLICATION_ID: SANDBOX_APPLICATION_ID,
    DISCORD_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    DISCORD_API_URL: apiUrl,
  }),
  startFakeApi: (options = {}) => startFakeServer('discord', routeDiscordApi, options),
  describe(request) {
    const commands = COMMANDS_PATH.exec(request.path);
    if (commands && request.method === 'PUT') {
      const names = Array.isArray(request.payload)
        ? (request.payload as { name?: unknown }[]).map((command) => `/${String(command.name)}`)
        : [];
      return `registered ${names.join(', ') || 'no commands'} ${commands[2] ? `in guild ${commands[2]}` : 'globally'}`;
    }
    if (CALLBACK_PATH.test(request.path)) return `answered: ${oneLine(request.payload)}`;
    if (MESSAGE_PATH.test(request.path)) return `said: ${oneLine(request.payload)}`;
    return undefined;
  },
  describeAnswer(body) {
    let answer: { data?: { content?: string; flags?: number } } | undefined;
    try {
      answer = JSON.parse(body);
    } catch {
      return undefined;
    }
    const content = answer?.data?.content;
    if (!content) return undefined;
    // 64 is Discord's EPHEMERAL message flag.
    return `${(answer?.data?.flags ?? 0) & 64 ? 'privately' : 'publicly'}: ${content}`;
  },
  sign(action, now = new Date()): SignedRequest {
    if (action.kind !== 'command') {
      // Messages, reactions and joins reach a bot only through the gateway, which is not built yet.
      throw new CommunityError(
        'sandbox_unsupported',
        `Discord delivers ${action.kind}s through the gateway only, which this bot does not use yet`,
      );
    }
    const body = JSON.stringify(commandInteraction(action, now));
    return { path: discordSandbox.path, headers: interactionHeaders(body, now), body };
  },
};
