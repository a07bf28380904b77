import { mkdirSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { slackInstall } from '../../bots/slack/oauth/platform.js';
import type { RecordObserver } from '../../shared/core/community.js';
import { ConfigError } from '../../shared/core/errors.js';
import type { Platform } from '../../shared/core/events.js';
import type { Env } from '../../shared/lambda/env.js';
import { type BotHandler, type HttpHandler, jsonResult, rawBody } from '../../shared/lambda/http.js';
import { liveSettings, type PlatformDescriptor } from '../../shared/platform/descriptor.js';
import { closeServer, type FakeServer } from '../../shared/platform/fake-server.js';
import { createDynamoClient } from '../../shared/store/client.js';
import { TABLE } from '../../shared/store/table.js';
import { PLATFORM_DESCRIPTORS } from '../platforms.js';
import { advanceRoute } from './advance.js';
import { acquireDataDir, type DataDirLock } from './data-dir.js';
import { createDevClock, type DevClock } from './dev-clock.js';
import { ensureTable, startEmbeddedDynamo } from './dynamo.js';
import { startFakeLambda } from './fake-lambda.js';
import { serveWithHandler, writeResult } from './http-bridge.js';
import { startLiveConnection } from './live.js';
import { LOCAL_OUTBOX_FUNCTION, startLocalOutbox } from './outbox.js';

export type PlatformMode = 'sandbox' | 'live';

/** A line of what a bot said to a fake platform API, for the terminal and `npm run say`. */
export interface SaidLine {
  readonly platform: Platform;
  readonly line: string;
}

export interface LocalOptions {
  /** HTTP port for the webhooks; 0 picks a free one. */
  readonly port: number;
  /** Where dynalite keeps its data, locked against a second runner; in memory when omitted. */
  readonly dataDir?: string;
  /** dynalite's port; 0 picks a free one. */
  readonly dynamoPort?: number;
  /** The environment to read settings from (never mutated; each bot gets its own copy). */
  readonly env: Env;
  readonly log: (line: string) => void;
}

export interface LocalRuntime {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly modes: Readonly<Partial<Record<Platform, PlatformMode>>>;
  /** The live connections opened (Socket Mode, long polling, the gateway relay), by platform. */
  readonly connections: Readonly<Partial<Record<Platform, string>>>;
  readonly said: readonly SaidLine[];
  /** The clock every handler and the worker read: the system's, moved ahead by `npm run say -- --advance`. */
  readonly clock: DevClock;
  close(): Promise<void>;
}

/** What `npm run dev` serves unless SPACES_MODE says otherwise: every new space at once. */
export const LOCAL_SPACES_MODE = 'open';

/**
 * The member key of `npm run dev` and the tests unless MEMBER_KEY says otherwise: public, so only for data
 * that never leaves this machine (AWS generates its own, in Secrets Manager).
 */
export const LOCAL_MEMBER_KEY = 'local-development-member-key-not-a-secret';

/**
 * Everything `npm run dev` runs, in one process: embedded DynamoDB, the table, a fake API per sandboxed
 * platform, one HTTP server that mounts every bot's real handler (built by its descriptor's factory) at
 * its AWS paths, and Slack's installation flow on its GET paths, and the outbox worker on a timer
 * (infra/local/outbox.ts).
 *
 * In a sandbox, a platform setting given as empty (`SLACK_BOT_TOKEN= npm run dev`) is left out of the
 * sandbox's settings: without a bot token the Slack bot serves the workspaces installed through
 * `/slack/install`, as in AWS.
 */
export async function startLocal(options: LocalOptions): Promise<LocalRuntime> {
  const tableName = options.env.TABLE_NAME?.trim() || TABLE.localName;
  const modes = Object.fromEntries(
    PLATFORM_DESCRIPTORS.map((bot) => [bot.platform, modeOf(bot, options.env)]),
  ) as Record<Platform, PlatformMode>;
  let lock: DataDirLock | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    lock = acquireDataDir(options.dataDir);
  }
  const closers: (() => Promise<void>)[] = [async () => lock?.release()];
  try {
    const dynamo = await startEmbeddedDynamo({
      ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
      port: options.dynamoPort ?? 0,
    });
    closers.unshift(() => dynamo.close());
    const client = createDynamoClient({ tableName, endpoint: dynamo.endpoint });
    if (await ensureTable(client, tableName)) options.log(`created table ${tableName}`);
    client.destroy();

    // Later jobs (answers that take more than a moment) run as they do on Lambda: an asynchronous
    // invocation of the bot's own function, here through a local Invoke endpoint.
    const lambda = await startFakeLambda({
      onFailure: (name, error, attempt) =>
        options.log(
          `[${name}] later job failed (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    closers.unshift(() => lambda.close());
    const said: SaidLine[] = [];
    const clock = createDevClock(options.dataDir);
    const routes = new Map<string, HttpHandler>();
    const pages = new Map<string, HttpHandler>();
    const local: LocalRoutes = {};
    // Listening first: the installation flow's redirect URL is this server's.
    const server = await listen(
      options.port,
      { routes, pages, local },
      { said, modes, tableName, clock },
      () => lambda.idle(),
    );
    closers.unshift(() => closeServer(server));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shared = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SPACES_MODE: options.env.SPACES_MODE?.trim() || LOCAL_SPACES_MODE,
      MEMBER_KEY: options.env.MEMBER_KEY?.trim() || LOCAL_MEMBER_KEY,
      // Trying the sandbox at night should still show what the bot says (a community can set its own).
      DEFAULT_QUIET_HOURS: options.env.DEFAULT_QUIET_HOURS?.trim() || 'off',
    };
    // What the outbox worker sends with: every platform's settings (the sandbox's, or the real ones).
    const platformSettings: Record<string, string> = {};
    const connections: Partial<Record<Platform, string>> = {};
    for (const bot of PLATFORM_DESCRIPTORS) {
      const fake =
        modes[bot.platform] === 'sandbox' ? await startSandboxApi(bot, said, options.log) : undefined;
      if (fake) closers.unshift(() => fake.close());
      const settings = fake
        ? withoutEmptied(bot.sandbox.env(fake.url), options.env)
        : pick(
            options.env,
            bot.settings.map((setting) => setting.name),
          );
      Object.assign(platformSettings, settings);
      const env = {
        ...settings,
        ...shared,
        AWS_LAMBDA_FUNCTION_NAME: `community-${bot.platform}`,
        LAMBDA_ENDPOINT: lambda.url,
        OUTBOX_FUNCTION_NAME: LOCAL_OUTBOX_FUNCTION,
      };
      const deps = { onRecorded: recordedLine(bot.platform, options.log), now: clock.now };
      const handler = bot.createHandler(env, deps);
      lambda.register(env.AWS_LAMBDA_FUNCTION_NAME, (payload) =>
        handler(payload as Parameters<BotHandler>[0]),
      );
      const noteDelivery = fake ? bot.sandbox.noteDelivery?.bind(bot.sandbox) : undefined;
      // Sandbox deliveries are signed by `npm run say` in another process: show them to the fake API too.
      const mounted: HttpHandler = noteDelivery
        ? (event) => {
            noteDelivery(rawBody(event));
            return handler(event);
          }
        : handler;
      for (const path of bot.webhookPaths) routes.set(path, mounted);
      // Live credentials without a public URL: Socket Mode, long polling or the gateway relay.
      const live = fake
        ? undefined
        : await startLiveConnection({
            platform: bot.platform,
            userEnv: options.env,
            botEnv: env,
            handler: mounted,
            deps,
            log: options.log,
          });
      if (live) {
        closers.unshift(() => live.close());
        connections[bot.platform] = live.describe;
      }
      if (fake) {
        const extra = bot.sandboxRoutes?.(env, deps) ?? {};
        for (const [path, route] of Object.entries(extra)) routes.set(path, route);
      }
      if (bot.platform === 'slack') mountSlackInstall(pages, fake, { ...options.env, ...shared }, url);
    }
    // Stopped first on close: its runs finish before the fake APIs and the table go away.
    const outbox = startLocalOutbox({
      env: { ...platformSettings, ...shared },
      lambda,
      log: options.log,
      clock,
    });
    closers.unshift(() => outbox.close());
    local.advance = advanceRoute({ clock, runWorker: outbox.runNow, settled: () => lambda.idle() });
    lock?.publish({ url, dynamoEndpoint: dynamo.endpoint });
    return {
      url,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      modes,
      connections,
      said,
      clock,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  for (const close of closers) await close();
}

/** Live when all of a platform's credentials are set, sandbox when none are; a partial set is refused. */
function modeOf(bot: PlatformDescriptor, env: Env): PlatformMode {
  const settings = liveSettings(bot);
  const missing = settings.filter((name) => !env[name]?.trim());
  if (missing.length === settings.length) return 'sandbox';
  if (missing.length === 0) return 'live';
  throw new ConfigError(
    `${bot.title}: set all of ${settings.join(', ')} to talk to the real ${bot.title}, or none to use the ` +
      `sandbox (missing ${missing.join(', ')})`,
  );
}

/**
 * Slack's installation flow on its GET paths: against the fake Slack in the sandbox, or with the OAuth
 * settings of the environment (installation is not offered without SLACK_CLIENT_ID).
 */
function mountSlackInstall(
  pages: Map<string, HttpHandler>,
  fake: FakeServer | undefined,
  env: Env,
  url: string,
) {
  const names = slackInstall.settings.map((setting) => setting.name);
  const handler = slackInstall.createHandler({
    ...(fake ? slackInstall.sandboxEnv(fake.url) : pick(env, names)),
    TABLE_NAME: env.TABLE_NAME,
    DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT,
    SPACES_MODE: env.SPACES_MODE,
    ...slackInstall.servedAt(url, env),
  });
  pages.set(slackInstall.paths.install, handler);
  pages.set(slackInstall.paths.redirect, handler);
}

/** A sandbox's settings without those the environment gives as empty (`SLACK_BOT_TOKEN=`). */
function withoutEmptied(settings: Record<string, string>, env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).filter(([name]) => env[name] === undefined || env[name]?.trim() !== ''),
  );
}

function pick(env: Env, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** One terminal line per recorded event: what, by whom, where, and whether it was new. */
function recordedLine(platform: Platform, log: (line: string) => void): RecordObserver {
  return (record, outcome) => {
    const what = `${record.kind} by ${record.memberId} in ${record.channelId}`;
    log(
      outcome === 'recorded'
        ? `[${platform}] recorded ${what}`
        : `[${platform}] redelivered ${what} (already recorded, not counted again)`,
    );
  };
}

async function startSandboxApi(
  bot: PlatformDescriptor,
  said: SaidLine[],
  log: (line: string) => void,
): Promise<FakeServer> {
  return bot.sandbox.startFakeApi({
    onRequest: (request) => {
      const line = bot.sandbox.describe(request);
      if (!line) return;
      said.push({ platform: bot.platform, line });
      log(`[${bot.platform}] bot -> ${line}`);
    },
  });
}

/** The dev server's own routes that answer with a stream (set once what they drive has started). */
interface LocalRoutes {
  advance?: (url: URL, response: ServerResponse) => Promise<void>;
}

/** What `/health` and `/sandbox/said` show. */
interface LocalState {
  readonly said: readonly SaidLine[];
  readonly modes: Readonly<Partial<Record<Platform, PlatformMode>>>;
  readonly tableName: string;
  readonly clock: DevClock;
}

async function listen(
  port: number,
  {
    routes,
    pages,
    local,
  }: { routes: Map<string, HttpHandler>; pages: Map<string, HttpHandler>; local: LocalRoutes },
  { said, modes, tableName, clock }: LocalState,
  settled: () => Promise<void>,
): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const handler = routes.get(url.pathname);
    if (request.method === 'POST' && handler) return void serveWithHandler(handler, request, response);
    const page = pages.get(url.pathname);
    if (request.method === 'GET' && page) return void serveWithHandler(page, request, response);
    if (request.method === 'GET' && url.pathname === '/health') {
      return writeResult(
        response,
        // `now` is the dev clock's: say signs deliveries with it, as the platform's own clock would be.
        jsonResult(200, {
          ok: true,
          table: tableName,
          platforms: modes,
          said: said.length,
          now: clock.now().toISOString(),
        }),
      );
    }
    if (request.method === 'GET' && url.pathname === '/sandbox/said') {
      const after = Number(url.searchParams.get('after') ?? 0);
      // Later answers run as separate invocations: wait for them, so `say` prints what the bot said.
      return void settled().then(() => writeResult(response, jsonResult(200, said.slice(after))));
    }
    if (request.method === 'POST' && url.pathname === '/sandbox/advance' && local.advance) {
      return void local.advance(url, response);
    }
    writeResult(response, jsonResult(404, { error: `No route for ${request.method} ${url.pathname}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
