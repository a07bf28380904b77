/**
 * The Discord gateway relay: the long-running process that hears what Discord only says over the gateway
 * (messages, replies, reactions, joins, the bot's own servers) and hands every dispatch to the ingestion
 * (ingest.ts), which records or applies it exactly once. Built on discord.js's own gateway client,
 * @discordjs/ws: it heartbeats, resumes after a RECONNECT or a dropped connection, identifies again after an
 * INVALID SESSION, and keeps under Discord's 120 sends per 60 s on its own (WebSocketShard queues
 * non-essential sends past 115 per minute; identify, resume and heartbeats go first).
 *
 * Exactly once is the core's job, not the relay's: a resume may replay, and two relays (old and new task
 * during a deploy) both deliver everything, so the relay simply delivers every dispatch at least once.
 */
import { REST } from '@discordjs/rest';
import {
  type IIdentifyThrottler,
  type SessionInfo,
  WebSocketManager,
  WebSocketShardEvents,
  WebSocketShardStatus,
} from '@discordjs/ws';
import { GatewayIntentBits } from 'discord-api-types/v10';
import type { Logger } from '../../../shared/lambda/logger.js';
import type { GatewayIngestion } from './ingest.js';
import type { RelayConfig } from './relay-config.js';
import {
  createDispatchQueue,
  DISPATCH_RETRY,
  type RelayClock,
  type RetryPolicy,
  systemRelayClock,
} from './relay-dispatches.js';
import { type HealthServer, type HealthState, startHealthServer } from './relay-health.js';

export { type RelayClock, type RetryPolicy, systemRelayClock } from './relay-dispatches.js';

/**
 * What the relay asks Discord for. GuildMembers is privileged (enabled in the Developer Portal) and brings
 * joins and leaves; MessageContent is not asked for: the bot never reads what members write, so most
 * messages arrive with empty content and their length is recorded as unknown.
 */
export const RELAY_INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.GuildMessageReactions |
  GatewayIntentBits.GuildMembers;

/** Discord: each identify bucket (`shard_id % max_concurrency`) may identify once per 5 seconds. */
export const IDENTIFY_WINDOW_MS = 5000;

export interface DiscordRelayOptions {
  readonly config: Pick<RelayConfig, 'token' | 'apiUrl' | 'healthPort'>;
  /** Where every dispatch goes (createDiscordGatewayIngestion, on the same table as the handler). */
  readonly ingestion: GatewayIngestion;
  readonly logger: Logger;
  /** The identify throttle's and the retries' time (default: the system's). */
  readonly clock?: RelayClock;
  readonly retry?: RetryPolicy;
}

export interface DiscordRelay {
  /**
   * Starts `GET /health`, then connects; resolves once the gateway is READY. Rejects when Discord refuses
   * the bot for good (a wrong token, a privileged intent not enabled), logging why.
   */
  start(): Promise<void>;
  /** Closes the connection with a normal close, waits for the dispatches already received, then stops. */
  stop(): Promise<void>;
  /** The health endpoint, once started. */
  readonly healthUrl: string | undefined;
  /** Resolves once every dispatch received so far has been handed to the core (tests, the bench). */
  settled(): Promise<void>;
}

