/**
 * What the Discord integration tests share: the real handler on a fresh table and fake Discord API, and
 * interactions signed as Discord signs them, each a new interaction (its own snowflake and token).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion, type GatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import {
  commandInteraction,
  discordSandbox,
  interactionHeaders,
  modalSubmitInteraction,
  pressInteraction,
  type SandboxPlace,
  signedDelivery,
} from '../../bots/discord/sandbox.js';
import { gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import type { BotHandler, HttpResult } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SignedRequest } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, type BotUnderTestOptions, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { httpEvent } from '../support/lambda.js';

/** An interaction response as the handler answered it. */
export interface Answer {
  readonly type: number;
  readonly data?: {
    readonly content?: string;
    readonly flags?: number;
    readonly title?: string;
    readonly custom_id?: string;
    readonly components?: unknown[];
  };
}

/** A signed interaction, with the id and token Discord gave it. */
export interface Delivery extends SignedRequest {
  readonly id: string;
  readonly token: string;
}

let clock = Date.now();
/** A distinct instant per interaction, so each is a new one (Discord ids carry their creation time). */
function tick(): Date {
  clock += 1;
  return new Date(clock);
}

function delivery(payload: Record<string, unknown>, at: Date): Delivery {
  return { ...signedDelivery(payload, at), id: String(payload.id), token: String(payload.token) };
}

export const command = (user: string, text: string, channel = 'general'): Delivery => {
  const at = tick();
  return delivery(commandInteraction({ kind: 'command', user, channel, text }, at), at);
};

/** `/community <text>` from `user` in the sandbox server `space`, signed at `at` (a new instant unless given). */
export const commandIn = (space: string, user: string, text: string, at = tick()): Delivery =>
  delivery(commandInteraction({ kind: 'command', user, channel: 'general', text, space }, at), at);

export const press = (
  place: SandboxPlace & { customId: string; messageId?: string },
  at = tick(),
): Delivery => delivery(pressInteraction(place, at), at);

export const submit = (
  place: SandboxPlace & { customId: string; values: Record<string, string> },
): Delivery => {
  const at = tick();
  return delivery(modalSubmitInteraction(place, at), at);
};

/** A 200's interaction response. */
export function answerOf(result: HttpResult): Answer {
  expect(result.statusCode).toBe(200);
  return JSON.parse(String(result.body)) as Answer;
}

/** `/community <text>` by `user` in the sandbox server `space`: the private answer in the interaction response. */
export async function ask(
  context: DiscordContext,
  space: string,
  user: string,
  text: string,
): Promise<Answer> {
  const answer = answerOf(await context.deliver(commandIn(space, user, text)));
  expect(answer.data?.flags).toBe(64);
  return answer;
}

/** The text of {@link ask}'s answer. */
export const say = async (context: DiscordContext, space: string, user: string, text: string) =>
  (await ask(context, space, user, text)).data?.content ?? '';

/** Who presses, in which sandbox server, when (a new instant unless given), on which handler instance. */
export interface Presser {
  readonly user: string;
  readonly space: string;
  readonly at?: Date;
  readonly handler?: BotHandler;
}

/** Presses the button labelled `label` of a message the bot answered with; the interaction response. */
export async function pressOn(
  context: DiscordContext,
  answer: Answer,
  label: string,
  by: Presser,
): Promise<Answer> {
  const customId = buttonsOf(answer).find((button) => button.label === label)?.custom_id ?? '';
  const delivery = press({ user: by.user, channel: 'general', space: by.space, customId }, by.at);
  return answerOf(await context.deliver(delivery, by.handler));
}

/** The text of {@link pressOn}'s response. */
export const pressed = async (context: DiscordContext, answer: Answer, label: string, by: Presser) =>
  (await pressOn(context, answer, label, by)).data?.content ?? '';

/** The columns of a stats table. */
export type StatsRow = Readonly<Record<'members' | 'messages' | 'replies' | 'reactions' | 'joins', number>>;

/** Discord's row in the `today` window of a stats answer, by column. */
export function discordToday(content: string): StatsRow {
  const lines = content.split('\n');
  const header =
    lines
      .find((line) => /\bmembers\b/.test(line))
      ?.trim()
      .split(/\s+/) ?? [];
  const today = lines.findIndex((line) => line.trim() === 'today');
  const cells = lines
    .slice(today)
    .find((line) => /^\s+discord\s/.test(line))
    ?.trim()
    .split(/\s+/)
    .slice(1);
  expect(cells, `no discord row today in:\n${content}`).toBeDefined();
  return Object.fromEntries(header.map((column, index) => [column, Number(cells?.[index])])) as StatsRow;
}

/**
 * The `today` window of a stats answer, row by row: one per space (by its label) when there are several, one
 * per platform, and `total`; each the columns members, messages, replies, reactions, joins.
 */
