import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { renderMessage } from '../../bots/telegram/render.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import type { SpaceRecord } from '../../shared/core/communities/model.js';
import { notEnabledText, SPACE_NOTICE } from '../../shared/core/communities/spaces.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import {
  deliverSixTimes,
  fixture,
  payloadOf,
  SECRET,
  spaceIds,
  spaceItems,
  telegramHarness,
  type Update,
} from './telegram-harness.js';

/*
 * Telegram groups as spaces, through the real webhook: the bot added (my_chat_member, or the first update),
 * removed, a group migrated to a supergroup, private chats (never a space), and approved mode.
 */

let bot: BotUnderTest | undefined;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(async () => {
  await bot?.close();
});

const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { deliver, recordsOf, calls } = telegramHarness(underTest);

interface TestChat {
  readonly id: number;
  readonly type: 'group' | 'supergroup' | 'private';
  readonly title?: string;
  readonly first_name?: string;
}

const supergroup = (id: number, title: string): TestChat => ({ id, type: 'supergroup', title });
const privateChat = (user: string): TestChat => ({
  id: sandboxUserId(user),
  type: 'private',
  first_name: user,
});
const person = (user: string) => ({ id: sandboxUserId(user), is_bot: false, first_name: user });
const now = () => Math.floor(Date.now() / 1000);

/** The bot's own status in `chat` going from `before` to `after` (Telegram's my_chat_member). */
function botStatus(updateId: number, chat: TestChat, before: string, after: string): Update {
  const { my_chat_member: change } = fixture('my-chat-member-added') as Update & {
    my_chat_member: Record<string, Record<string, unknown>>;
  };
  return {
    update_id: updateId,
    my_chat_member: {
      ...change,
      chat,
      date: now(),
      old_chat_member: { ...change.old_chat_member, status: before },
      new_chat_member: { ...change.new_chat_member, status: after },
    },
  };
}

/** A message in `chat` with these fields (a service message when none of them is content). */
function serviceMessage(updateId: number, chat: TestChat, fields: object): Update {
  return { update_id: updateId, message: { message_id: updateId % 1_000_000, chat, date: now(), ...fields } };
}

/** A member's text message (or, starting with `/`, command) in `chat`. */
function message(updateId: number, chat: TestChat, user: string, text: string): Update {
  const length = text.split(' ')[0]?.length ?? 0;
  const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length }] : undefined;
  return serviceMessage(updateId, chat, { from: person(user), text, ...(entities ? { entities } : {}) });
}

/** The stored space item of a chat, as plain strings. */
async function spaceOf(chatId: number): Promise<Record<string, unknown> | undefined> {
  const item = (await spaceItems(underTest().table)).find(
    (found) => found.pk?.S === `SPACE#telegram:${chatId}`,
  );
  if (!item) return undefined;
  return Object.fromEntries(
    Object.entries(item).map(([key, value]) => [key, value.S ?? value.SS ?? value.L]),
  );
}

/** sendMessage calls into one chat since `mark`. */
const sentTo = (chatId: number, mark: number) =>
  calls('sendMessage', mark)
    .map(payloadOf)
    .filter((payload) => payload.chat_id === chatId);

/** The notice as the group sees it. */
const NOTICE = renderMessage(SPACE_NOTICE).text;

/** The `telegram` rows of a stats answer: members, messages, replies, reactions, joins per window. */
function statsRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => /^\s+telegram\s/.test(line))
    .map((row) => row.trim().split(/\s+/).slice(1));
}

/** `/community stats` by modann (an administrator) in `chat`; the private answer's text. */
async function statsIn(chat: TestChat, updateId: number): Promise<string> {
  const mark = underTest().api.requests.length;
  await deliver(message(updateId, chat, 'modann', '/community stats'));
  await underTest().lambda.idle();
  const [answer, ...more] = sentTo(sandboxUserId('modann'), mark);
  expect(more).toEqual([]);
  return String(answer?.text);
}

