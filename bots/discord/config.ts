import type { SpacesMode } from '../../shared/core/communities/model.js';
import { ConfigError } from '../../shared/core/errors.js';
import type { Pseudonyms } from '../../shared/core/members/pseudonyms.js';
import { type Env, loadSpacesMode, loadStoreConfig, requireEnv, urlEnv } from '../../shared/lambda/env.js';
import { type LaterConfig, loadLaterConfig } from '../../shared/lambda/later-queue.js';
import { loadPseudonyms } from '../../shared/lambda/member-key.js';
import { type SecretSource, secretSource } from '../../shared/lambda/secrets.js';
import { loadWakeConfig, type WakeConfig } from '../../shared/lambda/wake.js';
import type { PlatformSetting } from '../../shared/platform/descriptor.js';
import type { StoreConfig } from '../../shared/store/client.js';

/** Discord's REST API root; the SDK appends `/v10/...`. */
export const DEFAULT_DISCORD_API_URL = 'https://discord.com/api';

/** The Discord bot's environment and where each value lives in AWS (its descriptor publishes this list). */
export const DISCORD_SETTINGS = [
  {
    name: 'DISCORD_BOT_TOKEN',
    source: 'secret',
    description:
      'bot token: DMs, posts and member lookups from the handler (read on first use), and `npm run discord:register`',
  },
  {
    name: 'DISCORD_APPLICATION_ID',
    source: 'parameter',
    description: 'Discord application id',
    parameter: { id: 'DiscordApplicationId', pattern: '^[0-9]{15,21}$' },
  },
  {
    name: 'DISCORD_PUBLIC_KEY',
    source: 'parameter',
    description: 'Discord application public key (hex), verifies interaction signatures',
    parameter: { id: 'DiscordPublicKey', pattern: '^[0-9a-fA-F]{64}$' },
  },
  {
    name: 'DISCORD_API_URL',
    source: 'optional',
    description: 'REST base, default `https://discord.com/api`',
  },
] as const satisfies readonly PlatformSetting[];

/** What the interactions endpoint needs, read once per cold start. */
export interface DiscordConfig {
  /**
   * DISCORD_PUBLIC_KEY: the application's Ed25519 public key (64 hex characters, from the Developer
   * Portal). Not a secret: it only verifies that a request was signed by Discord.
   */
  readonly publicKey: string;
  /** DISCORD_APPLICATION_ID: the application (snowflake) whose interactions this endpoint receives. */
  readonly applicationId: string;
  /**
   * DISCORD_API_URL: the REST API root, `https://discord.com/api` unless set (tests and the sandbox point it
   * at a fake server on loopback). No trailing slash.
   */
  readonly apiUrl: string;
  /** TABLE_NAME and, locally, DYNAMODB_ENDPOINT. */
  readonly store: StoreConfig;
  /**
   * DISCORD_BOT_TOKEN from the environment or, in AWS, from the secret named by DISCORD_SECRET_ARN through
   * the Lambda extension. Read on the first REST call that needs it (a DM, a post, a member lookup), never
   * at start and never for an answer given in the acknowledgement.
   */
  readonly secrets: SecretSource<'DISCORD_BOT_TOKEN'>;
  /** AWS_LAMBDA_FUNCTION_NAME and, locally, LAMBDA_ENDPOINT: where answers given later are handed. */
  readonly later: LaterConfig;
  /** SPACES_MODE: whether a new space is served at once (`open`) or once linked or approved (`approved`). */
  readonly spacesMode: SpacesMode;
  /**
   * MEMBER_KEY, or in AWS the secret named by MEMBERS_SECRET_ARN: the key of opaque member ids, shared by the
   * three bots (shared/lambda/member-key.ts). Read on the first event, never at start.
   */
  readonly pseudonyms: () => Promise<Pseudonyms>;
  /** OUTBOX_FUNCTION_NAME and, locally, LAMBDA_ENDPOINT: the outbox worker to wake when something is due now. */
  readonly wake: WakeConfig;
}

/** What the outbox transport (outbox.ts) reads in the worker's Lambda: where Discord is, and the bot token. */
export interface DiscordOutboxConfig {
  /** DISCORD_API_URL, as in {@link DiscordConfig.apiUrl}. */
  readonly apiUrl: string;
  /** DISCORD_BOT_TOKEN, or the secret named by DISCORD_SECRET_ARN; read on the first send. */
  readonly secrets: SecretSource<'DISCORD_BOT_TOKEN'>;
}

const PUBLIC_KEY = /^[0-9a-f]{64}$/i;

/** Reads the handler's settings; a missing or invalid one fails at start, naming the variable. */
export function loadDiscordConfig(env: Env): DiscordConfig {
  const publicKey = requireEnv(env, 'DISCORD_PUBLIC_KEY');
  if (!PUBLIC_KEY.test(publicKey)) {
    throw new ConfigError('DISCORD_PUBLIC_KEY must be the 64 hex characters of an Ed25519 public key');
  }
  return Object.freeze({
    publicKey: publicKey.toLowerCase(),
    applicationId: requireEnv(env, 'DISCORD_APPLICATION_ID'),
    apiUrl: discordApiUrl(env),
    store: loadStoreConfig(env),
    secrets: discordSecrets(env),
    later: loadLaterConfig(env),
    spacesMode: loadSpacesMode(env),
    pseudonyms: loadPseudonyms(env),
    wake: loadWakeConfig(env),
  });
}

/** The outbox transport's settings; a missing token (and secret ARN) fails at start, naming the variable. */
export function loadDiscordOutboxConfig(env: Env): DiscordOutboxConfig {
  return Object.freeze({ apiUrl: discordApiUrl(env), secrets: discordSecrets(env) });
}

function discordSecrets(env: Env): SecretSource<'DISCORD_BOT_TOKEN'> {
  return secretSource(env, ['DISCORD_BOT_TOKEN'], 'DISCORD_SECRET_ARN');
}

/** DISCORD_API_URL, as @discordjs/rest wants it. */
export function discordApiUrl(env: Env): string {
  // `URL` adds a slash to a bare origin; @discordjs/rest appends `/v10/...` and would double it.
  return urlEnv(env, 'DISCORD_API_URL', DEFAULT_DISCORD_API_URL).replace(/\/+$/, '');
}
