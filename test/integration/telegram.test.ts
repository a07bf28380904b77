import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { BotHandler } from '../../shared/lambda/http.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import type { FaultyProxy } from '../support/faulty-proxy.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import type { TestTable } from '../support/table.js';
import { command, deliverSixTimes, fixture, payloadOf, SECRET, telegramHarness } from './telegram-harness.js';

const PATH = telegramSandbox.path;
const GROUP_CHAT = -1001234567890;

let table: TestTable;
let proxy: FaultyProxy;
let api: FakeServer;
let handler: BotHandler;

let bot: BotUnderTest | undefined;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
  ({ table, proxy, api, handler } = bot);
});

afterAll(async () => {
  await bot?.close();
});

const { deliver, deliverSigned, recordsOf, calls, replies } = telegramHarness(() => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
});

/** Each documented update: the records it makes, who acted, and whom a reply answered (`reply_to_message.from`). */
const DOCUMENTED_UPDATES = [
  { name: 'message', kinds: ['message_posted'], member: '111111111' },
  { name: 'reply', kinds: ['thread_reply'], member: '222222222', to: '111111111' },
  {
    name: 'message-reaction',
    // 👍 taken back was never heard added: it leaves a tombstone that counts nothing (no record of a kind).
    kinds: ['reaction_added', 'reaction_added'],
    member: '333333333',
  },
  // A join is named by chat, member and date, not its update (it may also come as a service message).
  {
    name: 'chat-member-joined',
    kinds: ['member_joined'],
    member: '444444444',
    eventId: 'join:18faca2c1e045b82d404e493',
  },
  { name: 'callback-query', kinds: ['button_pressed'], member: '111111111' },
];

describe('Telegram webhook: who may deliver, and what a delivery must look like', () => {
  it('answers 401 to a wrong or missing secret token and records nothing', async () => {
    const update = fixture('message', 640000201);
    // Earlier tests' later jobs (a group's registration notice) finish first: this one counts every call.
    await bot?.lambda.idle();
    const mark = api.requests.length;

    const wrong = await deliver(update, { 'X-Telegram-Bot-Api-Secret-Token': 'guessed-token' });
    const missing = await deliver(update, {});
    const wrongAndMalformed = await deliver('{oops', { 'X-Telegram-Bot-Api-Secret-Token': 'guessed' });

    expect([wrong.statusCode, missing.statusCode, wrongAndMalformed.statusCode]).toEqual([401, 401, 401]);
    expect(JSON.parse(wrong.body ?? '{}').error).toMatch(/X-Telegram-Bot-Api-Secret-Token/);
    expect(await recordsOf(640000201)).toHaveLength(0);
    expect(api.requests.length).toBe(mark);
  });

  it.each([
    ['not JSON', '{"update_id": 640000202', /not valid JSON/],
    ['empty', '', /empty/],
    ['not an object', '[{"update_id": 640000203}]', /not a Telegram Update/],
    ['without update_id', JSON.stringify({ message: fixture('message').message }), /update_id/],
    ['with a non-integer update_id', JSON.stringify({ update_id: '640000204' }), /update_id/],
  ])('answers 400 with a clear message to a body %s, and records nothing', async (_case, body, message) => {
    const before = (await table.engagementItems()).length;

    const result = await deliver(body);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}').error).toMatch(message);
    expect(await table.engagementItems()).toHaveLength(before);
  });

  it('reads a base64-encoded body, as API Gateway may pass it', async () => {
    const update = fixture('message', 640000212);
    const event = httpEvent(PATH, Buffer.from(JSON.stringify(update)).toString('base64'), SECRET);

    const result = await handler({ ...event, isBase64Encoded: true });

    expect(result.statusCode).toBe(200);
    const items = await table.engagementItems();
    expect(
      items.filter((item) => item.pk?.S === `EVT#telegram:${GROUP_CHAT}:message:640000212`),
    ).toHaveLength(1);
  });
});

describe('Telegram webhook: documented updates become records, once', () => {
  it.each(DOCUMENTED_UPDATES)(
    'records $name exactly once over six deliveries, under opaque member ids',
    async ({ name, kinds, member, to, eventId }) => {
      const update = fixture(name);

      const statuses = await deliverSixTimes(() => deliver(update));

      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      const records = await recordsOf(eventId ?? update.update_id);
      expect(records.map((item) => item.kind?.S).sort()).toEqual([...kinds].sort());
      for (const record of records) {
        expect(record.memberId?.S).toBe(expectedMemberId('telegram', member));
        expect(record.toMemberId?.S).toBe(to && expectedMemberId('telegram', to));
        // No attribute holds a Telegram user id.
        expect(JSON.stringify(record)).not.toContain(member);
        if (to) expect(JSON.stringify(record)).not.toContain(to);
      }
    },
  );

  it('keeps ids and lengths, never the message text', async () => {
    const update = fixture('message');
    const text = (update.message as { text: string }).text;

    await deliver(update);

    const [record] = await recordsOf(update.update_id);
    expect(record).toMatchObject({
      kind: { S: 'message_posted' },
      memberId: { S: expectedMemberId('telegram', '111111111') },
      spaceId: { S: String(GROUP_CHAT) },
      textLength: { N: String(text.length) },
    });
    expect(JSON.stringify(record)).not.toContain(text);
    expect(JSON.stringify(record)).not.toContain('111111111');
  });

  it('answers a press on a button no feature handles in an alert only the presser sees', async () => {
    // Prepare: the documented press, as a new update with a query of its own.
    const update = fixture('callback-query', 640000211);
    update.callback_query = { ...(update.callback_query as object), id: 'press-640000211' };
    await bot?.lambda.idle();
    const mark = api.requests.length;

    // Act
    const result = await deliver(update);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(calls('answerCallbackQuery', mark).map(payloadOf)).toEqual([
      { callback_query_id: 'press-640000211', text: 'This button is no longer in use.', show_alert: true },
    ]);
    expect(replies(mark)).toEqual([]);
  });

  it('records nothing for service messages and update types it does not handle', async () => {
    const channelPost = { update_id: 640000206, channel_post: fixture('message').message };
    const { text: _text, ...message } = fixture('message', 640000108).message as Record<string, unknown>;
    const pinned = {
      update_id: 640000108,
      message: { ...message, pinned_message: { message_id: 9, date: 0 } },
    };

    const before = (await table.engagementItems()).length;
    const results = await Promise.all([deliver(pinned), deliver(channelPost)]);

    expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    expect(await recordsOf(640000108)).toHaveLength(0);
    expect(await table.engagementItems()).toHaveLength(before);
  });
});

