/**
 * TEST ONLY. Discord in the sandbox: interactions signed as Discord signs them (commands, button presses,
 * modal submits), and the fake REST API they are answered against (sandbox-api.ts). Used by `npm run dev`,
 * `npm run say`, the tests and the bench.
 */
import { createHash, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { isProblem, readText } from '../../shared/core/command-grammar.js';
import { COMMAND_NAME, type OptionType, type OptionValue } from '../../shared/core/command-table.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import {
  describeButton,
  type PlatformSandbox,
  readPressString,
  type SandboxAction,
  type SignedRequest,
} from '../../shared/platform/sandbox.js';
import { joinCustomId } from './render.js';
import { dmRecipientOf, routeOf, startDiscordApi } from './sandbox-api.js';
import {
  CAST_BY_ID,
  DISCORD_EPOCH_MS,
  MEMBER_PERMISSIONS,
  SANDBOX_APPLICATION_ID,
  SANDBOX_BOT_TOKEN,
  SANDBOX_COMMAND_ID,
  sandboxDmChannel,
  sandboxGuildId,
  sandboxId,
  sandboxPermissions,
  sandboxRoles,
  sandboxUserId,
} from './sandbox-cast.js';
import { gatewayDispatchOf } from './sandbox-gateway.js';

export {
  SANDBOX_APPLICATION_ID,
  SANDBOX_BOT_TOKEN,
  SANDBOX_GUILD_ID,
  SANDBOX_SPACES,
  sandboxGuildId,
  sandboxId,
  sandboxUserId,
} from './sandbox-cast.js';

/*
 * TEST ONLY. A fixed Ed25519 key pair standing in for Discord's signing key, so the sandbox, the tests and
 * the bench can sign interactions the real handler accepts. It protects nothing: never configure a real
 * Discord application with it.
 */
/** Sandbox public key (hex), for DISCORD_PUBLIC_KEY. */
export const SANDBOX_PUBLIC_KEY = '34644e1604a072ad26b289c3144061a296487a9e7283039911995f9572e208b1';
/** Sandbox private key seed (hex). Test only. */
const SANDBOX_PRIVATE_SEED = 'f1a8375d8b8c4af6796275830240dd0bcab39991400e2d81e4e2f609a5a7f788';

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

/** Any interaction payload as Discord would deliver it: serialized and signed at `now`. */
export function signedDelivery(payload: object, now = new Date()): SignedRequest {
  const body = JSON.stringify(payload);
  return { path: discordSandbox.path, headers: interactionHeaders(body, now), body };
}

/**
 * The interaction id Discord would assign: a snowflake whose time part is `now` and whose low bits come
 * from what was done. Signing the same act at the same instant gives the same id (a redelivery); the same
 * command said again later is a new interaction, as on Discord.
 */
export function interactionId(act: object, now: Date): string {
  const digest = createHash('sha256').update(JSON.stringify(act)).digest();
  const low = BigInt(digest.readUInt32BE(0) & 0x3fffff);
  return (((BigInt(now.getTime()) - DISCORD_EPOCH_MS) << 22n) | low).toString();
}

/**
 * Who acts where: a sandbox member (sandbox-cast.ts) in a guild channel by name, or `dm` with the bot; in the
 * sandbox server `space` (`a` unless named, see SANDBOX_SPACES).
 */
export interface SandboxPlace {
  readonly user: string;
  readonly channel: string;
  readonly space?: string;
}

/** The channel id of a place: a guild channel, or the member's DM channel with the bot. */
export function sandboxChannel({ user, channel }: SandboxPlace): string {
  return channel === 'dm' ? sandboxDmChannel(sandboxUserId(user)) : sandboxId('channel', channel);
}