describe('Telegram spaces: the bot added to a group', () => {
  it('registers the group as an active space and posts its notice there exactly once', async () => {
    // Prepare
    const chat = supergroup(-1006500000001, 'Garden Club');
    const mark = underTest().api.requests.length;

    // Act: the addition delivered six times (three at once), before anyone speaks.
    const statuses = await deliverSixTimes(() => deliver(botStatus(650000101, chat, 'left', 'member')));
    await underTest().lambda.idle();

    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await spaceOf(chat.id)).toMatchObject({
      sk: 'SPACE',
      status: 'active',
      name: 'Garden Club',
      noticedAt: expect.any(String),
    });
    expect(sentTo(chat.id, mark)).toEqual([{ chat_id: chat.id, text: NOTICE, parse_mode: 'HTML' }]);

    // Act: members speak, on this instance and on another one (another Lambda cold start).
    await deliver(message(650000102, chat, 'alice', 'hello'));
    await deliver(message(650000103, chat, 'bob', 'hi'), SECRET, underTest().another());
    await underTest().lambda.idle();

    // Assess: recorded, and still the one notice.
    expect(await recordsOf(650000102, chat.id)).toHaveLength(1);
    expect(await recordsOf(650000103, chat.id)).toHaveLength(1);
    expect(sentTo(chat.id, mark)).toHaveLength(1);
  });

  it('registers a group on its first message when no my_chat_member came, with the same one notice', async () => {
    const chat = supergroup(-1006500000006, 'Walkers');
    const mark = underTest().api.requests.length;

    await deliverSixTimes(() => deliver(message(650000601, chat, 'carol', 'first!')));
    await deliver(message(650000602, chat, 'dave', 'second'));
    await underTest().lambda.idle();

    expect(await spaceOf(chat.id)).toMatchObject({ status: 'active', name: 'Walkers' });
    expect(sentTo(chat.id, mark)).toEqual([{ chat_id: chat.id, text: NOTICE, parse_mode: 'HTML' }]);
  });
});

describe('Telegram spaces: the bot removed from a group', () => {
  it('marks the space inactive, keeps its records, and records nothing more there', async () => {
    // Prepare: a message recorded while the bot is in the group.
    const chat = supergroup(-1006500000002, 'Chess Club');
    await deliver(message(650000201, chat, 'alice', 'before'));
    await underTest().lambda.idle();

    // Act
    const removed = await deliver(botStatus(650000202, chat, 'member', 'kicked'));
    const after = await deliver(message(650000203, chat, 'bob', 'after'));

    // Assess
    expect([removed.statusCode, after.statusCode]).toEqual([200, 200]);
    expect(await spaceOf(chat.id)).toMatchObject({ status: 'inactive' });
    expect(await recordsOf(650000201, chat.id)).toHaveLength(1);
    expect(await recordsOf(650000203)).toEqual([]);
  });

  it('serves the group again once the bot is added back', async () => {
    const chat = supergroup(-1006500000007, 'Runners');
    await deliver(message(650000701, chat, 'alice', 'hello'));
    await deliver(botStatus(650000702, chat, 'administrator', 'left'));
    await deliver(message(650000703, chat, 'alice', 'unheard'));

    await deliver(botStatus(650000704, chat, 'left', 'administrator'));
    await deliver(message(650000705, chat, 'alice', 'heard again'));
    await underTest().lambda.idle();

    expect(await spaceOf(chat.id)).toMatchObject({ status: 'active' });
    expect(await recordsOf(650000703)).toEqual([]);
    expect(await recordsOf(650000705, chat.id)).toHaveLength(1);
  });
});

describe('Telegram spaces: a group that became a supergroup', () => {
  it('keeps one space and its history: stats in the supergroup count messages from before and after', async () => {
    // Prepare: two messages in the basic group, then the migration as Telegram tells it, in both chats.
    const old: TestChat = { id: -650000003, type: 'group', title: 'Book Club' };
    const moved = supergroup(-1006500000003, 'Book Club');
    await deliver(message(650000301, old, 'alice', 'chapter one'));
    await deliver(message(650000302, old, 'bob', 'chapter two'));
    const migrateTo = serviceMessage(650000303, old, { from: person('alice'), migrate_to_chat_id: moved.id });
    const migrateFrom = serviceMessage(650000304, moved, {
      // Sent on behalf of the new supergroup, as Telegram does (test/fixtures/telegram/migrate-from-chat.json).
      from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
      sender_chat: moved,
      migrate_from_chat_id: old.id,
    });

    // Act: each migration message twice (Telegram may deliver again), then a message in the supergroup.
    for (const update of [migrateTo, migrateFrom, migrateTo, migrateFrom]) {
      expect((await deliver(update)).statusCode).toBe(200);
    }
    await deliver(message(650000305, moved, 'carol', 'chapter three'));
    await underTest().lambda.idle();
    const stats = await statsIn(moved, 650000306);

    // Assess: members alice, bob, carol; three messages, two of them recorded under the old id.
    expect(statsRows(stats)).toEqual([
      ['3', '3', '0', '0', '0'],
      ['3', '3', '0', '0', '0'],
      ['3', '3', '0', '0', '0'],
    ]);
    expect(await recordsOf(650000301, old.id)).toHaveLength(1);
    expect(await recordsOf(650000303)).toEqual([]);
    expect(await recordsOf(650000304)).toEqual([]);
    expect(await spaceOf(old.id)).toMatchObject({ status: 'moved', movedTo: String(moved.id) });
    expect(await spaceOf(moved.id)).toMatchObject({ status: 'active', formerIds: [String(old.id)] });
  });
});

