/**
 * Issue 10, Discord: deletions, edits and reactions taken back keep `/community stats` exact. Gateway
 * dispatches in Discord's shapes (sandbox-gateway.ts: MESSAGE_UPDATE, MESSAGE_DELETE, MESSAGE_DELETE_BULK,
 * MESSAGE_REACTION_ADD / REMOVE) through the ingestion the relay runs, into dynalite; counts read through
 * `/community stats` on the real interactions handler, records read from the table. Each test has a sandbox
 * server of its own, so no test's numbers depend on another's.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion, type GatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { discordSandbox, sandboxUserId } from '../../bots/discord/sandbox.js';
import { sandboxGuildId } from '../../bots/discord/sandbox-cast.js';
import {
  gatewayMessage,
  gatewayMessageDelete,
  gatewayMessageDeleteBulk,
  gatewayMessageUpdate,
  gatewayReaction,
} from '../../bots/discord/sandbox-gateway.js';
import type { Item } from '../../shared/store/attributes.js';
import { rollupPartition } from '../../shared/store/engagement-repository.js';
import { TABLE } from '../../shared/store/table.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { type StatsColumns, statsWindow } from '../support/stats-rows.js';
import { answerOf, commandIn, contentOf, discordBot } from './discord-harness.js';

let servers = 0;
/** A sandbox server no other test uses. */
function freshSpace(): string {
  servers += 1;
  return `chg${servers}`;
}

let instants = Date.now();
/** A distinct instant near now: each message built at one is a message of its own. */
function tick(): Date {
  instants += 1;
  return new Date(instants);
}

/** A second relay (another process during a deploy): its own ingestion on the same table, on `now`. */
function relay(bot: BotUnderTest, now?: () => Date): GatewayIngestion {
  return createDiscordGatewayIngestion(loadDiscordConfig(bot.env), now ? { now } : {});
}

/** Dispatches each in turn; what each became. */
async function dispatchAll(ingestion: GatewayIngestion, dispatches: readonly unknown[]) {
  const results = [];
  for (const dispatch of dispatches) results.push(await ingestion.dispatch(dispatch));
  return results;
}

/** modsam's `/community stats` in the sandbox server `space`, signed at `at`: one window's discord row. */
async function stats(
  bot: BotUnderTest,
  space: string,
  window = 'today',
  at = tick(),
): Promise<StatsColumns | undefined> {
  const request = commandIn(space, 'modsam', '/community stats', at);
  const acknowledged = await bot.handler(
    httpEvent(discordSandbox.path, request.body, { ...request.headers }),
  );
  expect(answerOf(acknowledged)).toEqual({ type: 5, data: { flags: 64 } });
  await bot.lambda.idle();
  const [answer, ...more] = bot.api.requests.filter(
    (sent) =>
      sent.method === 'PATCH' &&
      sent.path.endsWith(`/${encodeURIComponent(request.token)}/messages/@original`),
  );
  expect(more).toEqual([]);
  return statsWindow(answer ? contentOf(answer) : '', window).discord;
}

/** The item stored under a record key, if any. */
async function itemOf(bot: BotUnderTest, key: string): Promise<Item | undefined> {
  return (await bot.table.engagementItems()).find((item) => item.key?.S === key);
}

const messageKey = (space: string, id: string) => `discord:${sandboxGuildId(space)}:${id}`;
const changed = { outcome: 'changed', changes: ['applied'] };

const row = (members: number, messages: number, reactions: number) => ({
  members,
  messages,
  replies: 0,
  reactions,
  joins: 0,
});

