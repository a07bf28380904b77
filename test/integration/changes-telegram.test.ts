/**
 * Issue 10, Telegram: edits, removed and replaced reactions, anonymous admins' posts and anonymous reaction
 * counts keep `/community stats` exact. Updates in the Bot API's shapes (`edited_message`, `message_reaction`,
 * `message_reaction_count`, a message with `sender_chat`) through the real webhook with its secret token, into
 * dynalite; counts read through `/community stats` as an administrator is told them. Each test has a group of
 * its own. Telegram tells bots of no deletions.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { rollupPartition } from '../../shared/store/engagement-repository.js';
import { TABLE } from '../../shared/store/table.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { type StatsColumns, statsWindow } from '../support/stats-rows.js';
import { payloadOf, telegramHarness, type Update } from './telegram-harness.js';

let bot: BotUnderTest;
beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});
afterAll(() => bot?.close());

interface Group {
  readonly id: number;
  readonly type: 'supergroup';
  readonly title: string;
}

let groups = 0;
/** A supergroup no other test uses (the bot serves it from its first update on). */
function freshGroup(): Group {
  groups += 1;
  return { id: -1006510000000 - groups, type: 'supergroup', title: `Changes ${groups}` };
}

let updates = 651_000_000;
/** The next update id: Telegram numbers updates in the order it sends them. */
const nextUpdateId = () => ++updates;

const person = (name: string) => ({ id: sandboxUserId(name), is_bot: false, first_name: name });
/** The placeholder account Telegram shows as `from` of an anonymous admin's post. */
const GROUP_ANONYMOUS_BOT = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
const emoji = (character: string) => ({ type: 'emoji', emoji: character });

/** `user`'s message `messageId` in `group` (a command when `text` starts with `/`). */
function message(group: Group, user: string, messageId: number, text: string, at = new Date()): Update {
  const command = text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: 10 }] } : {};
  return {
    update_id: nextUpdateId(),
    message: { message_id: messageId, from: person(user), chat: group, date: seconds(at), text, ...command },
  };
}

/** The message `messageId` as edited: it now reads `text`. */
function edited(group: Group, user: string, messageId: number, text: string, at = new Date()): Update {
  return {
    update_id: nextUpdateId(),
    edited_message: {
      message_id: messageId,
      from: person(user),
      chat: group,
      date: seconds(at) - 60,
      edit_date: seconds(at),
      text,
    },
  };
}

/** `user`'s reactions on the message `messageId` went from `before` to `after` (emoji characters). */
function reacted(
  group: Group,
  user: string,
  messageId: number,
  [before, after]: [string[], string[]],
  at = new Date(),
): Update {
  return {
    update_id: nextUpdateId(),
    message_reaction: {
      chat: group,
      message_id: messageId,
      user: person(user),
      date: seconds(at),
      old_reaction: before.map(emoji),
      new_reaction: after.map(emoji),
    },
  };
}

/** The anonymous reactions the message `messageId` has now, per emoji. */
function counted(group: Group, messageId: number, totals: Record<string, number>, at = new Date()): Update {
  return {
    update_id: nextUpdateId(),
    message_reaction_count: {
      chat: group,
      message_id: messageId,
      date: seconds(at),
      reactions: Object.entries(totals).map(([character, total]) => ({
        type: emoji(character),
        total_count: total,
      })),
    },
  };
}

const { deliver, calls } = telegramHarness(() => bot);

/** Delivers each update in turn to the bot under test (or `to`); each is acknowledged. */
async function deliverAll(list: readonly Update[], to = bot): Promise<void> {
  for (const update of list) {
    expect((await deliver(update, undefined, to.handler)).statusCode).toBe(200);
  }
}

/** modann's (an administrator's) `/community stats` in `group`, told privately: one window's telegram row. */
async function stats(
  group: Group,
  window = 'today',
  to = bot,
  at = new Date(),
): Promise<StatsColumns | undefined> {
  const mark = to.api.requests.length;
  await deliverAll([message(group, 'modann', nextUpdateId(), '/community stats', at)], to);
  await to.lambda.idle();
  const [answer, ...more] = calls('sendMessage', mark, to.api)
    .map(payloadOf)
    .filter((payload) => payload.chat_id === sandboxUserId('modann'));
  expect(more).toEqual([]);
  return statsWindow(String(answer?.text), window).telegram;
}

