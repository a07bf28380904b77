import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Platform } from '../core/events.js';
import type { Env } from '../lambda/env.js';
import type { HttpHandler } from '../lambda/http.js';
import { jsonResult } from '../lambda/http.js';
import { createDynamoClient } from '../store/client.js';
import { TABLE } from '../store/table.js';
import { ensureTable, startEmbeddedDynamo } from './dynamo.js';
import type { FakeServer } from './fake-server.js';
import { serveWithHandler, writeResult } from './http-bridge.js';
import type { PlatformSandbox } from './sandbox.js';
import { SANDBOXES } from './sandboxes/index.js';

/** What a platform needs to talk to the real service; with none of it set, it runs as a sandbox. */
export const LIVE_SETTINGS: Readonly<Record<Platform, readonly string[]>> = {
  slack: ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_BOT_ID', 'SLACK_BOT_USER_ID'],
  discord: ['DISCORD_PUBLIC_KEY', 'DISCORD_APPLICATION_ID', 'DISCORD_BOT_TOKEN'],
  telegram: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_SECRET_TOKEN', 'TELEGRAM_BOT_USERNAME'],
};

export type PlatformMode = 'sandbox' | 'live';

/** A line of what a bot said to a fake platform API, for the terminal and `npm run say`. */
export interface SaidLine {
  readonly platform: Platform;
  readonly line: string;
}

export interface LocalOptions {
  /** HTTP port for the webhooks; 0 picks a free one. */
  readonly port: number;
  /** Where dynalite keeps its data; in memory when omitted. */
  readonly dataDir?: string;
  /** dynalite's port; 0 picks a free one. */
  readonly dynamoPort?: number;
  /** The environment to read settings from (never mutated; the handlers get their own copy in process.env). */
  readonly env: Env;
  readonly log: (line: string) => void;
}

export interface LocalRuntime {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly modes: Readonly<Record<Platform, PlatformMode>>;
  readonly said: readonly SaidLine[];
  close(): Promise<void>;
}

/**
 * Everything `npm run dev` runs, in one process: embedded DynamoDB, the table, a fake API per sandboxed
 * platform, and one HTTP server that mounts the three real Lambda handlers at their AWS paths.
 */
export async function startLocal(options: LocalOptions): Promise<LocalRuntime> {
  const tableName = options.env.TABLE_NAME?.trim() || TABLE.localName;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = await startEmbeddedDynamo({
    ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
    port: options.dynamoPort ?? 0,
  });
  const client = createDynamoClient({ tableName, endpoint: dynamo.endpoint });
  if (await ensureTable(client, tableName)) options.log(`created table ${tableName}`);
  client.destroy();

  const said: SaidLine[] = [];
  const fakes: FakeServer[] = [];
  const modes = {} as Record<Platform, PlatformMode>;
  Object.assign(process.env, { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint });
  for (const sandbox of SANDBOXES) {
    modes[sandbox.platform] = modeOf(sandbox.platform, options.env);
    if (modes[sandbox.platform] === 'live') {
      copySettings(sandbox.platform, options.env);
      continue;
    }
    const fake = await startSandboxApi(sandbox, (line) => {
      said.push({ platform: sandbox.platform, line });
      options.log(`[${sandbox.platform}] bot -> ${line}`);
    });
    fakes.push(fake);
    Object.assign(process.env, sandbox.env(fake.url));
  }
  const routes = await loadHandlers(SANDBOXES);
  const server = await listen(options.port, routes, said, modes, tableName);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    modes,
    said,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all(fakes.map((fake) => fake.close()));
      await dynamo.close();
    },
  };
}

function modeOf(platform: Platform, env: Env): PlatformMode {
  const settings = LIVE_SETTINGS[platform];
  const missing = settings.filter((name) => !env[name]?.trim());
  if (missing.length === settings.length) return 'sandbox';
  if (missing.length === 0) return 'live';
  throw new ConfigError(
    `${platform}: set all of ${settings.join(', ')} to talk to the real ${platform}, or none to use the ` +
      `sandbox (missing ${missing.join(', ')})`,
  );
}

function copySettings(platform: Platform, env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(`${platform.toUpperCase()}_`) && value !== undefined) process.env[name] = value;
  }
}

async function startSandboxApi(
  sandbox: PlatformSandbox,
  onSaid: (line: string) => void,
): Promise<FakeServer> {
  return sandbox.startFakeApi({
    onRequest: (request) => {
      const line = sandbox.describe(request);
      if (line) onSaid(line);
    },
  });
}

/** Imports each bot's real handler once its environment is in place (they read config at import). */
async function loadHandlers(sandboxes: readonly PlatformSandbox[]): Promise<Map<string, HttpHandler>> {
  const modules: Record<Platform, () => Promise<{ handler: HttpHandler }>> = {
    slack: () => import('../../bots/slack/handler.js'),
    discord: () => import('../../bots/discord/handler.js'),
    telegram: () => import('../../bots/telegram/handler.js'),
  };
  const routes = new Map<string, HttpHandler>();
  for (const sandbox of sandboxes) routes.set(sandbox.path, (await modules[sandbox.platform]()).handler);
  return routes;
}

async function listen(
  port: number,
  routes: Map<string, HttpHandler>,
  said: readonly SaidLine[],
  modes: Record<Platform, PlatformMode>,
  tableName: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const handler = routes.get(path);
    if (request.method === 'POST' && handler) return void serveWithHandler(handler, request, response);
    if (request.method === 'GET' && path === '/health') {
      return writeResult(
        response,
        jsonResult(200, { ok: true, table: tableName, platforms: modes, said: said.length }),
      );
    }
    if (request.method === 'GET' && path === '/sandbox/said') {
      const after = Number(new URL(request.url ?? '/', 'http://localhost').searchParams.get('after') ?? 0);
      return writeResult(response, jsonResult(200, said.slice(after)));
    }
    writeResult(response, jsonResult(404, { error: `No route for ${request.method} ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
