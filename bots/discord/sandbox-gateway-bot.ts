/**
 * TEST AND DEV ONLY. Discord's Get Gateway Bot (`GET /gateway/bot`) for the fake REST API: where the fake
 * gateway listens, one shard, and the session start limit (whose `max_concurrency` the relay's identify
 * throttle reads). The relay's @discordjs/ws client asks this before it connects, which is how DISCORD_API_URL
 * points it at the fake gateway (fake-gateway.ts).
 */
import {
  type FakeResponse,
  type FakeServer,
  type ReceivedRequest,
  startFakeServer,
} from '../../shared/platform/fake-server.js';
import type { GatewayBotInfo } from './fake-gateway.js';
import { SANDBOX_BOT_TOKEN } from './sandbox-cast.js';
import { discordError } from './sandbox-messages.js';

/** The route below the API root, as @discordjs/rest calls it (a base URL ending in `/api` adds that too). */
const GATEWAY_BOT = /^(?:\/api)?\/v10\/gateway\/bot$/;

/**
 * Answers Get Gateway Bot from `gateway` (a fake gateway's `gatewayBot`), or `undefined` for any other route.
 * Bot-authorised like every other bot call of the fake API.
 */
export function answerGatewayBot(
  request: Pick<ReceivedRequest, 'method' | 'path' | 'headers'>,
  gateway: () => GatewayBotInfo,
  token = SANDBOX_BOT_TOKEN,
): FakeResponse | undefined {
  if (request.method !== 'GET' || !GATEWAY_BOT.test(request.path)) return undefined;
  if (request.headers.authorization !== `Bot ${token}`) return discordError(401, 0, '401: Unauthorized');
  return { body: gateway() };
}

/**
 * A REST server with only Get Gateway Bot, for a relay whose DISCORD_API_URL may not reach the full fake API
 * (the relay makes no other REST call of its own; the core it feeds uses its own API URL).
 */
export function startGatewayBotApi(
  gateway: () => GatewayBotInfo,
  token = SANDBOX_BOT_TOKEN,
): Promise<FakeServer> {
  return startFakeServer(
    'discord-gateway-bot',
    (request) => answerGatewayBot(request, gateway, token) ?? discordError(404, 0, '404: Not Found'),
  );
}