describe('Discord deletions and edits', () => {
  const context = discordBot();

  it('takes messages out of stats on MESSAGE_DELETE and MESSAGE_DELETE_BULK, once', async () => {
    // Prepare: four members post one message each.
    const space = freshSpace();
    const posts = ['alice', 'bob', 'carol', 'dana'].map((user) =>
      gatewayMessage({ user, channel: 'general', space, text: `hi from ${user}` }, tick()),
    );
    await dispatchAll(context.gateway, posts);
    const before = await stats(context.bot, space);
    const [, bob, carol, dana] = posts.map((post) => post.d.id);
    const where = { channel: 'general', space };

    // Act: dana's message deleted (and the deletion replayed); then bob's and carol's purged in bulk.
    const single = await dispatchAll(context.gateway, [
      gatewayMessageDelete({ ...where, messageId: String(dana) }),
      gatewayMessageDelete({ ...where, messageId: String(dana) }),
    ]);
    const afterSingle = await stats(context.bot, space);
    const bulk = gatewayMessageDeleteBulk({ ...where, messageIds: [String(bob), String(carol)] });
    const purged = await dispatchAll(context.gateway, [bulk, bulk]);
    const afterBulk = await stats(context.bot, space);

    // Assess: each deletion applied once; authors seen by nothing else are no longer counted.
    expect(before).toEqual(row(4, 4, 0));
    expect(single).toEqual([changed, { outcome: 'changed', changes: ['unchanged'] }]);
    expect(afterSingle).toEqual(row(3, 3, 0));
    expect(purged).toEqual([
      { outcome: 'changed', changes: ['applied', 'applied'] },
      { outcome: 'changed', changes: ['unchanged', 'unchanged'] },
    ]);
    expect(afterBulk).toEqual(row(1, 1, 0));
    for (const id of [bob, carol, dana]) {
      expect((await itemOf(context.bot, messageKey(space, String(id))))?.gone).toEqual({ BOOL: true });
    }
  });

  it('amends the length on MESSAGE_UPDATE with content; without content or edited_timestamp nothing changes', async () => {
    // Prepare
    const space = freshSpace();
    const postedAt = tick();
    const place = { user: 'erin', channel: 'general', space };
    const post = gatewayMessage({ ...place, text: 'first words' }, postedAt);
    await context.gateway.dispatch(post);
    const edit = (text: string | undefined, editedAt: Date | null) =>
      gatewayMessageUpdate({ ...place, messageId: post.d.id, ...(text ? { text } : {}) }, postedAt, editedAt);
    const length = async () => (await itemOf(context.bot, messageKey(space, post.d.id)))?.textLength;

    // Act
    const withContent = await context.gateway.dispatch(edit('first words, and a few more', tick()));
    const lengthAfterEdit = await length();
    const withoutContent = await context.gateway.dispatch(edit(undefined, tick()));
    const notAnEdit = await context.gateway.dispatch(edit('an embed was added', null));

    // Assess
    expect(withContent).toEqual(changed);
    expect(lengthAfterEdit).toEqual({ N: String('first words, and a few more'.length) });
    expect(withoutContent).toEqual({ ignored: expect.stringContaining('text Discord did not send') });
    expect(notAnEdit).toEqual({ ignored: expect.stringContaining('not an edit') });
    expect(await length()).toEqual({ N: String('first words, and a few more'.length) });
    expect(await stats(context.bot, space)).toEqual(row(1, 1, 0));
  });
});

describe('Discord reactions in a burst, and from a second relay', () => {
  const context = discordBot();

  it('counts a reaction added, removed and added in the same millisecond once; a second relay changes nothing', async () => {
    // Prepare: both relays read one frozen clock, as two processes receiving the burst at one instant.
    const space = freshSpace();
    const post = gatewayMessage({ user: 'gus', channel: 'general', space }, tick());
    await context.gateway.dispatch(post);
    const instant = tick();
    const [first, second] = [relay(context.bot, () => instant), relay(context.bot, () => instant)];
    const reaction = { user: 'hana', channel: 'general', space, messageId: post.d.id, emoji: '🎉' };
    const burst = [gatewayReaction(reaction), gatewayReaction(reaction, true), gatewayReaction(reaction)];

    // Act
    const outcomes = await dispatchAll(first, burst);
    const once = await stats(context.bot, space);
    const replayed = await dispatchAll(second, burst);
    const afterSecond = await stats(context.bot, space);

    // Assess
    expect(outcomes).toEqual([{ outcome: 'recorded' }, { outcome: 'recorded' }, { outcome: 'recorded' }]);
    expect(once).toEqual(row(2, 1, 1));
    expect(replayed).toEqual([{ outcome: 'duplicate' }, { outcome: 'duplicate' }, { outcome: 'duplicate' }]);
    expect(afterSecond).toEqual(row(2, 1, 1));
    const hana = expectedMemberId('discord', sandboxUserId('hana'));
    const keys = (await context.bot.table.engagementItems())
      .map((item) => item.key?.S ?? '')
      .filter((key) => key.includes(`/${post.d.id}/`));
    expect(keys).toEqual([
      `discord:${sandboxGuildId(space)}:reaction:${post.d.channel_id}/${post.d.id}/${hana}/🎉`,
    ]);
  });

  it('leaves a reaction added and removed uncounted when two relays deliver the burst at once', async () => {
    // Prepare
    const space = freshSpace();
    const post = gatewayMessage({ user: 'ivan', channel: 'general', space }, tick());
    await context.gateway.dispatch(post);
    const instant = tick();
    const relays = [relay(context.bot, () => instant), relay(context.bot, () => instant)];
    const reaction = { user: 'jade', channel: 'general', space, messageId: post.d.id, emoji: '👀' };
    const burst = [gatewayReaction(reaction), gatewayReaction(reaction, true)];

    // Act
    await Promise.all(relays.map((ingestion) => dispatchAll(ingestion, burst)));

    // Assess: jade's reaction is off, and was her only act.
    expect(await stats(context.bot, space)).toEqual(row(1, 1, 0));
  });
});