describe('Telegram webhook: records become stats', () => {
  it('shows an admin the stats of a single delivery of each update, privately', async () => {
    // Prepare: a bot and table of its own, so the numbers count this test's deliveries and nothing else.
    const own = await startBotUnderTest(telegramPlatform);
    onTestFinished(() => own.close());
    for (const { name } of DOCUMENTED_UPDATES) {
      await deliverSixTimes(() => deliver(fixture(name), SECRET, own.handler));
    }
    // The group's registration notice is posted by a later job: out of the way before counting.
    await own.lambda.idle();
    const mark = own.api.requests.length;

    // Act: an administrator asks in the group the documented updates came from (stats are per space); the
    // webhook acknowledges and the answer comes from a later invocation.
    const asked = fixture('command', 640000299);
    const message = asked.message as Record<string, unknown>;
    const from = { ...(message.from as object), id: sandboxUserId('modann'), username: 'modann' };
    const stats = { ...asked, message: { ...message, from, text: '/community stats' } };
    const result = await deliver(stats, SECRET, own.handler);
    await own.lambda.idle();

    // Assess: asked Telegram once who modann is in that group, then wrote to modann's private chat.
    expect(result.statusCode).toBe(200);
    expect(calls('getChatMember', mark, own.api).map(payloadOf)).toEqual([
      { chat_id: GROUP_CHAT, user_id: sandboxUserId('modann') },
    ]);
    const sends = replies(mark, own.api).map(payloadOf);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ chat_id: sandboxUserId('modann'), parse_mode: 'HTML' });
    const text = String(sends[0]?.text);
    expect(text).toMatch(/^<b>Community stats<\/b>/);
    // members (alice, bob, carol, dave), messages, replies, reactions added, joins. modann's own command is
    // using the bot, not taking part in the community: it does not make modann "seen".
    const rows = text.split('\n').filter((line) => /^\s+telegram\s/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).slice(1))).toEqual([
      ['4', '1', '1', '2', '1'],
      ['4', '1', '1', '2', '1'],
      ['4', '1', '1', '2', '1'],
    ]);
  });

  it("never shows the administrator of another group this group's numbers", async () => {
    // Prepare: the documented updates in their group; a stranger's group where modann is administrator
    // (anyone who adds the bot to their own group is its administrator).
    const own = await startBotUnderTest(telegramPlatform);
    onTestFinished(() => own.close());
    for (const { name } of DOCUMENTED_UPDATES) await deliver(fixture(name), SECRET, own.handler);
    const hello = { kind: 'message', user: 'modann', channel: 'strangers', text: 'hi' } as const;
    await deliverSigned(telegramSandbox.sign(hello), own.handler);
    await own.lambda.idle();
    const mark = own.api.requests.length;

    // Act
    await deliverSigned(command('modann', 'strangers', '/community stats'), own.handler);
    await own.lambda.idle();

    // Assess: only the asker's own message in that group; none of the first group's engagement.
    const [answer] = replies(mark, own.api).map(payloadOf);
    const rows = String(answer?.text)
      .split('\n')
      .filter((line) => /^\s+telegram\s/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).slice(1))).toEqual([
      ['1', '1', '0', '0', '0'],
      ['1', '1', '0', '0', '0'],
      ['1', '1', '0', '0', '0'],
    ]);
  });
});

describe('Telegram webhook: DynamoDB failures', () => {
  it.each([
    ['before', 640000209, 640000219],
    ['after', 640000210, 640000220],
  ] as const)(
    'answers 500 when every write attempt fails %s reaching the table; the redelivery records once',
    async (when, updateId, earlierId) => {
      // Prepare: the group already registered (its space item and notice written), so the failures below hit
      // the record itself; then enough failures to outlast the SDK's three attempts.
      await deliver(fixture('reply', earlierId));
      await bot?.lambda.idle();
      const update = fixture('message', updateId);
      proxy.failNext('PutItem', 3, when);

      // Act
      const failed = await deliver(update);
      const afterFailure = await recordsOf(updateId);
      const redelivered = await deliver(update);

      // Assess
      expect(failed.statusCode).toBe(500);
      expect(afterFailure).toHaveLength(when === 'before' ? 0 : 1);
      expect(redelivered.statusCode).toBe(200);
      expect(await recordsOf(updateId)).toHaveLength(1);
    },
  );
});