/** What every interaction carries: ids, the token to answer it later, and who acted where. */
function envelope(type: number, place: SandboxPlace, id: string): Record<string, unknown> {
  const user = {
    id: sandboxUserId(place.user),
    username: place.user,
    global_name: place.user,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
  };
  const inDm = place.channel === 'dm';
  const channelId = sandboxChannel(place);
  return {
    id,
    application_id: SANDBOX_APPLICATION_ID,
    type,
    token: `sandbox-interaction-token-${id}`,
    version: 1,
    locale: 'en-US',
    context: inDm ? 1 : 0,
    app_permissions: String(MEMBER_PERMISSIONS),
    entitlements: [],
    channel_id: channelId,
    channel: { id: channelId, type: inDm ? 1 : 0 },
    ...(inDm
      ? { user }
      : {
          guild_id: sandboxGuildId(place.space),
          guild_locale: 'en-US',
          member: {
            user,
            roles: sandboxRoles(place.user),
            permissions: String(sandboxPermissions(place.user)),
            joined_at: '2025-01-01T00:00:00.000000+00:00',
            nick: null,
            premium_since: null,
            pending: false,
            mute: false,
            deaf: false,
            flags: 0,
          },
        }),
  };
}

/** Discord's option types for the table's (command-table.ts). */
const OPTION_TYPES: Readonly<Record<OptionType, number>> = {
  text: 3,
  choice: 3,
  member: 6,
  number: 10,
  boolean: 5,
};

/**
 * `/community ...` as Discord delivers it. `text` may be `feedback thanks!` or `/community feedback
 * thanks!`; it is read against the command table as the Discord client would fill in the options
 * (a member option as the user id). Text the table refuses travels as its first word, so the handler
 * answers it as it would a stale registration.
 */
export function commandInteraction(
  action: Extract<SandboxAction, { kind: 'command' }>,
  now: Date,
): Record<string, unknown> {
  return {
    ...envelope(2, action, interactionId(action, now)),
    data: { id: SANDBOX_COMMAND_ID, name: COMMAND_NAME, type: 1, options: commandOptions(action.text) },
  };
}

function commandOptions(text: string): Record<string, unknown>[] {
  const words = text
    .trim()
    .replace(new RegExp(`^/${COMMAND_NAME}(?:@\\S+)?(?=\\s|$)`, 'i'), '')
    .trim();
  const call = readText(COMMAND_TABLE, words, 'discord');
  if (isProblem(call)) return [{ name: words.split(/\s+/)[0] || 'help', type: 1 }];
  const { spec, group } = call.command;
  const options = spec.options.flatMap((option) => {
    const value = call.values[option.name];
    return value === undefined
      ? []
      : [{ name: option.name, type: OPTION_TYPES[option.type], value: raw(value) }];
  });
  const subcommand = { name: spec.name, type: 1, ...(options.length > 0 ? { options } : {}) };
  return group ? [{ name: group.name, type: 2, options: [subcommand] }] : [subcommand];
}

function raw(value: OptionValue): string | number | boolean {
  return typeof value === 'object' ? value.id : value;
}

/** A press on a button of a message the bot posted (its `custom_id` as render.ts wrote it). */
export interface SandboxPress extends SandboxPlace {
  readonly customId: string;
  /** The message the button sits on. */
  readonly messageId?: string;
}

export function pressInteraction(press: SandboxPress, now: Date): Record<string, unknown> {
  const base = envelope(3, press, interactionId({ press }, now));
  return {
    ...base,
    message: {
      id: press.messageId ?? sandboxId('message', press.customId),
      channel_id: base.channel_id,
      type: 0,
      content: '',
      components: [
        { type: 1, components: [{ type: 2, style: 1, label: 'Button', custom_id: press.customId }] },
      ],
      author: { id: SANDBOX_APPLICATION_ID, username: 'community-bot', discriminator: '0', bot: true },
      flags: 0,
    },
    data: { custom_id: press.customId, component_type: 2 },
  };
}

/** `npm run say -- --press <actionId>[:<value>]`: a press on the button render.ts drew for that action and value. */
function sandboxPressOf(action: Extract<SandboxAction, { kind: 'press' }>): SandboxPress {
  return {
    user: action.user,
    channel: action.channel,
    customId: joinCustomId(action.actionId, action.value),
    ...(action.space ? { space: action.space } : {}),
    ...(action.messageId ? { messageId: action.messageId } : {}),
  };
}

/** A modal submitted: its `custom_id` and each text input's value, nested in labels as Discord sends them. */
export interface SandboxSubmit extends SandboxPlace {
  readonly customId: string;
  readonly values: Readonly<Record<string, string>>;
}

export function modalSubmitInteraction(submit: SandboxSubmit, now: Date): Record<string, unknown> {
  const components = Object.entries(submit.values).map(([customId, value], index) => ({
    type: 18,
    id: index * 2 + 1,
    component: { type: 4, id: index * 2 + 2, custom_id: customId, value },
  }));
  return {
    ...envelope(5, submit, interactionId({ submit }, now)),
    data: { custom_id: submit.customId, components },
  };
}