/** The engagement items of `group`, by record key (after `telegram:<chat>:`). */
async function itemsOf(group: Group, table = bot.table): Promise<Map<string, Item>> {
  const prefix = `telegram:${group.id}:`;
  const items = (await table.engagementItems()).filter((item) => item.key?.S?.startsWith(prefix));
  return new Map(items.map((item) => [item.key?.S?.slice(prefix.length) ?? '', item]));
}

const row = (members: number, messages: number, reactions: number) => ({
  members,
  messages,
  replies: 0,
  reactions,
  joins: 0,
});

describe('Telegram edits', () => {
  it('changes the length of an edited message and never adds a message', async () => {
    // Prepare
    const group = freshGroup();
    await deliverAll([message(group, 'alice', 11, 'hi')]);

    // Act: the edit delivered twice; an edit of a message the bot never heard.
    const edit = edited(group, 'alice', 11, 'hi there, edited');
    await deliverAll([edit, edit, edited(group, 'bob', 12, 'never seen before')]);

    // Assess
    const items = await itemsOf(group);
    expect([...items.keys()]).toEqual(['message:11']);
    expect(items.get('message:11')?.textLength).toEqual({ N: String('hi there, edited'.length) });
    expect(await stats(group)).toEqual(row(1, 1, 0));
  });

  it("amends a post whose message id holds its author's user id among its digits", async () => {
    // Prepare: an early account (a short user id) posts message 1424201 in a busy group: "42420" is in it.
    const group = freshGroup();
    const early = { id: 42420, is_bot: false, first_name: 'Olga' };
    const post = message(group, 'olga', 1424201, 'short');
    const update = (field: 'message' | 'edited_message', from: Update) => {
      const body = (from.message ?? from.edited_message) as Record<string, unknown>;
      return { update_id: from.update_id, [field]: { ...body, from: early } } as Update;
    };

    // Act
    await deliverAll([update('message', post)]);
    await deliverAll([update('edited_message', edited(group, 'olga', 1424201, 'a much longer text'))]);

    // Assess: one post, under its message id, with the edited length.
    const items = await itemsOf(group);
    expect([...items.keys()]).toEqual(['message:1424201']);
    expect(items.get('message:1424201')?.textLength).toEqual({ N: String('a much longer text'.length) });
  });
});

describe('Telegram reactions', () => {
  it('counts a reaction replaced by another once, and none once it is removed', async () => {
    // Prepare
    const group = freshGroup();
    await deliverAll([message(group, 'alice', 21, 'react to this')]);
    // Built in the order Telegram numbers them.
    const added = reacted(group, 'bob', 21, [[], ['👍']]);
    const replaced = reacted(group, 'bob', 21, [['👍'], ['🔥']]);

    // Act 1: bob reacts 👍, then changes it into 🔥.
    await deliverAll([added, replaced]);
    const afterReplace = await stats(group);
    // Act 2: bob takes 🔥 back; Telegram redelivers the older change after it.
    await deliverAll([reacted(group, 'bob', 21, [['🔥'], []]), replaced]);
    const afterRemoval = await stats(group);

    // Assess
    expect(afterReplace).toEqual(row(2, 1, 1));
    expect(afterRemoval).toEqual(row(1, 1, 0));
    const bob = expectedMemberId('telegram', String(sandboxUserId('bob')));
    const items = await itemsOf(group);
    for (const character of ['👍', '🔥']) {
      expect(items.get(`reaction:${group.id}/21/${bob}/${character}`)?.gone).toEqual({ BOOL: true });
    }
  });

  it('counts the latest anonymous total for the chat, and an older count delivered late changes nothing', async () => {
    // Prepare
    const group = freshGroup();
    await deliverAll([message(group, 'carol', 31, 'anonymous reactions welcome')]);
    // Numbered before every count below (Telegram sent it first), delivered last.
    const older = counted(group, 31, { '👍': 4, '🔥': 2 });

    // Act
    await deliverAll([counted(group, 31, { '👍': 2, '🔥': 1 })]);
    const three = await stats(group);
    const latest = counted(group, 31, { '👍': 1 });
    await deliverAll([latest]);
    const one = await stats(group);
    await deliverAll([older]);
    const afterLate = await stats(group);

    // Assess: reactions count for the chat, for no member.
    expect(three).toEqual(row(1, 1, 3));
    expect(one).toEqual(row(1, 1, 1));
    expect(afterLate).toEqual(row(1, 1, 1));
  });
});