export function createDiscordRelay(options: DiscordRelayOptions): DiscordRelay {
  const { config, logger } = options;
  const clock = options.clock ?? systemRelayClock;
  const queue = createDispatchQueue(options.ingestion, logger, clock, options.retry ?? DISPATCH_RETRY);
  // This relay's own session, never the library's process-wide default store: two relays in one process
  // (the tests) must not resume each other's session.
  const sessions = new Map<number, SessionInfo>();
  let manager: WebSocketManager | undefined;
  let health: HealthServer | undefined;
  let stopping = false;

  async function state(): Promise<HealthState> {
    if (!manager || stopping) return { ready: false, status: stopping ? 'stopping' : 'starting' };
    const statuses = [...(await manager.fetchStatus()).values()];
    const ready = statuses.length > 0 && statuses.every((status) => status === WebSocketShardStatus.Ready);
    return { ready, status: statuses.map((status) => WebSocketShardStatus[status]).join(',') || 'idle' };
  }

  function build(token: string): WebSocketManager {
    const rest = new REST({ api: config.apiUrl, version: '10', makeRequest: nodeFetch }).setToken(token);
    const built = new WebSocketManager({
      token,
      intents: RELAY_INTENTS,
      rest,
      buildIdentifyThrottler: async (self) =>
        identifyThrottler((await self.fetchGatewayInformation()).session_start_limit.max_concurrency, clock),
      retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
      updateSessionInfo: (shardId, info) => {
        if (info) sessions.set(shardId, info);
        else sessions.delete(shardId);
      },
    });
    built.on(WebSocketShardEvents.Dispatch, (payload) => queue.push(payload));
    built.on(WebSocketShardEvents.Ready, (data, shardId) =>
      logger.info('gateway ready', { shardId, guilds: data.guilds.length }),
    );
    built.on(WebSocketShardEvents.Resumed, (shardId) => logger.info('gateway resumed', { shardId }));
    built.on(WebSocketShardEvents.Closed, (code, shardId) => {
      if (!stopping) logger.warn('gateway connection closed', { shardId, code });
    });
    built.on(WebSocketShardEvents.SocketError, (error, shardId) =>
      logger.warn('gateway socket error', { shardId, error: error.message }),
    );
    built.on(WebSocketShardEvents.Debug, (message, shardId) => logger.debug(message, { shardId }));
    return built;
  }

  return {
    async start() {
      health = await startHealthServer(config.healthPort, state);
      manager = build(await config.token());
      await connectOrFail(manager, logger);
    },
    async stop() {
      stopping = true;
      // A normal close (1000): Discord ends the session; the next start identifies afresh.
      await manager?.destroy({ code: 1000, reason: 'relay stopping' });
      await queue.idle();
      await health?.close();
      logger.info('relay stopped');
    },
    get healthUrl() {
      return health?.url;
    },
    settled: () => queue.idle(),
  };
}

/**
 * Connects, failing instead of waiting forever when the library gives up on the shard (it emits `error` for
 * a close Discord means as final: authentication failed, invalid or disallowed intents, sharding required).
 */
async function connectOrFail(manager: WebSocketManager, logger: Logger): Promise<void> {
  let onError: ((error: Error, shardId: number) => void) | undefined;
  const refused = new Promise<never>((_, reject) => {
    onError = (error, shardId) => {
      const hint = /disallowed intents/i.test(error.message)
        ? 'enable the Server Members Intent for the bot in the Discord Developer Portal (Bot, Privileged Gateway Intents)'
        : undefined;
      logger.error('gateway refused the relay', { shardId, error: error.message, ...(hint ? { hint } : {}) });
      reject(error);
    };
    manager.on(WebSocketShardEvents.Error, onError);
  });
  try {
    await Promise.race([manager.connect(), refused]);
  } finally {
    // Later errors are logged, not thrown: the library recovers from what it can.
    if (onError) manager.removeListener(WebSocketShardEvents.Error, onError);
    manager.on(WebSocketShardEvents.Error, (error, shardId) =>
      logger.error('gateway error', { shardId, error: error.message }),
    );
  }
}

/**
 * Identify throttling from GET /gateway/bot's `max_concurrency`: the library's own SimpleIdentifyThrottler
 * keeps the same rule on the wall clock; this one waits on the relay's clock, so tests of a re-identify do
 * not sleep five real seconds.
 */
export function identifyThrottler(maxConcurrency: number, clock: RelayClock): IIdentifyThrottler {
  const lastIdentify = new Map<number, number>();
  const turns = new Map<number, Promise<void>>();
  return {
    async waitForIdentify(shardId, signal) {
      const bucket = shardId % Math.max(1, maxConcurrency);
      const previous = turns.get(bucket) ?? Promise.resolve();
      let release = () => {};
      turns.set(bucket, new Promise<void>((resolve) => (release = resolve)));
      await previous;
      try {
        const wait =
          (lastIdentify.get(bucket) ?? Number.NEGATIVE_INFINITY) + IDENTIFY_WINDOW_MS - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        lastIdentify.set(bucket, clock.now());
      } finally {
        release();
      }
    },
  };
}

/** Node's own fetch for the one REST call the relay makes (GET /gateway/bot), as rest.ts does. */
const nodeFetch = (url: string, init: unknown) => fetch(url, init as RequestInit);
