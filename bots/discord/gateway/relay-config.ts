/**
 * The relay's settings, read once at start. The relay runs outside Lambda (a container in AWS, a process in
 * `npm run dev`), so a secret given by ARN is read with the Secrets Manager SDK client (the Lambda extension
 * the handler reads through is not there), with the task's role.
 */
import { ConfigError } from '../../../shared/core/errors.js';
import { type Env, loadSpacesMode, loadStoreConfig } from '../../../shared/lambda/env.js';
import { loadPseudonyms } from '../../../shared/lambda/member-key.js';
import { type SecretReader, secretSource } from '../../../shared/lambda/secrets.js';
import { readWithSecretsManagerSdk } from '../../../shared/lambda/secrets-sdk.js';
import { loadWakeConfig } from '../../../shared/lambda/wake.js';
import type { DiscordCoreConfig } from '../community.js';
import { discordApiUrl } from '../config.js';

/** Where the health check listens unless RELAY_HEALTH_PORT says otherwise. */
export const DEFAULT_RELAY_HEALTH_PORT = 8080;

export interface RelayConfig {
  /**
   * DISCORD_BOT_TOKEN from the environment or, with only DISCORD_SECRET_ARN set (AWS), from that secret's
   * `DISCORD_BOT_TOKEN` key, read once when the relay starts. The same source serves the core's REST calls.
   */
  readonly token: () => Promise<string>;
  /**
   * DISCORD_API_URL: the REST root (`https://discord.com/api` unless set). The gateway client asks its
   * GET /gateway/bot where to connect, so pointing this at a fake API points the relay at a fake gateway.
   */
  readonly apiUrl: string;
  /** RELAY_HEALTH_PORT: the port of `GET /health` (default 8080; 0 picks a free one). */
  readonly healthPort: number;
  /**
   * What the core needs (the table, member key, spaces mode, outbox wake-up, later queue), from the same
   * variables as the interactions handler. The later queue is the interactions function
   * (DISCORD_LATER_FUNCTION_NAME, else AWS_LAMBDA_FUNCTION_NAME), which posts a new server's notice.
   */
  readonly core: DiscordCoreConfig;
}

/**
 * Reads the relay's settings; a missing or invalid one fails at start, naming the variable. `read` reads a
 * secret by ARN (the SDK client unless a test gives another).
 */
export function loadRelayConfig(env: Env, read: SecretReader = readWithSecretsManagerSdk): RelayConfig {
  const secrets = secretSource(env, ['DISCORD_BOT_TOKEN'], 'DISCORD_SECRET_ARN', read);
  const apiUrl = discordApiUrl(env);
  const functionName = env.DISCORD_LATER_FUNCTION_NAME?.trim() || env.AWS_LAMBDA_FUNCTION_NAME?.trim();
  if (!functionName) {
    throw new ConfigError(
      "Missing environment variable DISCORD_LATER_FUNCTION_NAME (the Discord interactions function, which posts a new server's notice)",
    );
  }
  const endpoint = env.LAMBDA_ENDPOINT?.trim();
  return Object.freeze({
    token: async () => (await secrets()).DISCORD_BOT_TOKEN,
    apiUrl,
    healthPort: healthPort(env),
    core: Object.freeze({
      apiUrl,
      store: loadStoreConfig(env),
      secrets,
      later: Object.freeze({ functionName, ...(endpoint ? { endpoint } : {}) }),
      spacesMode: loadSpacesMode(env),
      pseudonyms: loadPseudonyms(env, read),
      wake: loadWakeConfig(env),
    }),
  });
}

function healthPort(env: Env): number {
  const value = env.RELAY_HEALTH_PORT?.trim();
  if (!value) return DEFAULT_RELAY_HEALTH_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new ConfigError(`RELAY_HEALTH_PORT must be a port number (0-65535), not "${value}"`);
  }
  return port;
}
