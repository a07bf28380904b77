import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { slackInstall } from '../../bots/slack/oauth/platform.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import {
  type SandboxWorkspace,
  signSlackAction,
  WORKSPACE_A,
  WORKSPACE_B,
} from '../../bots/slack/sandbox.js';
import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import type { HttpEvent, HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest, BotUnderTestOptions } from '../support/bot.js';
import { startBotUnderTest } from '../support/bot.js';
import type { Capture } from '../support/capture.js';
import { ackBody, command, field, press, received } from './slack-deliveries.js';

/**
 * The Slack bot serving many workspaces (no SLACK_BOT_TOKEN) beside its installation flow, on one table and
 * one fake Slack, and the browser's part of an installation: `/slack/install`, Slack's authorize page (the
 * fake's), back to `/slack/oauth_redirect` with the state cookie. Then speaking in one workspace or the
 * other: messages, commands and their answers, presses, stats, and the table's community items.
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

/** A bot serving many workspaces, installed in both sandbox workspaces through the OAuth flow. */
export async function installedInBoth(options: InstallingOptions = {}): Promise<Installing> {
  const installing = await startInstalling(options);
  for (const team of [WORKSPACE_A.teamId, WORKSPACE_B.teamId]) {
    const { result } = await installFlow(installing, { team });
    if (result.statusCode !== 200) throw new Error(`installing in ${team}: ${result.statusCode}`);
  }
  return installing;
}

/** The bot token the table holds for a workspace (what its installation stored). */
export async function tokenOf(installing: Pick<Installing, 'bot'>, teamId: string): Promise<string> {
  const item = await itemAt(installing.bot, `SPACE#slack:${teamId}`, 'INSTALLATION');
  const token = item?.botToken?.S;
  if (!token) throw new Error(`no installation in ${teamId}`);
  return token;
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

/** Both sandbox workspaces installed, for the tests of one describe block (each block its own table). */
export function installedForBlock(options: InstallingOptions = {}): () => BotUnderTest {
  let installing: Installing | undefined;
  beforeAll(async () => {
    installing = await installedInBoth(options);
  });
  afterAll(() => installing?.close());
  return () => {
    if (!installing) throw new Error('installed in beforeAll');
    return installing.bot;
  };
}

/** A slash command's private answer, as the acknowledgement carried it. */
export interface Asked {
  readonly text: string;
  readonly responseType: unknown;
  readonly buttons: readonly { readonly action_id: string; readonly value?: string }[];
}

/** Which instance takes a delivery (another cold start, maybe with another clock), and when it is signed. */
export interface Via {
  readonly handler?: HttpHandler;
  readonly at?: Date;
}

/** `/community <text>` by `user` (a Slack user id) in `workspace`: its answer, in the acknowledgement. */
export async function ask(
  bot: BotUnderTest,
  workspace: SandboxWorkspace,
  user: string,
  text: string,
  { handler = bot.handler, at }: Via = {},
): Promise<Asked> {
  const result = await handler(command(text, { user, workspace, ...(at ? { at } : {}) }).event);
  if (result.statusCode !== 200) throw new Error(`/community ${text}: ${result.statusCode}`);
  const body = ackBody(result) as
    | { text?: string; response_type?: string; blocks?: { type: string; elements?: Asked['buttons'] }[] }
    | undefined;
  const blocks = body?.blocks ?? [];
  return {
    text: body?.text ?? '',
    responseType: body?.response_type,
    buttons: blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : [])),
  };
}

/** The text of {@link ask}'s answer. */
export async function say(...args: Parameters<typeof ask>): Promise<string> {
  return (await ask(...args)).text;
}

/**
 * A moderator's `/community stats`: acknowledged empty, answered once by a later job through the command's
 * response_url, privately. Its `today` rows (see {@link todayRows}).
 */
export async function statsOf(bot: BotUnderTest, workspace: SandboxWorkspace, user: string) {
  const stats = command('stats', { user, workspace });
  const result = await bot.handler(stats.event);
  await bot.lambda.idle();
  const answers = received(bot.api, stats.hookPath);
  if (result.body || answers.length !== 1 || field(answers[0], 'response_type') !== 'ephemeral') {
    throw new Error(`stats not answered once, privately and later: ${JSON.stringify(answers)}`);
  }
  return todayRows(field(answers[0], 'text') ?? '');
}

let messages = 0;

/** `count` messages in #general of `workspace`, from `users` (names) in turn, as signed Events API deliveries. */
export async function post(bot: BotUnderTest, workspace: SandboxWorkspace, count: number, users: string[]) {
  for (let index = 0; index < count; index += 1) {
    messages += 1;
    const user = users[index % users.length] ?? 'alice';
    const action = {
      kind: 'message',
      user,
      channel: 'general',
      text: 'hi',
      messageId: `${messages}`,
    } as const;
    const result = await bot.handler(fromWorkspace(action, workspace));
    if (result.statusCode !== 200) throw new Error(`message in ${workspace.teamId}: ${result.statusCode}`);
  }
}

/**
 * A press on a button of a private answer (an ephemeral message), by `user` in `workspace`: what the fake
 * Slack received at the press's response_url, each an answer beside it or the pressed message replaced.
 */
export async function pressOn(
  bot: BotUnderTest,
  asked: Asked,
  actionId: string,
  { user, workspace, handler = bot.handler, at }: { user: string; workspace: SandboxWorkspace } & Via,
): Promise<{ replaced: boolean; text: string | undefined }[]> {
  const button = asked.buttons.find((candidate) => candidate.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button in: ${asked.text}`);
  const delivery = press(
    { actionId, ...(button.value !== undefined ? { value: button.value } : {}) },
    { user, channel: 'CGENERAL', ephemeral: true, workspace, ...(at ? { at } : {}) },
  );
  const result = await handler(delivery.event);
  if (result.statusCode !== 200 || result.body) throw new Error(`press: ${JSON.stringify(result)}`);
  await bot.lambda.idle();
  return received(bot.api, delivery.hookPath).map((request) => ({
    replaced: field(request, 'replace_original') === 'true',
    text: field(request, 'text'),
  }));
}

/** The one text a press got back at its response_url. */
export async function pressed(...args: Parameters<typeof pressOn>): Promise<string> {
  const answers = await pressOn(...args);
  if (answers.length !== 1) throw new Error(`press answered ${answers.length} times`);
  return answers[0]?.text ?? '';
}

/**
 * The `today` window of a stats answer's text, row by row: one per space (by its label) when there are
 * several, one per platform, and `total`; each the columns members, messages, replies, reactions, joins.
 */
export function todayRows(text: string): Record<string, number[]> {
  const lines = text.split('\n');
  const rows = lines.slice(lines.indexOf('today') + 1);
  // The window's rows are indented; the next window's label (or the end of the table) ends them.
  const end = rows.findIndex((line) => !line.startsWith('  '));
  return Object.fromEntries(
    rows.slice(0, end < 0 ? undefined : end).map((line) => {
      const cells = line.trim().split(/\s+/);
      return [cells.slice(0, -5).join(' '), cells.slice(-5).map(Number)];
    }),
  );
}

/** Every space (and installation), community (spaces, moderators, audit) and link code item, comparable. */
export async function communityState(bot: BotUnderTest): Promise<string[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await bot.table.client.send(
      new ScanCommand({ TableName: bot.table.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []).filter((item) => /^(SPACE|COMMUNITY|LINKCODE)#/.test(item.pk?.S ?? '')));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.map((item) => JSON.stringify(item)).sort();
}
