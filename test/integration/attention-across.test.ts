/**
 * A member's mute covers every identity they linked in the community: Discord and Telegram real handlers on
 * one table. pete links his Discord account into a Telegram group's community, mutes from the group, and
 * both opaque ids are muted; unmute clears both. A mute in a Discord server of another community stays there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';
import { sandboxUserId as discordId, sandboxGuildId } from '../../bots/discord/sandbox-cast.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId as telegramId } from '../../bots/telegram/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { type Answer, answerOf, commandIn, command as discordCommand } from './discord-harness.js';
import { communityHarness, type Group } from './telegram-harness.js';

let table: TestTable;
let discord: BotUnderTest;
let telegram: BotUnderTest;

const tg = communityHarness(() => telegram);
/** A Telegram group that is a community of its own (every new space is one, in open mode). */
const GROUP: Group = { space: 'b', channel: 'mutes-across' };
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

afterEach(async () => {
  await Promise.all([discord.settled(), telegram.settled()]);
});

async function deliverDiscord(text: string, where: 'dm' | 'a'): Promise<Answer> {
  const delivery = where === 'dm' ? discordCommand('pete', text, 'dm') : commandIn('a', 'pete', text);
  return answerOf(await discord.handler(httpEvent(delivery.path, delivery.body, { ...delivery.headers })));
}

async function communityOf(platform: 'telegram' | 'discord', id: string): Promise<string> {
  const space = await table.store.core.spaces.find({ platform, id });
  if (!space) throw new Error(`${platform}:${id} is not registered`);
  return space.communityId;
}

describe('mutes across linked identities', () => {
  it('mutes and unmutes every identity the member linked in the community, and only there', async () => {
    // Prepare: pete asks for a code in the Telegram group and redeems it in his Discord DM.
    const [issued] = await tg.ask('pete', GROUP, '/community me link');
    const code = MEMBER_CODE.exec(issued?.text ?? '')?.[0] ?? '';
    const linked = await deliverDiscord(`/community me link ${code}`, 'dm');
    const community = await communityOf('telegram', String(tg.chatOf(GROUP)));
    const ids = [
      expectedMemberId('telegram', String(telegramId('pete'))),
      expectedMemberId('discord', discordId('pete')),
    ];
    const muted = () => table.store.core.attention.mutedMembers(community, ids);

    // Act
    const told = await tg.answerTo('pete', GROUP, '/community mute');
    const whileMuted = await muted();
    const inServer = await deliverDiscord('/community mute', 'a');
    const server = await communityOf('discord', sandboxGuildId('a'));
    const inServerMuted = await table.store.core.attention.mutedMembers(server, ids);
    const unmuted = await tg.answerTo('pete', GROUP, '/community unmute');
    const afterwards = await muted();

    // Assess
    expect(code).toMatch(MEMBER_CODE);
    expect(linked.data?.content).toContain('are one member of this community now');
    expect(told).toMatch(/^Muted: this bot sends your 2 linked accounts nothing unasked in this community/);
    expect([...whileMuted].sort()).toEqual([...ids].sort());
    expect(inServer.data?.content).toMatch(/^Muted: this bot sends you nothing unasked/);
    expect(server).not.toBe(community);
    expect([...inServerMuted]).toEqual([ids[1]]);
    expect(unmuted).toMatch(/^Unmuted: this bot may send your 2 linked accounts/);
    expect([...afterwards]).toEqual([]);
  });
});