describe('Discord changes on a closed day', () => {
  const DAY = '2026-11-20';
  let clock = new Date(`${DAY}T10:00:00Z`);
  let asked = 0;
  /** A moment of the clock of its own (a distinct interaction each time stats are asked). */
  const now = () => {
    asked += 1;
    return new Date(clock.getTime() + asked);
  };
  let bot: BotUnderTest;
  let gateway: GatewayIngestion;
  beforeAll(async () => {
    bot = await startBotUnderTest(discordPlatform, { deps: { now: () => clock } });
    gateway = relay(bot, () => clock);
  });
  afterAll(() => bot?.close());

  it("rebuilds the day's stats so they equal what still counts", async () => {
    // Prepare: on DAY, three messages and a reaction; the next day a moderator reads stats, which writes
    // DAY's rollup (the day is closed).
    const space = freshSpace();
    const posts = ['kai', 'lena', 'lena'].map((user, index) =>
      gatewayMessage({ user, channel: 'general', space, text: `day message ${index}` }, now()),
    );
    const [kept, deletedOne, deletedTwo] = posts.map((post) => post.d.id);
    const reaction = { user: 'milo', channel: 'general', space, messageId: String(kept), emoji: '🔥' };
    await dispatchAll(gateway, [...posts, gatewayReaction(reaction)]);
    clock = new Date('2026-11-21T12:00:00Z');
    const before = await stats(bot, space, '7 days', now());
    const rollup = () => rollupOf(bot, space, DAY);
    expect(await rollup()).toMatchObject({ messages: { N: '3' }, reactions: { N: '1' } });

    // Act: the next day one message is deleted, one purged in bulk, the reaction taken back.
    const where = { channel: 'general', space };
    await dispatchAll(gateway, [
      gatewayMessageDelete({ ...where, messageId: String(deletedOne) }),
      gatewayMessageDeleteBulk({ ...where, messageIds: [String(deletedTwo)] }),
      gatewayReaction(reaction, true),
    ]);
    const after = await stats(bot, space, '7 days', now());

    // Assess: DAY counts kai's message only; lena and milo are no longer seen; today has nothing.
    expect(before).toEqual(row(3, 3, 1));
    expect(after).toEqual(row(1, 1, 0));
    expect(await rollup()).toMatchObject({ messages: { N: '1' }, reactions: { N: '0' } });
    expect(await stats(bot, space, 'today', now())).toEqual(row(0, 0, 0));
  });
});

/** The stored rollup of a closed day of the sandbox server (what stats read for that day). */
async function rollupOf(bot: BotUnderTest, space: string, day: string): Promise<Item | undefined> {
  const { Item } = await bot.table.client.send(
    new GetItemCommand({
      TableName: bot.table.tableName,
      Key: {
        [TABLE.partitionKey]: { S: rollupPartition({ platform: 'discord', id: sandboxGuildId(space) }) },
        [TABLE.sortKey]: { S: day },
      },
    }),
  );
  return Item;
}
