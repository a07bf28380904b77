import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatMemberUpdated, Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  type FakeBotApi,
  type FakeBotApiOptions,
  startFakeBotApi,
} from '../../bots/telegram/fake-bot-api.js';
import { createTelegramOutboxTransport } from '../../bots/telegram/outbox.js';
import { translateChatMember, translateMessage } from '../../bots/telegram/parse.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import {
  CANNOT_INITIATE,
  markSandboxStarted,
  SANDBOX_BOT_USERNAME,
  sandboxChatId,
  sandboxUserId,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import type { Member, Space } from '../../shared/core/events.js';
import type { OutboundMessage } from '../../shared/core/messenger.js';
import type { Audience, OutboxMessage, OutboxTransport } from '../../shared/core/outbox/model.js';
import type { FaultPlan } from '../../shared/platform/fake-limits.js';
import { closeServer } from '../../shared/platform/fake-server.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { fixture, SECRET, telegramHarness, type Update } from './telegram-harness.js';

/*
 * The outbox's Telegram transport: the real grammY client against the fake Bot API, one outcome at a time,
 * the fake's own records saying what was delivered; then joins, from documented payloads to the table.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(async () => {
  await bot?.close();
});

const GROUP = sandboxChatId('outbox', 'x');
const SPACE: Space = { platform: 'telegram', id: String(GROUP) };
const channel = (channelId = String(GROUP)): Audience => ({
  kind: 'channel',
  target: { space: SPACE, channelId },
});
const telegramMember = (id: number): Member => ({ platform: 'telegram', id: String(id) });
const privately = (userId: number): Audience => ({
  kind: 'member',
  space: SPACE,
  member: telegramMember(userId),
  memberId: 'opaque-member',
  privacyKey: 'privacy-key',
  person: 'opaque-member',
});

function outboxMessage(
  audience: Audience,
  message: OutboundMessage = { text: 'Hello **all**' },
): OutboxMessage {
  return {
    id: 'outbox-1',
    key: 'announcement:1',
    communityId: 'community-1',
    purpose: 'announcement',
    audience,
    message,
    allowance: { kind: 'unsolicited' },
    status: 'queued',
    createdAt: new Date('2026-11-30T10:00:00Z'),
    dueAt: new Date('2026-11-30T10:00:00Z'),
    attempts: 0,
  };
}

/** Every call rolls this one fault. */
function always(fault: 'rateLimited' | 'serverError' | 'before' | 'after'): FaultPlan {
  const none = { rateLimited: 0, serverError: 0, timeout: 0, acceptedBeforeTimeout: 0, seed: 9 };
  if (fault === 'rateLimited' || fault === 'serverError') return { ...none, [fault]: 1 };
  return { ...none, timeout: 1, acceptedBeforeTimeout: fault === 'after' ? 1 : 0 };
}

async function startFake(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const api = await startFakeBotApi(options);
  onTestFinished(() => api.close());
  return api;
}

function transportTo(url: string, timeoutMs?: number): OutboxTransport {
  const deps = { logger: captureDeps().deps.logger, store: bot.table.store };
  return createTelegramOutboxTransport(telegramSandbox.env(url), timeoutMs ? { ...deps, timeoutMs } : deps);
}

const deliveredTo = (api: FakeBotApi, chatId: number) => api.delivered.get(chatId) ?? [];

