/**
 * What the relay tests share: the real relay (real @discordjs/ws) against the fake gateway (fake-gateway.ts)
 * and a REST server answering GET /gateway/bot, feeding the real ingestion on the Discord test bot's table,
 * later queue and fake API (discord-harness.ts). Time the relay waits on (the identify throttle, retries)
 * and the fake's limits share one simulated clock that skips every wait instead of sleeping.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import {
  type FakeGateway,
  type FakeGatewayOptions,
  startFakeGateway,
} from '../../bots/discord/fake-gateway.js';
import { createDiscordGatewayIngestion, type GatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { createDiscordRelay, type DiscordRelay, type RelayClock } from '../../bots/discord/gateway/relay.js';
import { loadRelayConfig } from '../../bots/discord/gateway/relay-config.js';
import { SANDBOX_BOT_TOKEN } from '../../bots/discord/sandbox-cast.js';
import { startGatewayBotApi } from '../../bots/discord/sandbox-gateway-bot.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import type { DiscordContext } from './discord-harness.js';

/** A dispatch as the sandbox builders make it (sandbox-gateway.ts). */
export interface Dispatch {
  readonly t: string;
  readonly d: unknown;
}

/** A relay under test and every dispatch it handed to the core, in order. */
export interface RelayUnderTest {
  readonly relay: DiscordRelay;
  readonly handled: readonly Dispatch[];
}

/** A clock that never sleeps: a wait moves it forward at once (it still runs on with real time). */
export interface SkippingClock extends RelayClock {
  /** Moves the clock forward, as if `ms` passed. */
  skip(ms: number): void;
}

export function skippingClock(): SkippingClock {
  let skipped = 0;
  return {
    now: () => Date.now() + skipped,
    sleep: async (ms) => {
      skipped += ms;
    },
    skip: (ms) => {
      skipped += ms;
    },
  };
}

export interface RelayWorld {
  readonly gateway: FakeGateway;
  /** The REST server answering GET /gateway/bot (the relay's DISCORD_API_URL). */
  readonly apiUrl: string;
  readonly clock: SkippingClock;
  /** A relay on the test bot's table (not started), with settings on top of the bot's; stopped after the test. */
  relay(env?: Record<string, string>): RelayUnderTest;
  /** Sends dispatches through the fake gateway, to every live session. */
  send(...dispatches: Dispatch[]): void;
}

/**
 * A fake gateway (and its GET /gateway/bot) per test, with fast heartbeats (1 s: faster would pass 120 sends
 * per 60 s on heartbeats alone); every relay made is stopped after the test.
 */
export function relayWorld(context: DiscordContext, options: Partial<FakeGatewayOptions> = {}): RelayWorld {
  const made: RelayUnderTest[] = [];
  const world = {} as { gateway: FakeGateway; api: FakeServer; clock: SkippingClock };
  beforeEach(async () => {
    world.clock = skippingClock();
    world.gateway = await startFakeGateway({
      token: SANDBOX_BOT_TOKEN,
      clock: world.clock.now,
      heartbeatIntervalMs: 1000,
      ...options,
    });
    world.api = await startGatewayBotApi(world.gateway.gatewayBot);
  });
  afterEach(async () => {
    await Promise.all(made.splice(0).map(({ relay }) => relay.stop()));
    await Promise.all([world.gateway.close(), world.api.close()]);
  });
  return {
    get gateway() {
      return world.gateway;
    },
    get clock() {
      return world.clock;
    },
    get apiUrl() {
      return world.api.url;
    },
    relay(env = {}) {
      const handled: Dispatch[] = [];
      const ingestion = observed(
        createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), context.capture.deps),
        handled,
      );
      // The relay's own settings from the bot's environment; its REST root is where GET /gateway/bot is.
      const config = loadRelayConfig({
        ...context.bot.env,
        DISCORD_API_URL: world.api.url,
        RELAY_HEALTH_PORT: '0',
        ...env,
      });
      const relay = createDiscordRelay({
        config,
        ingestion,
        logger: context.capture.deps.logger,
        clock: world.clock,
      });
      const underTest = { relay, handled };
      made.push(underTest);
      return underTest;
    },
    send(...dispatches) {
      for (const { t, d } of dispatches) world.gateway.dispatch(t, d);
    },
  };
}

/** The real ingestion, noting each dispatch once the core has handled it. */
function observed(ingestion: GatewayIngestion, handled: Dispatch[]): GatewayIngestion {
  return {
    async dispatch(payload) {
      const result = await ingestion.dispatch(payload);
      handled.push(payload as Dispatch);
      return result;
    },
  };
}

/** Waits until `check` holds (the relay works asynchronously); fails with `what` after a few seconds. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sameDispatch = (a: Dispatch, b: Dispatch) => a.t === b.t && JSON.stringify(a.d) === JSON.stringify(b.d);

/** Waits until the relay has handed every one of `dispatches` to the core, then for its queue to drain. */
export async function handledAll(underTest: RelayUnderTest, dispatches: readonly Dispatch[]): Promise<void> {
  await until(
    () => dispatches.every((dispatch) => underTest.handled.some((seen) => sameDispatch(seen, dispatch))),
    `${dispatches.length} dispatches handled`,
  );
  await underTest.relay.settled();
}

/** How often the relay handed this dispatch to the core. */
export const timesHandled = (underTest: RelayUnderTest, dispatch: Dispatch) =>
  underTest.handled.filter((seen) => sameDispatch(seen, dispatch)).length;
