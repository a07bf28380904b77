import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';
import { sandboxUserId as discordId, sandboxGuildId } from '../../bots/discord/sandbox-cast.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId as telegramId } from '../../bots/telegram/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { startTestTable, type TestTable } from '../support/table.js';
import {
  type Answer,
  answerOf,
  commandIn,
  contentOf,
  type Delivery,
  command as discordCommand,
} from './discord-harness.js';
import { communityHarness, type Group, scanItems } from './telegram-harness.js';

/*
 * Issue 8's identity linking with Discord on one side: the Discord and Telegram real handlers on ONE table.
 * A Discord code is redeemed in the person's private chat with the Telegram bot; a Telegram code is redeemed
 * in a Discord DM (an interaction without a guild), and refused in a Discord server of another community;
 * `me unlink` on Discord undoes a link. Asserted on the answers, what the fake APIs received and the raw table.
 */

let table: TestTable;
let discord: BotUnderTest;
let telegram: BotUnderTest;

const tg = communityHarness(() => telegram);
/** The person's private chat with the Telegram bot. */
const TELEGRAM_DM: Group = { space: 'a', channel: 'dm' };
/** A Telegram group that stays a community of its own (every new space is one, in open mode). */
const GROUP: Group = { space: 'b', channel: 'linking' };
const EPHEMERAL = 64;
/** Discord's deferred answer: "thinking…", privately; the answer edits it later. */
const DEFERRED = { type: 5, data: { flags: EPHEMERAL } };
const MEMBER_CODE = /M-[0-9A-Z]{4}-[0-9A-Z]{4}/;

beforeAll(async () => {
  table = await startTestTable();
  [discord, telegram] = await Promise.all([
    startBotUnderTest(discordPlatform, { table }),
    startBotUnderTest(telegramPlatform, { table }),
  ]);
});

afterAll(async () => {
  await Promise.all([discord, telegram].map((bot) => bot?.close()));
  await table?.close();
});

// A later job still running would answer into the next test's assertions.
afterEach(async () => {
  await Promise.all([discord.lambda.idle(), telegram.lambda.idle()]);
  expect([...discord.lambda.failed, ...telegram.lambda.failed]).toEqual([]);
});

async function deliverDiscord(delivery: Delivery): Promise<Answer> {
  return answerOf(await discord.handler(httpEvent(delivery.path, delivery.body, { ...delivery.headers })));
}

/** `/community <text>` by `user` in sandbox server a: the private interaction response. */
async function inGuild(user: string, text: string): Promise<Answer> {
  const answer = await deliverDiscord(commandIn('a', user, `/community ${text}`));
  expect(answer.data?.flags).toBe(EPHEMERAL);
  return answer;
}

/** `/community <text>` by `user` in their DM with the bot: the interaction response. */
async function inDm(user: string, text: string): Promise<Answer> {
  const delivery = discordCommand(user, `/community ${text}`, 'dm');
  // As Discord sends a DM interaction: no guild, the actor as the top-level `user`.
  const payload = JSON.parse(delivery.body) as Record<string, unknown>;
  expect(payload.guild_id).toBeUndefined();
  expect(payload.user).toMatchObject({ id: discordId(user) });
  return deliverDiscord(delivery);
}

/** `/community me show` by `user` in server a: deferred privately, then the one edit of that original. */
async function shownOnDiscord(user: string): Promise<string> {
  const delivery = commandIn('a', user, '/community me show');
  expect(await deliverDiscord(delivery)).toEqual(DEFERRED);
  await discord.lambda.idle();
  const edits = discord.api.requests.filter(
    (request) =>
      request.method === 'PATCH' &&
      request.path.endsWith(`/${encodeURIComponent(delivery.token)}/messages/@original`),
  );
  expect(edits).toHaveLength(1);
  return edits[0] ? contentOf(edits[0]) : '';
}

/** The `**Accounts:**` line of a Discord `me show` answer. */
const accountsLine = (shown: string) => shown.split('\n').find((line) => line.startsWith('**Accounts:**'));

/** The community a space belongs to, as its directory item in the table says. */
async function communityOf(space: string): Promise<string> {
  const [item] = await scanItems(
    table,
    (found) => found.pk?.S === `SPACE#${space}` && found.sk?.S === 'SPACE',
  );
  expect(item?.communityId?.S, space).toBeDefined();
  return item?.communityId?.S ?? '';
}