describe('Telegram outbox transport: what a send becomes', () => {
  it('posts in a group and in a forum topic: sent, with the message id Telegram gave', async () => {
    const api = await startFake();
    const transport = transportTo(api.url);

    const plain = await transport.send(outboxMessage(channel()));
    const topic = await transport.send(outboxMessage(channel(`${GROUP}/20`), { text: 'In topic 20' }));

    const [first, second] = deliveredTo(api, GROUP);
    expect(plain).toEqual({
      kind: 'sent',
      posted: { channelId: String(GROUP), messageId: String(first?.messageId) },
    });
    expect(topic).toEqual({
      kind: 'sent',
      posted: { channelId: `${GROUP}/20`, messageId: String(second?.messageId) },
    });
    expect(deliveredTo(api, GROUP)).toMatchObject([
      { html: 'Hello <b>all</b>', text: 'Hello all' },
      { topicId: 20, text: 'In topic 20' },
    ]);
  });

  it('writes to a member who started the bot in their private chat, which is the channel it names', async () => {
    const api = await startFake();
    const userId = sandboxUserId('outbox-alice');

    const result = await transportTo(api.url).send(outboxMessage(privately(userId)));

    const [sent] = deliveredTo(api, userId);
    expect(result).toEqual({
      kind: 'sent',
      posted: { channelId: String(userId), messageId: String(sent?.messageId) },
    });
  });

  it('turns a 429 into a retry after its retry_after, and posts nothing', async () => {
    const api = await startFake({ faults: always('rateLimited') });

    const result = await transportTo(api.url).send(outboxMessage(channel()));

    expect(result).toEqual({ kind: 'retry', reason: 'Too Many Requests: retry after 1', afterMs: 1000 });
    expect(api.delivered.size).toBe(0);
  });

  it('turns a 500 into a retry: Telegram answered, and did not send', async () => {
    const api = await startFake({ faults: always('serverError') });

    const result = await transportTo(api.url).send(outboxMessage(channel()));

    expect(result).toEqual({ kind: 'retry', reason: '500 Internal Server Error' });
    expect(api.delivered.size).toBe(0);
  });

  it.each([
    ['before Telegram acted', 'before', 0],
    ['after Telegram posted', 'after', 1],
  ] as const)('turns a connection dropped %s into unknown', async (_case, fault, posted) => {
    const api = await startFake({ faults: always(fault) });

    const result = await transportTo(api.url).send(outboxMessage(channel()));

    expect(result).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/^no answer from Telegram/),
    });
    expect(deliveredTo(api, GROUP)).toHaveLength(posted);
  });

  it('gives up after an unknown outcome: nothing on Telegram can say whether it was posted', async () => {
    const api = await startFake({ faults: always('after') });
    const transport = transportTo(api.url);

    const result = await transport.send(outboxMessage(channel()));

    // The worker never sends it again (`give-up`): the one delivery the fake made stays the only one.
    expect(result.kind).toBe('unknown');
    expect(transport.onUnknown).toBe('give-up');
    expect(transport.find).toBeUndefined();
    expect(deliveredTo(api, GROUP)).toHaveLength(1);
  });

  it('gives up on a call that hangs after the timeout it was given: unknown', async () => {
    // A Bot API that never answers.
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => closeServer(hanging));
    const { port } = hanging.address() as AddressInfo;

    const result = await transportTo(`http://127.0.0.1:${port}`, 200).send(outboxMessage(channel()));

    // Without the timeout this send would wait for ever (and the test time out).
    expect(result).toEqual({
      kind: 'unknown',
      reason: "no answer from Telegram: Network request for 'sendMessage' failed!",
    });
  });

  it('refuses for good what Telegram refuses: a group the bot was removed from, an empty text', async () => {
    const api = await startFake();
    const transport = transportTo(api.url);
    api.removeBot(GROUP);

    const removed = await transport.send(outboxMessage(channel()));
    const empty = await transport.send(outboxMessage(channel(String(GROUP - 1)), { text: '   ' }));
    const notAChat = await transport.send(outboxMessage(channel('general')));

    expect(removed).toEqual({
      kind: 'refused',
      reason: '403 Forbidden: bot was kicked from the supergroup chat',
    });
    expect(empty).toEqual({ kind: 'refused', reason: '400 Bad Request: message text is empty' });
    expect(notAChat).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/Not a Telegram channel/),
    });
    expect(api.delivered.size).toBe(0);
  });

  it('says unreachable when the member never started the bot, and writes once they have', async () => {
    const api = await startFake();
    const transport = transportTo(api.url);
    const userId = sandboxUserId('stranger-outbox');

    const before = await transport.send(outboxMessage(privately(userId)));
    markSandboxStarted('stranger-outbox');
    const after = await transport.send(outboxMessage(privately(userId)));

    expect(before).toEqual({ kind: 'unreachable', reason: CANNOT_INITIATE });
    expect(after.kind).toBe('sent');
    expect(deliveredTo(api, userId)).toHaveLength(1);
  });

  it('renders mentions as links to the members, names escaped, a missing name as a neutral word', async () => {
    const api = await startFake();
    const message: OutboundMessage = {
      text: 'Welcome {@0} and {@1}, and **{@0}** again',
      mentions: [
        { member: telegramMember(123456789), name: 'Dave <3' },
        { member: telegramMember(987654321) },
      ],
    };

    await transportTo(api.url).send(outboxMessage(channel(), message));

    const dave = '<a href="tg://user?id=123456789">Dave &lt;3</a>';
    expect(deliveredTo(api, GROUP)).toMatchObject([
      {
        html: `Welcome ${dave} and <a href="tg://user?id=987654321">member</a>, and <b>${dave}</b> again`,
        text: 'Welcome Dave <3 and member, and Dave <3 again',
      },
    ]);
  });
});