describe('Telegram posts in the name of the chat', () => {
  it("counts an anonymous admin's post in messages, not in members", async () => {
    // Prepare
    const group = freshGroup();
    const anonymous: Update = {
      update_id: nextUpdateId(),
      message: {
        message_id: 41,
        from: GROUP_ANONYMOUS_BOT,
        sender_chat: group,
        chat: group,
        date: seconds(new Date()),
        text: 'A word from the admins',
      },
    };

    // Act
    await deliverAll([anonymous, anonymous, message(group, 'dave', 42, 'thanks')]);

    // Assess: two messages, one member seen (dave); the post is the chat's, no member's.
    expect(await stats(group)).toEqual(row(1, 2, 0));
    expect((await itemsOf(group)).get('message:41')?.memberId).toEqual({ S: '-' });
  });
});

describe('Telegram changes on a closed day', () => {
  const DAY = '2026-11-20';
  let clock = new Date(`${DAY}T10:00:00Z`);
  let own: BotUnderTest;
  beforeAll(async () => {
    own = await startBotUnderTest(telegramPlatform, { deps: { now: () => clock } });
  });
  afterAll(() => own?.close());

  it("rebuilds the day's stats so they equal what still counts", async () => {
    // Prepare: on DAY, erin posts, frank reacts, and the post has 4 anonymous reactions; the next day an
    // administrator reads stats, which writes DAY's rollup (the day is closed).
    const group = freshGroup();
    await deliverAll(
      [
        message(group, 'erin', 51, 'closed day', clock),
        reacted(group, 'frank', 51, [[], ['👏']], clock),
        counted(group, 51, { '👏': 4 }, clock),
      ],
      own,
    );
    clock = new Date('2026-11-21T12:00:00Z');
    const before = await stats(group, '7 days', own, clock);
    const rollup = () => rollupOf(own, group, DAY);
    expect(await rollup()).toMatchObject({ messages: { N: '1' }, reactions: { N: '5' } });

    // Act: the next day frank takes his reaction back, the anonymous count drops to 2, erin edits her post.
    await deliverAll(
      [
        reacted(group, 'frank', 51, [['👏'], []], clock),
        counted(group, 51, { '👏': 2 }, clock),
        edited(group, 'erin', 51, 'closed day, edited', clock),
      ],
      own,
    );
    const after = await stats(group, '7 days', own, clock);

    // Assess: DAY counts erin's post and the 2 anonymous reactions; frank is no longer seen; today is empty.
    expect(before).toEqual(row(2, 1, 5));
    expect(after).toEqual(row(1, 1, 2));
    expect(await rollup()).toMatchObject({ messages: { N: '1' }, reactions: { N: '2' } });
    expect(await stats(group, 'today', own, clock)).toEqual(row(0, 0, 0));
    expect((await itemsOf(group, own.table)).get('message:51')?.textLength).toEqual({
      N: String('closed day, edited'.length),
    });
  });
});

/** The stored rollup of a closed day of the group (what stats read for that day). */
async function rollupOf(target: BotUnderTest, group: Group, day: string): Promise<Item | undefined> {
  const { Item } = await target.table.client.send(
    new GetItemCommand({
      TableName: target.table.tableName,
      Key: {
        [TABLE.partitionKey]: { S: rollupPartition({ platform: 'telegram', id: String(group.id) }) },
        [TABLE.sortKey]: { S: day },
      },
    }),
  );
  return Item;
}
