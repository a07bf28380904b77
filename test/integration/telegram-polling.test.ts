import { Api } from 'grammy/web';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { SANDBOX_BOT_TOKEN, SANDBOX_SECRET_TOKEN } from '../../bots/telegram/sandbox.js';
import { startTelegramPollingIfConfigured } from '../../infra/local/telegram-polling.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { fixture, payloadOf, telegramHarness, type Update } from './telegram-harness.js';

/** Long polling in `npm run dev`: the real loop and the real handler, against the fake Bot API's getUpdates. */

/** A getUpdates of 25 s lasts 50 ms on this fake. */
const POLL_SECOND_MS = 2;
/** The group of the fixtures; each test moves its updates to a group of its own (see {@link inGroup}). */
const FIXTURE_GROUP = -1001234567890;

/** Every update kind the bot handles, as the Bot API names them. */
const HANDLED = [
  'message',
  'edited_message',
  'callback_query',
  'message_reaction',
  'message_reaction_count',
  'poll_answer',
  'my_chat_member',
  'chat_member',
];

let api: FakeBotApi;
let bot: BotUnderTest | undefined;

beforeAll(async () => {
  api = await startFakeBotApi({ pollSecondMs: POLL_SECOND_MS });
  bot = await startBotUnderTest(telegramPlatform, { apis: { telegram: api } });
});

afterAll(async () => {
  await bot?.close();
  await api?.close();
});

const under = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { calls } = telegramHarness(under);

/** A documented update moved to another group: every occurrence of the fixtures' chat id is replaced. */
function inGroup(name: string, updateId: number, group: number): Update {
  const text = JSON.stringify(fixture(name, updateId)).replaceAll(String(FIXTURE_GROUP), String(group));
  return JSON.parse(text) as Update;
}

/** The kinds of the records the table holds for a group, sorted. */
async function recordedIn(group: number): Promise<string[]> {
  const items = await under().table.engagementItems();
  return items
    .filter((item) => item.spaceId?.S === String(group))
    .map((item) => item.kind?.S ?? '')
    .sort();
}

/** An update the handler answered: its id and status. */
interface Answered {
  readonly updateId: number;
  readonly status: number;
}

/**
 * The bot's real handler, noting what it answered; `instead` may answer an update itself (a handler that
 * refuses it) without reaching the bot.
 */
function watched(instead?: (updateId: number) => HttpResult | undefined) {
  const answered: Answered[] = [];
  const handler: HttpHandler = async (event) => {
    const updateId = Number((JSON.parse(event.body ?? '{}') as { update_id?: number }).update_id);
    const result = instead?.(updateId) ?? (await under().handler(event));
    answered.push({ updateId, status: result.statusCode ?? 200 });
    return result;
  };
  const of = (updateId: number) =>
    answered.filter((one) => one.updateId === updateId).map((one) => one.status);
  return { handler, answered, of };
}