/**
 * The text of a message the bot sent, whole (a stats table reads as the member would see it), then its
 * buttons, each with what `npm run say` takes to press it.
 */
function textOf(payload: unknown): string {
  const data = (payload as { data?: unknown } | undefined)?.data ?? payload;
  const content = (data as { content?: unknown } | undefined)?.content;
  return `${typeof content === 'string' ? content : '(no text)'}${buttonsOf(data)}`;
}

/** ` [Join] --press link.join:…` for each button of a message: its `custom_id` is the press string. */
function buttonsOf(data: unknown): string {
  const rows = (data as { components?: { components?: { label?: string; custom_id?: string }[] }[] })
    ?.components;
  return (rows ?? [])
    .flatMap((row) => row.components ?? [])
    .filter((button) => typeof button.custom_id === 'string')
    .map((button) => ` ${describeButton(button.label ?? '', readPressString(button.custom_id ?? ''))}`)
    .join('');
}

const privately = (payload: unknown) =>
  ((payload as { flags?: number } | undefined)?.flags ?? 0) & 64 ? 'privately' : 'publicly';

/** What the bot did through the API, for people (the text as sent), or `undefined` for lookups. */
function describeCall(request: ReceivedRequest): string | undefined {
  const route = routeOf(request);
  const [first] = route?.params ?? [];
  switch (route && `${request.method} ${route.name}`) {
    case 'PUT commands': {
      const names = Array.isArray(request.payload)
        ? (request.payload as { name?: unknown }[]).map((command) => `/${String(command.name)}`)
        : [];
      const where = route?.params[1] ? `in guild ${route.params[1]}` : 'globally';
      return `registered ${names.join(', ') || 'no commands'} ${where}`;
    }
    case 'PATCH original':
      return `answered later, privately: ${textOf(request.payload)}`;
    case 'POST followUp':
      return `followed up ${privately(request.payload)}: ${textOf(request.payload)}`;
    case 'POST messages': {
      const recipient = dmRecipientOf(first ?? '');
      const to = recipient ? `privately to ${CAST_BY_ID.get(recipient) ?? recipient}` : `in channel ${first}`;
      return `said ${to}: ${textOf(request.payload)}`;
    }
    case 'PATCH message':
      return `edited a message: ${textOf(request.payload)}`;
    case 'DELETE message':
      return 'deleted a message';
    default:
      return undefined;
  }
}

/** What the bot said in an interaction response, as one line. */
function describeResponse(body: string): string | undefined {
  let answer: { type?: number; data?: { content?: string; flags?: number; title?: string } } | undefined;
  try {
    answer = JSON.parse(body);
  } catch {
    return undefined;
  }
  switch (answer?.type) {
    case 4:
      return answer.data?.content ? `${privately(answer.data)}: ${textOf(answer.data)}` : undefined;
    case 5:
      return 'privately: (thinking…; the answer follows)';
    case 7:
      return `updated the message: ${answer.data ? textOf(answer.data) : ''}`;
    case 9:
      return `opened the form "${answer.data?.title ?? ''}"`;
    default:
      return undefined;
  }
}

/**
 * Where `npm run dev` takes sandbox gateway dispatches (messages, reactions, joins) and hands them to the
 * gateway ingestion, as the relay (issue 10) will. Mounted in sandbox mode only, on loopback.
 */
export const SANDBOX_GATEWAY_PATH = '/discord/gateway';

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
  startFakeApi: (options = {}) => startDiscordApi(options),
  describe: describeCall,
  describeAnswer: describeResponse,
  sign(action, now = new Date()): SignedRequest {
    if (action.kind === 'press') return signedDelivery(pressInteraction(sandboxPressOf(action), now), now);
    if (action.kind !== 'command') {
      // Messages, reactions and joins reach a bot only through the gateway, never as signed HTTP requests:
      // in the sandbox they go, as the dispatch the gateway would send, to the local runner's stand-in route.
      return {
        path: SANDBOX_GATEWAY_PATH,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(gatewayDispatchOf(action, now)),
      };
    }
    return signedDelivery(commandInteraction(action, now), now);
  },
};