/** Every identity mapping item naming `ids` (platform ids), anywhere in the table: pk, sk and the set. */
async function identityItems(ids: readonly string[]) {
  const items = await scanItems(
    table,
    (item) =>
      item.sk?.S?.startsWith('IDENTITY#') === true && ids.some((id) => JSON.stringify(item).includes(id)),
  );
  return items
    .map((item) => ({ pk: item.pk?.S, sk: item.sk?.S, identities: [...(item.identities?.SS ?? [])].sort() }))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

/** `user` asks for a code in Discord server a and redeems it in their private chat with the Telegram bot. */
async function linkDiscordToTelegram(user: string) {
  const issued = await inGuild(user, 'me link');
  const code = MEMBER_CODE.exec(issued.data?.content ?? '')?.[0] ?? '';
  const linked = await tg.answerTo(user, TELEGRAM_DM, `/community me link ${code}`);
  return { code, issued, linked };
}

describe('identity linking between Discord and Telegram', () => {
  it('links a Discord code redeemed in the private Telegram chat; me show on Discord lists both', async () => {
    // Prepare
    const discordUser = discordId('nora');
    const telegramUser = String(telegramId('nora'));

    // Act
    const { code, issued, linked } = await linkDiscordToTelegram('nora');
    const shown = await shownOnDiscord('nora');

    // Assess
    expect(code).toMatch(MEMBER_CODE);
    expect(issued.type).toBe(4);
    expect(issued.data?.content).toBe(
      `Your code: \`${code}\` (works once, for 15 minutes; keep it to yourself). From your account on another ` +
        `platform, send \`/community me link ${code}\` in a space of this community, or privately to the bot ` +
        'there. The two accounts then count as one member here.',
    );
    // The code travelled only in the private interaction response, never through the API.
    expect(
      discord.api.requests.filter((request) => JSON.stringify(request.payload ?? '').includes(code)),
    ).toEqual([]);
    expect(linked).toBe(
      `Linked: discord ${discordUser} and telegram ${telegramUser} are one member of this community now. ` +
        '/community me shows what is held; /community me unlink <platform> undoes it.',
    );
    expect(accountsLine(shown)).toBe(
      `**Accounts:** discord \`${discordUser}\`, telegram \`${telegramUser}\` (linked by you)`,
    );
    const community = await communityOf(`discord:${sandboxGuildId('a')}`);
    const both = [`discord:${discordUser}`, `telegram:${telegramUser}`];
    expect(await identityItems([discordUser, telegramUser])).toEqual([
      { pk: `COMMUNITY#${community}`, sk: `IDENTITY#discord:${discordUser}`, identities: both },
      { pk: `COMMUNITY#${community}`, sk: `IDENTITY#telegram:${telegramUser}`, identities: both },
    ]);
  });

  it('redeems a Telegram group’s code in a Discord DM, and refuses it in a server of another community', async () => {
    // Prepare: pete asks for a code in the Telegram group, which is a community of its own.
    const telegramUser = String(telegramId('pete'));
    const discordUser = discordId('pete');
    const [issued] = await tg.ask('pete', GROUP, '/community me link');
    const code = MEMBER_CODE.exec(issued?.text ?? '')?.[0] ?? '';

    // Act: quinn tries it in Discord server a first, then pete redeems it in his DM with the Discord bot.
    const refused = await inGuild('quinn', `me link ${code}`);
    const linked = await inDm('pete', `me link ${code}`);
    const shownInGroup = await tg.answerTo('pete', GROUP, '/community me');

    // Assess
    expect(code).toMatch(MEMBER_CODE);
    expect(refused.type).toBe(4);
    expect(refused.data?.content).toBe(
      'This code belongs to another community. Use it in a space of the community where you asked for it, ' +
        'or privately to the bot.',
    );
    expect(linked.type).toBe(4);
    expect(linked.data?.flags).toBe(EPHEMERAL);
    expect(linked.data?.content).toBe(
      `Linked: telegram \`${telegramUser}\` and discord \`${discordUser}\` are one member of this community ` +
        'now. `/community me` shows what is held; `/community me unlink <platform>` undoes it.',
    );
    expect(shownInGroup).toContain(
      `Accounts: discord ${discordUser}, telegram ${telegramUser} (linked by you)`,
    );
    // Linked in the Telegram group's community; quinn's refusal linked nothing.
    const community = await communityOf(`telegram:${tg.chatOf(GROUP)}`);
    expect(community).not.toBe(await communityOf(`discord:${sandboxGuildId('a')}`));
    const both = [`discord:${discordUser}`, `telegram:${telegramUser}`];
    expect(await identityItems([discordUser, telegramUser, discordId('quinn')])).toEqual([
      { pk: `COMMUNITY#${community}`, sk: `IDENTITY#discord:${discordUser}`, identities: both },
      { pk: `COMMUNITY#${community}`, sk: `IDENTITY#telegram:${telegramUser}`, identities: both },
    ]);
  });

  it('unlinks the Telegram account on Discord: me show lists the Discord account alone, no mapping is left', async () => {
    // Prepare: rosa links as in the first test.
    const discordUser = discordId('rosa');
    const telegramUser = String(telegramId('rosa'));
    const { linked } = await linkDiscordToTelegram('rosa');
    expect(linked).toContain(`Linked: discord ${discordUser} and telegram ${telegramUser}`);
    expect(await identityItems([discordUser, telegramUser])).toHaveLength(2);

    // Act
    const unlinked = await inGuild('rosa', 'me unlink telegram');
    const shown = await shownOnDiscord('rosa');

    // Assess
    expect(unlinked.data?.content).toBe(
      `Unlinked: your telegram account \`${telegramUser}\` is a separate member of this community again.`,
    );
    expect(accountsLine(shown)).toBe(
      `**Accounts:** discord \`${discordUser}\` (link another with \`/community me link\`)`,
    );
    expect(await identityItems([discordUser, telegramUser])).toEqual([]);
  });
});
