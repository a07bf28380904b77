/**
 * The settings of `npm run discord:register`, apart from the handler's: this runs outside Lambda, so it may
 * read the secret with the Secrets Manager SDK, which the handler's bundle must not carry (even as a chunk).
 */
import type { Env } from '../../shared/lambda/env.js';
import { requireEnv } from '../../shared/lambda/env.js';
import { type SecretSource, secretSource } from '../../shared/lambda/secrets.js';
import { readWithSecretsManagerSdk } from '../../shared/lambda/secrets-sdk.js';
import { discordApiUrl } from './config.js';

/** What `register.ts` needs to (re)register the slash commands. */
export interface DiscordRegisterConfig {
  /** DISCORD_APPLICATION_ID: the application the commands belong to. */
  readonly applicationId: string;
  /** DISCORD_API_URL: as in {@link DiscordConfig.apiUrl}. */
  readonly apiUrl: string;
  /**
   * DISCORD_BOT_TOKEN from the environment or, with only DISCORD_SECRET_ARN set, from Secrets Manager through
   * the SDK and the caller's AWS credentials (this runs outside Lambda, where the secrets extension is not).
   */
  readonly secrets: SecretSource<'DISCORD_BOT_TOKEN'>;
}

/** Reads the command registration settings (run from a developer machine or CI, not from Lambda). */
export function loadDiscordRegisterConfig(env: Env): DiscordRegisterConfig {
  return Object.freeze({
    applicationId: requireEnv(env, 'DISCORD_APPLICATION_ID'),
    apiUrl: discordApiUrl(env),
    secrets: secretSource(env, ['DISCORD_BOT_TOKEN'], 'DISCORD_SECRET_ARN', readWithSecretsManagerSdk),
  });
}
