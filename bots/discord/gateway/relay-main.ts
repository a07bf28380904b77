/**
 * The relay's process entry: the container's command (`node relay-main.mjs` after an esbuild bundle) and a
 * CLI (`npx tsx bots/discord/gateway/relay-main.ts`). Reads the settings once, connects, and on SIGTERM (ECS
 * stopping the task) or SIGINT closes the connection normally, finishes the dispatches already received and
 * exits 0. A start that fails exits 1, so the service restarts the task. Never imported by the Lambda
 * handler (test/unit/discord-gateway-boundary.test.ts).
 */
import { createLogger } from '../../../shared/lambda/logger.js';
import { createDiscordGatewayIngestion } from './ingest.js';
import { createDiscordRelay } from './relay.js';
import { loadRelayConfig } from './relay-config.js';

const logger = createLogger('discord-relay');

try {
  const config = loadRelayConfig(process.env);
  const relay = createDiscordRelay({
    config,
    ingestion: createDiscordGatewayIngestion(config.core, { logger }),
    logger,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    // A second signal while stopping is ignored: the dispatches in flight still finish.
    if (stopping) return;
    stopping = true;
    logger.info('relay stopping', { signal });
    await relay.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await relay.start();
  logger.info('relay listening', { health: relay.healthUrl });
} catch (error) {
  logger.error('relay could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