/** Starts the loop as `npm run dev` would with this bot's settings; a backoff waits 1 ms and is noted. */
function poll(handler: HttpHandler) {
  const backoffs: number[] = [];
  const log: string[] = [];
  const polling = startTelegramPollingIfConfigured(under().env, handler, (line) => log.push(line), {
    sleep: async (ms) => {
      backoffs.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  });
  if (!polling) throw new Error('a bot token and no TELEGRAM_WEBHOOK_URL should start the loop');
  onTestFinished(() => polling.close());
  return { polling, backoffs, log };
}

/** Waits until `check` holds (the loop runs on its own). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pendingIds = () => api.pendingUpdates().map((update) => update.update_id);
const client = () => new Api(SANDBOX_BOT_TOKEN, { apiRoot: api.url });

describe('Telegram long polling (npm run dev)', () => {
  it('deletes the webhook, then hands each update to the handler once, signed, and confirms it', async () => {
    // Prepare: a webhook left by a deployment, and three updates waiting (a reaction is sent only if named).
    await client().setWebhook('https://example.org/telegram/webhook', { secret_token: 'deployed' });
    const group = -1009000000001;
    const [message, reply, reaction] = [640010001, 640010002, 640010003];
    api.pushUpdate(inGroup('message', message, group));
    api.pushUpdate(inGroup('reply', reply, group));
    api.pushUpdate(inGroup('message-reaction', reaction, group));
    const bot = watched();
    const mark = api.requests.length;

    // Act
    const { polling } = poll(bot.handler);
    await until(() => bot.of(reaction).length > 0, 'the reaction is handled');
    await polling.close();

    // Assess
    expect([bot.of(message), bot.of(reply), bot.of(reaction)]).toEqual([[200], [200], [200]]);
    const kinds = await recordedIn(group);
    expect(kinds.filter((kind) => kind === 'message_posted' || kind === 'thread_reply')).toEqual([
      'message_posted',
      'thread_reply',
    ]);
    expect(kinds).toContain('reaction_added');
    expect(api.webhook()).toBeUndefined();
    expect(pendingIds()).not.toContain(reaction);
    const polls = calls('getUpdates', mark).map(payloadOf);
    expect(polls[0]?.allowed_updates).toEqual(HANDLED);
  });

  it('asks again for an update the handler answered 5xx (the table down), and records it once', async () => {
    // Prepare: the record's write reaches the table, but every attempt's answer is lost.
    const [group, updateId] = [-1009000000002, 640010011];
    under().proxy.failNext('PutItem', 3, 'after', `EVT#telegram:${group}:`);
    const bot = watched();

    // Act
    const { polling, backoffs } = poll(bot.handler);
    api.pushUpdate(inGroup('message', updateId, group));
    await until(() => bot.of(updateId).includes(200), 'the update is answered 200');
    await polling.close();

    // Assess
    expect(bot.of(updateId)).toEqual([500, 200]);
    expect(await recordedIn(group)).toEqual(['message_posted']);
    expect(backoffs.length).toBeGreaterThan(0);
    expect(pendingIds()).not.toContain(updateId);
  });

  it('passes an update the handler refused (4xx): asking again would get the same answer', async () => {
    const [group, refused, next] = [-1009000000003, 640010021, 640010022];
    const bot = watched((updateId) => (updateId === refused ? { statusCode: 400 } : undefined));

    const { polling } = poll(bot.handler);
    api.pushUpdate(inGroup('message', refused, group));
    api.pushUpdate(inGroup('reply', next, group));
    await until(() => bot.of(next).length > 0, 'the next update is handled');
    await polling.close();

    expect([bot.of(refused), bot.of(next)]).toEqual([[400], [200]]);
    expect(await recordedIn(group)).toEqual(['thread_reply']);
    expect(pendingIds()).not.toContain(refused);
  });

  it('stops on close(): a later update waits for the next run, which does not see the confirmed ones', async () => {
    const [group, before, after] = [-1009000000004, 640010031, 640010032];
    const first = watched();
    const { polling } = poll(first.handler);
    api.pushUpdate(inGroup('message', before, group));
    await until(() => first.of(before).length > 0, 'the first run handles its update');

    await polling.close();
    api.pushUpdate(inGroup('reply', after, group));
    const second = watched();
    const { polling: next } = poll(second.handler);
    await until(() => second.of(after).length > 0, 'the next run handles the later update');
    await next.close();

    expect(first.answered.map((one) => one.updateId)).not.toContain(after);
    expect(second.answered.map((one) => one.updateId)).not.toContain(before);
    expect(await recordedIn(group)).toEqual(['message_posted', 'thread_reply']);
  });

  it('deletes a webhook set while it polls (Telegram answers 409) and goes on', async () => {
    const [group, updateId] = [-1009000000005, 640010041];
    const bot = watched();
    const { polling, log } = poll(bot.handler);
    await api.waitFor((request) => request.path.endsWith('/getUpdates'));

    await client().setWebhook('https://example.org/telegram/webhook', { secret_token: SANDBOX_SECRET_TOKEN });
    await until(() => log.some((line) => line.includes('409')), 'getUpdates is refused');
    api.pushUpdate(inGroup('message', updateId, group));
    await until(() => bot.of(updateId).length > 0, 'the update is handled');
    await polling.close();

    expect(bot.of(updateId)).toEqual([200]);
    expect(await recordedIn(group)).toEqual(['message_posted']);
    expect(api.webhook()).toBeUndefined();
  });
});