export function todayRows(content: string): Record<string, number[]> {
  const lines = content.split('\n');
  const rows = lines.slice(lines.indexOf('today') + 1);
  // The window's rows are indented; the next window's label (or the closing fence) ends them.
  const window = rows.slice(
    0,
    rows.findIndex((line) => !line.startsWith('  ')),
  );
  return Object.fromEntries(
    window.map((line) => {
      const cells = line.trim().split(/\s+/);
      return [cells.slice(0, -5).join(' '), cells.slice(-5).map(Number)];
    }),
  );
}

/** A moderator's stats: acknowledged privately at once, answered later by editing that acknowledgement. */
export async function statsFor(context: DiscordContext, user = 'modsam', space = 'a'): Promise<string> {
  const request = commandIn(space, user, '/community stats');
  expect(answerOf(await context.deliver(request))).toEqual({ type: 5, data: { flags: 64 } });
  return context.laterAnswer(request.token);
}

/** The buttons of an answer or update: label and `custom_id`, row after row. */
export function buttonsOf(answer: Answer): { label: string; custom_id: string }[] {
  const rows = (answer.data?.components ?? []) as { components: { label: string; custom_id: string }[] }[];
  return rows.flatMap((row) => row.components.map(({ label, custom_id }) => ({ label, custom_id })));
}

/**
 * `count` messages in the sandbox server `space`, from `users` in turn, through the gateway ingestion (how
 * engagement reaches the core on Discord); each is recorded.
 */
export async function postIn(context: DiscordContext, space: string, count: number, users: string[]) {
  for (let index = 0; index < count; index += 1) {
    const user = users[index % users.length] ?? 'alice';
    const message = gatewayMessage({ user, channel: 'general', space }, tick());
    expect(await context.gateway.dispatch(message)).toEqual({ outcome: 'recorded' });
  }
}

/** Every space, community (spaces, moderators, audit) and link code item in the table, comparable. */
export async function communityState(context: DiscordContext): Promise<string[]> {
  const { client, tableName } = context.bot.table;
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []).filter((item) => /^(SPACE|COMMUNITY|LINKCODE)#/.test(item.pk?.S ?? '')));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.map((item) => JSON.stringify(item)).sort();
}

/** What a handler's answers and the fake API's requests carry as text. */
export function contentOf(request: ReceivedRequest): string {
  const content = (request.payload as { content?: unknown } | undefined)?.content;
  return typeof content === 'string' ? content : '';
}

export interface DiscordContext {
  readonly bot: BotUnderTest;
  readonly capture: Capture;
  /**
   * The gateway ingestion the relay will run, on the same table, later queue and fake API as the handler:
   * how messages, reactions and joins (engagement) reach the core on Discord.
   */
  readonly gateway: GatewayIngestion;
  /** Delivers a signed interaction (or a body, signed now) to the real handler (or another instance). */
  deliver(request: SignedRequest | string, handler?: BotHandler): Promise<HttpResult>;
  /** The fake API's edits of the deferred original of the interaction with this token. */
  laterAnswers(token: string): ReceivedRequest[];
  /** Waits for every later job, then returns the one later answer to that interaction. */
  laterAnswer(token: string): Promise<string>;
}

/** A bot with its own table and fake API for one file or block; later jobs are drained after each test. */
export function discordBot(options: BotUnderTestOptions = {}): DiscordContext {
  const capture = captureDeps();
  const context = {
    capture,
    deliver(request: SignedRequest | string, handler = context.bot.handler) {
      const { body, headers } =
        typeof request === 'string'
          ? { body: request, headers: interactionHeaders(request, new Date()) }
          : request;
      return handler(httpEvent(discordSandbox.path, body, { ...headers }));
    },
    laterAnswers(token: string) {
      return context.bot.api.requests.filter(
        (request) =>
          request.method === 'PATCH' &&
          request.path.endsWith(`/${encodeURIComponent(token)}/messages/@original`),
      );
    },
    async laterAnswer(token: string) {
      await context.bot.lambda.idle();
      const [answer, ...more] = context.laterAnswers(token);
      expect(more).toEqual([]);
      return answer ? contentOf(answer) : '';
    },
  } as DiscordContext & { bot: BotUnderTest; gateway: GatewayIngestion };
  beforeAll(async () => {
    // A test's own deps (a simulated clock's `now`) are kept; the logger is always the captured one.
    context.bot = await startBotUnderTest(discordPlatform, {
      ...options,
      deps: { ...options.deps, ...capture.deps },
    });
    context.gateway = createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), capture.deps);
  });
  afterAll(() => context.bot.close());
  beforeEach(() => capture.clear());
  // A job still running would take the next test's DynamoDB faults, or answer into its assertions.
  afterEach(async () => {
    await context.bot.lambda.idle();
    expect(context.bot.lambda.failed).toEqual([]);
  });
  return context;
}