describe("Telegram outbox transport: Telegram's limits", () => {
  it('names the limits a send spends from: the chat, the group, the bot overall', () => {
    const transport = transportTo('http://127.0.0.1:9');

    expect(transport.paceRules(channel(`${GROUP}/20`))).toEqual([
      { key: `telegram:chat:${GROUP}`, limit: 1, windowMs: 1000 },
      { key: `telegram:group:${GROUP}`, limit: 20, windowMs: 60_000 },
      { key: 'telegram:global', limit: 30, windowMs: 1000 },
    ]);
    expect(transport.paceRules(privately(42))).toEqual([
      { key: 'telegram:chat:42', limit: 1, windowMs: 1000 },
      { key: 'telegram:global', limit: 30, windowMs: 1000 },
    ]);
  });

  it('with strict limits, answers a second message in a chat within a second 429, and counts it', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const api = await startFake({ clock: () => now, strictLimits: true });
    const transport = transportTo(api.url);

    const first = await transport.send(outboxMessage(channel()));
    const second = await transport.send(outboxMessage(channel()));
    now += 1000;
    const third = await transport.send(outboxMessage(channel()));

    expect([first.kind, second.kind, third.kind]).toEqual(['sent', 'retry', 'sent']);
    expect(second).toMatchObject({ afterMs: 1000 });
    expect(api.violations).toEqual([
      { limit: 'sendMessage: 1 per second per chat', key: String(GROUP), at: now - 1000 },
    ]);
    expect(deliveredTo(api, GROUP)).toHaveLength(2);
  });

  it('counts 20 messages a minute in a group and 30 a second overall, without refusing when not strict', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const api = await startFake({ clock: () => now });
    const transport = transportTo(api.url);

    // 21 messages one second apart in one group (the 21st within the minute), then 31 chats at one instant.
    for (let index = 0; index < 21; index++) {
      await transport.send(outboxMessage(channel()));
      now += 1000;
    }
    now += 60_000;
    for (let index = 0; index < 31; index++)
      await transport.send(outboxMessage(channel(String(GROUP - 1 - index))));

    expect(api.violations.map(({ limit }) => limit)).toEqual([
      'sendMessage: 20 per minute per group',
      'sendMessage: 30 per second overall',
    ]);
    expect(deliveredTo(api, GROUP)).toHaveLength(21);
  });
});

describe('Telegram joins: chat_member and new_chat_members', () => {
  const { deliver } = telegramHarness(() => bot);

  /** The documented join (`chat_member`) and its service message, moved to a chat and an instant of their own. */
  function joinUpdates(chatId: number, date: number): { chatMember: Update; service: Update } {
    const joined = fixture('chat-member-joined');
    const service = fixture('new-chat-members');
    const chatMember = joined.chat_member as Record<string, unknown>;
    const message = service.message as Record<string, unknown>;
    const chat = { ...(chatMember.chat as object), id: chatId };
    return {
      chatMember: { ...joined, update_id: date, chat_member: { ...chatMember, chat, date } },
      service: { ...service, update_id: date + 1, message: { ...message, chat, date } },
    };
  }

  async function joinsIn(chatId: number): Promise<Item[]> {
    const prefix = `EVT#telegram:${chatId}:`;
    return (await bot.table.engagementItems()).filter(
      (item) => item.pk?.S?.startsWith(prefix) && item.kind?.S === 'member_joined',
    );
  }

  it('reads the member and their first name from both payloads, under one event id', () => {
    const { chatMember, service } = joinUpdates(-1001234567890, 1735725780);

    const fromChatMember = translateChatMember(
      chatMember.chat_member as ChatMemberUpdated,
      chatMember.update_id,
    );
    const fromService = translateMessage(service.message as Message, service.update_id, SANDBOX_BOT_USERNAME);

    const expected = {
      kind: 'member_joined',
      member: { platform: 'telegram', id: '444444444' },
      name: 'Dave',
      occurredAt: new Date(1735725780 * 1000),
    };
    expect(fromChatMember).toMatchObject({ events: [expected] });
    expect(fromService).toMatchObject({ events: [expected] });
    const ids = [fromChatMember, fromService].map((result) =>
      'events' in result ? result.events[0]?.id : '',
    );
    // sha256("telegram-join:<chat>:<user>:<date>"), first 24 hex digits, worked out outside the code.
    expect(ids).toEqual(['join:18faca2c1e045b82d404e493', 'join:18faca2c1e045b82d404e493']);
  });

  it('records a join heard twice (chat_member and the service message) once', async () => {
    const chatId = -1009000000001;
    const { chatMember, service } = joinUpdates(chatId, 1764496800);

    const results = await Promise.all([deliver(chatMember, SECRET), deliver(service, SECRET)]);
    await deliver(service, SECRET);

    expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    const joins = await joinsIn(chatId);
    expect(joins).toHaveLength(1);
    // The key names the join by a digest: no attribute holds the Telegram user id.
    expect(JSON.stringify(joins)).not.toContain('444444444');
  });

  it('records each new member of a service message alone (no chat_member), and no bot', async () => {
    const chatId = -1009000000002;
    const { service } = joinUpdates(chatId, 1764496900);
    const message = service.message as Record<string, unknown>;
    const newMembers = [
      { id: 555000001, is_bot: false, first_name: 'Erin' },
      { id: 555000002, is_bot: false, first_name: 'Frank' },
      { id: 555000003, is_bot: true, first_name: 'Helper', username: 'helper_bot' },
    ];

    const result = await deliver(
      { ...service, message: { ...message, new_chat_members: newMembers } },
      SECRET,
    );

    expect(result.statusCode).toBe(200);
    expect(await joinsIn(chatId)).toHaveLength(2);
  });

  it('records nothing for a service message whose new members are all bots', async () => {
    const chatId = -1009000000003;
    const { service } = joinUpdates(chatId, 1764497000);
    const message = service.message as Record<string, unknown>;
    const bots = [{ id: 555000004, is_bot: true, first_name: 'Helper', username: 'helper_bot' }];

    const result = await deliver({ ...service, message: { ...message, new_chat_members: bots } }, SECRET);

    expect(result.statusCode).toBe(200);
    expect(await joinsIn(chatId)).toHaveLength(0);
  });
});
