/**
 * `npm run dev` with a real Discord bot token: the gateway relay runs in the dev process, so messages,
 * reactions and joins in the bot's real servers reach the local table, as the relay's container does in AWS.
 * In the sandbox (no token, or the sandbox's own) nothing connects: `npm run say` posts dispatches to the
 * sandbox's gateway route instead.
 */
import { createDiscordGatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { createDiscordRelay, type DiscordRelay } from '../../bots/discord/gateway/relay.js';
import { loadRelayConfig } from '../../bots/discord/gateway/relay-config.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { SANDBOX_BOT_TOKEN } from '../../bots/discord/sandbox-cast.js';
import { ConfigError } from '../../shared/core/errors.js';
import type { Env } from '../../shared/lambda/env.js';
import { createLogger } from '../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';

/** The bot token's setting, as the descriptor names it. */
const TOKEN = discordPlatform.secret.generated.name;

export interface DiscordLiveDeps extends HandlerDeps {
  /** A line for the terminal. */
  readonly log: (line: string) => void;
}

/**
 * Starts the relay when `env` (the Discord bot's environment as the local runner builds it: its settings,
 * the table, the member key, the later and outbox functions) holds a real DISCORD_BOT_TOKEN; resolves once it
 * is connected, or to `undefined` in the sandbox. Its health check listens on RELAY_HEALTH_PORT, else on a
 * free port. Fails with the reason when Discord refuses the bot (e.g. the Server Members intent is off).
 */
export async function startDiscordRelayIfConfigured(
  env: Env,
  deps: DiscordLiveDeps,
): Promise<DiscordRelay | undefined> {
  const token = env[TOKEN]?.trim();
  if (!token || token === SANDBOX_BOT_TOKEN) return undefined;
  const config = loadRelayConfig({ ...env, RELAY_HEALTH_PORT: env.RELAY_HEALTH_PORT?.trim() || '0' });
  const logger = deps.logger ?? createLogger('discord-relay');
  const { log, ...handlerDeps } = deps;
  const relay = createDiscordRelay({
    config,
    ingestion: createDiscordGatewayIngestion(config.core, { ...handlerDeps, logger }),
    logger,
  });
  try {
    await relay.start();
  } catch (error) {
    await relay.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `The Discord gateway relay could not connect: ${reason}. Check ${TOKEN}, and that the bot's ` +
        'Server Members Intent is on (Developer Portal, Bot, Privileged Gateway Intents).',
      { cause: error },
    );
  }
  log(`[discord] gateway relay connected to ${config.apiUrl}; health ${relay.healthUrl}/health`);
  return relay;
}
