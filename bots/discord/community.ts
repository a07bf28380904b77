/**
 * The core as Discord runs it, built once per process from the Discord config: the interactions handler
 * (edge.ts) and the gateway ingestion (gateway/ingest.ts) use this one wiring, so an event the gateway
 * delivers and a command the endpoint receives meet the same store, spaces, later queue and messenger.
 *
 * No network call at build: the table client, the Lambda client and the REST client all connect on first use.
 */
import { type Community, createCommunity } from '../../shared/core/community.js';
import { createLaterQueue } from '../../shared/lambda/later-queue.js';
import { createLogger, type Logger } from '../../shared/lambda/logger.js';
import { createWake } from '../../shared/lambda/wake.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createStore } from '../../shared/store/index.js';
import type { DiscordConfig } from './config.js';
import { createDiscordMessenger } from './messenger.js';
import { DISCORD_MODERATOR_RULE } from './moderators.js';
import { createDiscordRest } from './rest.js';

/**
 * What the core needs from the Discord config. The interactions endpoint's own settings (public key,
 * application id) are not part of it, so a process that only ingests gateway events can build it too.
 */
export type DiscordCoreConfig = Pick<
  DiscordConfig,
  'apiUrl' | 'store' | 'secrets' | 'later' | 'spacesMode' | 'pseudonyms' | 'wake'
>;

/** The core and what it was built with, for the caller to reuse (one logger, one clock per process). */
export interface DiscordCommunity {
  readonly community: Community;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * Wires the core to DynamoDB, the later queue, the outbox worker's wake-up and Discord's REST API (the bot
 * token is read on first use).
 */
export function createDiscordCommunity(
  config: DiscordCoreConfig,
  deps: HandlerDeps = {},
  serviceName = 'discord',
): DiscordCommunity {
  const logger = deps.logger ?? createLogger(serviceName);
  const now = deps.now ?? (() => new Date());
  const rest = createDiscordRest({
    apiUrl: config.apiUrl,
    token: async () => (await config.secrets()).DISCORD_BOT_TOKEN,
  });
  const store = createStore(config.store);
  const community = createCommunity({
    stores: store.core,
    messenger: createDiscordMessenger({ rest, logger }),
    moderatorRule: DISCORD_MODERATOR_RULE,
    spacesMode: config.spacesMode,
    pseudonyms: config.pseudonyms,
    later: createLaterQueue(config.later),
    // Something due now (a welcome, an announcement) leaves within seconds instead of at the next scheduled run.
    wake: createWake(config.wake, store.lease, logger),
    logger,
    now,
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  });
  return { community, logger, now };
}
