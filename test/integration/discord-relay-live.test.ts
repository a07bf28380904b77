/**
 * `npm run dev`'s relay (infra/local/discord-live.ts): started only for a real bot token, and then hearing
 * the gateway into the local table; in the sandbox nothing connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../../bots/discord/fake-gateway.js';
import type { DiscordRelay } from '../../bots/discord/gateway/relay.js';
import { SANDBOX_BOT_TOKEN } from '../../bots/discord/sandbox-cast.js';
import { gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import { startGatewayBotApi } from '../../bots/discord/sandbox-gateway-bot.js';
import { startDiscordRelayIfConfigured } from '../../infra/local/discord-live.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import { discordBot } from './discord-harness.js';
import { until } from './discord-relay-harness.js';

const context = discordBot();
const LIVE_TOKEN = 'a-real-looking-bot-token';
let gateway: FakeGateway;
let api: FakeServer;
const started: DiscordRelay[] = [];

beforeAll(async () => {
  gateway = await startFakeGateway({ token: LIVE_TOKEN, heartbeatIntervalMs: 1000 });
  api = await startGatewayBotApi(gateway.gatewayBot, LIVE_TOKEN);
});
afterAll(async () => {
  await Promise.all(started.map((relay) => relay.stop()));
  await Promise.all([gateway.close(), api.close()]);
});

describe('startDiscordRelayIfConfigured', () => {
  it.each([
    ['the sandbox token', SANDBOX_BOT_TOKEN],
    ['no token', ''],
  ])('starts nothing with %s', async (_, token) => {
    const lines: string[] = [];
    const identifiesBefore = gateway.identifies.length;

    const relay = await startDiscordRelayIfConfigured(
      { ...context.bot.env, DISCORD_BOT_TOKEN: token, DISCORD_API_URL: api.url },
      { log: (line) => lines.push(line) },
    );

    expect(relay).toBeUndefined();
    expect(lines).toEqual([]);
    expect(gateway.identifies).toHaveLength(identifiesBefore);
  });

  it('connects with a real token and records what the gateway says', async () => {
    // Prepare
    const lines: string[] = [];
    const recorded: string[] = [];
    const message = gatewayMessage({ user: 'livelaura', channel: 'general' }, new Date());

    // Act
    const relay = await startDiscordRelayIfConfigured(
      { ...context.bot.env, DISCORD_BOT_TOKEN: LIVE_TOKEN, DISCORD_API_URL: api.url },
      {
        log: (line) => lines.push(line),
        logger: context.capture.deps.logger,
        onRecorded: (record, outcome) => recorded.push(`${outcome} ${record.kind} ${record.messageId}`),
      },
    );
    if (relay) started.push(relay);
    gateway.dispatch(message.t, message.d);
    await until(() => recorded.length > 0, 'the message recorded');

    // Assess
    expect(relay).toBeDefined();
    expect(lines).toEqual([expect.stringMatching(/^\[discord\] gateway relay connected to http:/)]);
    expect(recorded).toEqual([`recorded message_posted ${message.d.id}`]);
  });
});