describe('Telegram spaces: private chats', () => {
  it('never records a private chat nor makes it a space; stats show only the group', async () => {
    // Prepare: alice and bob talk in a group and to the bot privately (text, a reaction, a command).
    const chat = supergroup(-1006500000004, 'Choir');
    const alice = privateChat('alice');
    await deliver(message(650000401, chat, 'alice', 'in the group'));
    await deliver(message(650000402, alice, 'alice', 'just to the bot'));
    await deliver(message(650000403, privateChat('bob'), 'bob', 'me too'));
    await deliver({
      update_id: 650000404,
      message_reaction: {
        chat: alice,
        message_id: 1,
        user: person('alice'),
        date: now(),
        old_reaction: [],
        new_reaction: [{ type: 'emoji', emoji: '👍' }],
      },
    });
    await deliver(message(650000405, alice, 'alice', '/community help'));
    await deliver(botStatus(650000406, alice, 'member', 'kicked'));
    await underTest().lambda.idle();

    // Act
    const stats = await statsIn(chat, 650000407);

    // Assess: one member, one message; nothing kept from the private chats, and no space for them.
    expect(statsRows(stats)).toEqual([
      ['1', '1', '0', '0', '0'],
      ['1', '1', '0', '0', '0'],
      ['1', '1', '0', '0', '0'],
    ]);
    for (const updateId of [650000402, 650000403, 650000404, 650000406]) {
      expect(await recordsOf(updateId)).toEqual([]);
    }
    const spaces = await spaceIds(underTest().table);
    expect(spaces).toContain(String(chat.id));
    expect(spaces.filter((id) => !id.startsWith('-'))).toEqual([]);
  });
});

describe('Telegram spaces: approved mode', () => {
  it('records nothing in a new group and answers any command there with the not-enabled sentence', async () => {
    // Prepare: a bot of its own, serving only approved spaces.
    const approved = await startBotUnderTest(telegramPlatform, { env: { SPACES_MODE: 'approved' } });
    onTestFinished(() => approved.close());
    const own = telegramHarness(() => approved);
    const chat = supergroup(-1006500000005, 'Strangers');
    const send = (update: Update) => own.deliver(update, SECRET, approved.handler);

    // Act
    await send(botStatus(650000501, chat, 'left', 'member'));
    await send(message(650000502, chat, 'alice', 'anyone here?'));
    await send(message(650000503, chat, 'alice', '/community help'));
    await send(message(650000504, chat, 'modann', '/community stats'));
    await approved.lambda.idle();

    // Assess: a pending space; no engagement recorded; each command answered (privately) with one sentence.
    const items = await spaceItems(approved.table);
    expect(items.map((item) => [item.pk?.S, item.status?.S])).toEqual([
      [`SPACE#telegram:${chat.id}`, 'pending'],
    ]);
    expect(await own.recordsOf(650000502)).toEqual([]);
    const inChat = (await approved.table.engagementItems()).filter(
      (item) => item.spaceId?.S === String(chat.id),
    );
    expect(inChat.map((item) => item.kind?.S).sort()).toEqual(['command_invoked', 'command_invoked']);
    const sentence = renderMessage({
      text: notEnabledText({ platform: 'telegram', id: String(chat.id) } as SpaceRecord),
    }).text;
    const sends = own.calls('sendMessage', 0).map(payloadOf);
    expect(sends.map((payload) => [payload.chat_id, payload.text])).toEqual([
      [sandboxUserId('alice'), sentence],
      [sandboxUserId('modann'), sentence],
    ]);
  });
});
