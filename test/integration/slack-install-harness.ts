import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { slackInstall } from '../../bots/slack/oauth/platform.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { type SandboxWorkspace, signSlackAction } from '../../bots/slack/sandbox.js';
import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import type { HttpEvent, HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest, BotUnderTestOptions } from '../support/bot.js';
import { startBotUnderTest } from '../support/bot.js';
import type { Capture } from '../support/capture.js';

/**
 * The Slack bot serving many workspaces (no SLACK_BOT_TOKEN) beside its installation flow, on one table and
 * one fake Slack, and the browser's part of an installation: `/slack/install`, Slack's authorize page (the
 * fake's), back to `/slack/oauth_redirect` with the state cookie.
 */

/** Where Slack sends the installer back; the flow only needs it to match what it sent Slack. */
export const REDIRECT_URI = 'https://bots.example/slack/oauth_redirect';

export interface Installing {
  /** The events bot (many workspaces unless `single`), its table, proxy and fake Slack. */
  readonly bot: BotUnderTest;
  /** The installation function's handler, on the same table (through the same faulty proxy) and fake Slack. */
  readonly install: HttpHandler;
  close(): Promise<void>;
}

export interface InstallingOptions extends BotUnderTestOptions {
  /** Keep SLACK_BOT_TOKEN (one workspace): the installation flow still works, the bot ignores it. */
  readonly single?: boolean;
  readonly spacesMode?: 'open' | 'approved';
  readonly capture?: Capture;
  /** The installation function's environment on top of the sandbox's (e.g. no SLACK_CLIENT_ID). */
  readonly installEnv?: Record<string, string>;
}

export async function startInstalling(options: InstallingOptions = {}): Promise<Installing> {
  const spacesMode = options.spacesMode ?? 'open';
  const bot = await startBotUnderTest(slackPlatform, {
    ...(options.capture ? { deps: options.capture.deps } : {}),
    env: { SPACES_MODE: spacesMode, ...(options.single ? {} : { SLACK_BOT_TOKEN: '' }), ...options.env },
  });
  const install = slackInstall.createHandler(
    {
      ...slackInstall.sandboxEnv(bot.api.url),
      TABLE_NAME: bot.env.TABLE_NAME ?? '',
      DYNAMODB_ENDPOINT: bot.env.DYNAMODB_ENDPOINT ?? '',
      SPACES_MODE: spacesMode,
      SLACK_REDIRECT_URI: REDIRECT_URI,
      ...options.installEnv,
    },
    options.capture ? { logger: options.capture.deps.logger } : {},
  );
  return { bot, install, close: () => bot.close() };
}

/** A browser's GET, as API Gateway hands it over (cookies in `cookies`). */
export function browserGet(url: string, cookie?: string): HttpEvent {
  const { pathname, search } = new URL(url, 'https://bots.example');
  return buildHttpEvent({
    method: 'GET',
    path: pathname,
    query: search.slice(1),
    headers: { host: 'bots.example', ...(cookie ? { cookie } : {}) },
    body: '',
  });
}

/** The `name=value` part of the first cookie a result sets. */
export function cookieOf(result: HttpResult): string {
  const [cookie] = result.cookies ?? [];
  if (!cookie) throw new Error('no cookie set');
  return cookie.split(';')[0] ?? '';
}

export interface Flow {
  /** The answer to `GET /slack/install`: a 302 to Slack with the state cookie. */
  readonly start: HttpResult;
  /** The callback as the browser delivers it (replay it to deliver it again). */
  readonly callback: HttpEvent;
  /** The answer to the callback: the page the installer sees. */
  readonly result: HttpResult;
}

/**
 * An installation as a browser goes through it: start, Slack's authorize page (on the fake: `team` picks
 * the workspace or organisation, `deny` cancels), back to the callback with the cookie.
 */
export async function installFlow(
  { install, bot }: Pick<Installing, 'install' | 'bot'>,
  { team, deny = false }: { team: string; deny?: boolean },
): Promise<Flow> {
  const start = await install(browserGet('/slack/install'));
  const authorize = new URL(String(start.headers?.location));
  authorize.searchParams.set('team', team);
  if (deny) authorize.searchParams.set('deny', '1');
  // The fake Slack serves its authorize page where SLACK_AUTHORIZE_URL points (its own origin).
  const page = await fetch(new URL(`${authorize.pathname}${authorize.search}`, bot.api.url), {
    redirect: 'manual',
  });
  const back = page.headers.get('location');
  if (page.status !== 302 || !back) throw new Error(`authorize page answered ${page.status}`);
  const callback = browserGet(back, cookieOf(start));
  return { start, callback, result: await install(callback) };
}

/** A delivery from a workspace, signed as Slack signs it, as the events bot receives it. */
export function fromWorkspace(action: SandboxAction, workspace: SandboxWorkspace): HttpEvent {
  const signed = signSlackAction(action, workspace);
  return buildHttpEvent({ path: signed.path, headers: { ...signed.headers }, body: signed.body });
}

/** One item of the table, read consistently. */
export async function itemAt(bot: BotUnderTest, pk: string, sk: string): Promise<Item | undefined> {
  const { Item } = await bot.table.client.send(
    new GetItemCommand({
      TableName: bot.table.tableName,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return Item;
}
