import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { discordSandbox, interactionHeaders } from '../../bots/discord/sandbox.js';
import { sandboxUserId as discordUserId, sandboxGuildId } from '../../bots/discord/sandbox-cast.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { slackSandbox } from '../../bots/slack/sandbox.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId as telegramUserId } from '../../bots/telegram/sandbox.js';
import type { SignedRequest } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { httpEvent } from '../support/lambda.js';
import { startTestTable, type TestTable } from '../support/table.js';
import {
  ask as askDiscord,
  contentOf,
  type DiscordContext,
  postIn,
  pressed,
  statsFor,
  todayRows,
} from './discord-harness.js';
import { ackBody, command, received, TEAM } from './slack-deliveries.js';
import { communityHarness, type Group, scanItems } from './telegram-harness.js';

/*
 * Issue 7's "Done when", across platforms: a Slack workspace, a Discord server and a Telegram group become
 * one community through the three real handlers, each with its own fake platform API and fake Lambda, all
 * on ONE table (as deployed). Linking and unlinking change which spaces a community moderator's stats,
 * spaces and audit cover, exactly, and no engagement record moves. A second Telegram group is another
 * community throughout and sees none of it.
 */

let table: TestTable;
let slack: BotUnderTest;
let discordBot: BotUnderTest;
let telegram: BotUnderTest;
let discord: DiscordContext;

beforeAll(async () => {
  table = await startTestTable();
  const capture = captureDeps();
  [slack, discordBot, telegram] = await Promise.all([
    startBotUnderTest(slackPlatform, { table }),
    startBotUnderTest(discordPlatform, { table, deps: capture.deps }),
    startBotUnderTest(telegramPlatform, { table }),
  ]);
  discord = discordContext(discordBot, capture);
});

afterAll(async () => {
  await Promise.all([slack, discordBot, telegram].map((bot) => bot?.close()));
  await table?.close();
});

/** The Discord harness's context on the bot started here (the harness's own `discordBot()` starts a table). */
function discordContext(bot: BotUnderTest, capture: DiscordContext['capture']): DiscordContext {
  const laterAnswers = (token: string) =>
    bot.api.requests.filter(
      (request) =>
        request.method === 'PATCH' &&
        request.path.endsWith(`/${encodeURIComponent(token)}/messages/@original`),
    );
  return {
    bot,
    capture,
    gateway: createDiscordGatewayIngestion(loadDiscordConfig(bot.env), capture.deps),
    deliver(request: SignedRequest | string, handler = bot.handler) {
      const { body, headers } =
        typeof request === 'string'
          ? { body: request, headers: interactionHeaders(request, new Date()) }
          : request;
      return handler(httpEvent(discordSandbox.path, body, { ...headers }));
    },
    laterAnswers,
    async laterAnswer(token: string) {
      await bot.lambda.idle();
      const answers = laterAnswers(token);
      expect(answers).toHaveLength(1);
      return answers[0] ? contentOf(answers[0]) : '';
    },
  };
}

// Slack: workspace T0SANDBOX; UMODSAM is an admin there (users.info), UALICE and UBOB are members.
const SLACK_ADMIN = 'UMODSAM';
let slackMessage = 0;

/** `count` messages in the Slack workspace's #general, from `users` in turn (sandbox names). */
async function postInSlack(count: number, users: readonly string[]) {
  for (let index = 0; index < count; index += 1) {
    slackMessage += 1;
    const user = users[index % users.length] ?? 'alice';
    const message = { user, channel: 'general', text: 'hi', messageId: `${slackMessage}` };
    const { path, body, headers } = slackSandbox.sign({ kind: 'message', ...message });
    expect(await slack.handler(httpEvent(path, body, { ...headers }))).toMatchObject({ statusCode: 200 });
  }
}

/** `/community <text>` by the Slack admin: the answer, in the acknowledgement or (stats) later. */
async function askSlack(text: string): Promise<string> {
  const delivery = command(text, { user: SLACK_ADMIN });
  const ack = ackBody(await slack.handler(delivery.event));
  await slack.lambda.idle();
  const later = received(slack.api, delivery.hookPath).map(
    (request) => (request.payload as { text: string }).text,
  );
  return [String(ack?.text ?? ''), ...later].join('\n');
}

const slackStats = async () => todayRows(await askSlack('stats'));

// Discord: sandbox server a; modmia and modsam moderate it (Administrator / Manage Server).
const DISCORD_MOD = 'modmia';
const DISCORD = `discord:${sandboxGuildId('a')}`;
const discordStats = async (user = DISCORD_MOD) => todayRows(await statsFor(discord, user, 'a'));

// Telegram: group T (space a, admins modann and modsam) joins; group U (space b, admin modann-b) never does.
const T: Group = { space: 'a', channel: 'across' };
const U: Group = { space: 'b', channel: 'across' };
const T_ADMIN = 'modann';
const T_OTHER_ADMIN = 'modsam';
const U_ADMIN = 'modann-b';
const tg = communityHarness(() => telegram);
const TELEGRAM = () => `telegram:${tg.chatOf(T)}`;
const SLACK = `slack:${TEAM}`;

/**
 * The space labels of stats rows: the platform's name for the space, when a payload carried one (a Telegram
 * group's title; a Slack slash command's team domain, kept from the first command on; a Discord interaction
 * or gateway message carries none), and its key.
 */
const labels = () => ({
  slack: `example (${SLACK})`,
  discord: DISCORD,
  telegram: `across (${TELEGRAM()})`,
});

/** A single space's `today` rows: its platform's and the total. */
const alone = (platform: string, members: number, messages: number) => ({
  [platform]: [members, messages, 0, 0, 0],
  total: [members, messages, 0, 0, 0],
});

const CODE = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/;
const codeFromSlack = async () => CODE.exec(await askSlack('link'))?.[0] ?? '';

/**
 * Every engagement item of the table (not an interaction's answer claim), as stored, by the space its key
 * names; each item's key names the space its attributes say it happened in.
 */
async function engagementBySpace(): Promise<Record<string, string[]>> {
  const interactions = new Set(['command_invoked', 'button_pressed', 'form_submitted']);
  const items = await scanItems(table, (item) => item.pk?.S?.startsWith('EVT#') === true);
  const bySpace: Record<string, string[]> = {};
  for (const item of items) {
    const space = `${item.platform?.S}:${item.spaceId?.S}`;
    expect(item.pk?.S?.startsWith(`EVT#${space}:`)).toBe(true);
    if (!interactions.has(item.kind?.S ?? ''))
      bySpace[space] = [...(bySpace[space] ?? []), JSON.stringify(item)];
  }
  return Object.fromEntries(Object.entries(bySpace).map(([space, records]) => [space, records.sort()]));
}

describe('one community across Slack, Discord and Telegram', () => {
  it('links a Discord server and a Telegram group into a Slack workspace, sums exactly, and splits again', async () => {
    // Prepare: distinct engagement in each space, through each platform's own way in (Discord: the gateway
    // ingestion). `alice` on three platforms is three members: each platform identity counts once.
    await postInSlack(3, ['alice', 'bob']);
    await postIn(discord, 'a', 4, ['alice', 'bob', 'carol']);
    await tg.post(T, 2, ['alice']);
    await tg.post(U, 5, ['bob', 'carol']);
    await Promise.all([slack, discordBot, telegram].map((bot) => bot.lambda.idle()));
    const records = await engagementBySpace();
    const counts = Object.fromEntries(Object.entries(records).map(([space, items]) => [space, items.length]));
    expect(counts).toEqual({ [SLACK]: 3, [DISCORD]: 4, [TELEGRAM()]: 2, [`telegram:${tg.chatOf(U)}`]: 5 });

    // Assess (before): each moderator sees their own space only.
    expect(await slackStats()).toEqual(alone('slack', 2, 3));
    expect(await discordStats()).toEqual(alone('discord', 3, 4));
    expect(await tg.statsOf(T_ADMIN, T)).toEqual(alone('telegram', 1, 2));
    expect(await tg.statsOf(U_ADMIN, U)).toEqual(alone('telegram', 2, 5));

    // Act 1: Discord's moderator redeems a code from Slack and presses Join in the server.
    const discordQuestion = await askDiscord(
      discord,
      'a',
      DISCORD_MOD,
      `/community link ${await codeFromSlack()}`,
    );
    const discordDone = await pressed(discord, discordQuestion, 'Join', { user: DISCORD_MOD, space: 'a' });

    // Act 2: Telegram's admin redeems another; the question comes to their private chat, and Join there.
    const [telegramQuestion] = await tg.ask(T_ADMIN, T, `/community link ${await codeFromSlack()}`);
    const mark = telegram.api.requests.length;
    await tg.press(T_ADMIN, telegramQuestion, 'Join', 'across-join');
    await telegram.lambda.idle();
    const telegramDone = telegram.api.requests
      .slice(mark)
      .filter((request) => request.path.endsWith('/editMessageText'))
      .map((request) => String((request.payload as { text?: string }).text));

    // Assess 1: both joined; the first link made its two moderators the community's, the second its
    // confirming moderator the first one on Telegram (nobody could name a Telegram member otherwise).
    expect(discordQuestion.data?.content).toMatch(
      new RegExp(`^Join discord .*\`${DISCORD}\` to the community of slack`),
    );
    expect(discordDone).toMatch(
      /^Done: .* You and the moderator who issued the code are its community moderators\./,
    );
    expect(telegramQuestion?.text).toMatch(
      /^Join telegram across .* to the community of slack .* It has 2 spaces:/,
    );
    expect(telegramDone).toEqual([
      expect.stringMatching(
        /^Done: telegram <b>across<\/b> .* is part of that community now\. You are its first community moderator on telegram\./,
      ),
    ]);
    const moderators = await askSlack('moderators list');
    expect(moderators.split('\n').slice(1).sort()).toEqual(
      [
        `- discord:${discordUserId(DISCORD_MOD)}`,
        `- slack:${SLACK_ADMIN}`,
        `- telegram:${telegramUserId(T_ADMIN)}`,
      ].sort(),
    );

    // Assess 2: every community moderator, on each platform, sees three spaces, three platforms, the sum.
    const { slack: s, discord: d, telegram: t } = labels();
    const linked = {
      [s]: [2, 3, 0, 0, 0],
      [d]: [3, 4, 0, 0, 0],
      [t]: [1, 2, 0, 0, 0],
      slack: [2, 3, 0, 0, 0],
      discord: [3, 4, 0, 0, 0],
      telegram: [1, 2, 0, 0, 0],
      total: [6, 9, 0, 0, 0],
    };
    expect(await slackStats()).toEqual(linked);
    expect(await discordStats()).toEqual(linked);
    expect(await tg.statsOf(T_ADMIN, T)).toEqual(linked);
    // A space moderator who is no community moderator sees their space; the other community its own.
    expect(await discordStats('modsam')).toEqual(alone('discord', 3, 4));
    expect(await tg.statsOf(T_OTHER_ADMIN, T)).toEqual(alone('telegram', 1, 2));
    expect(await tg.statsOf(U_ADMIN, U)).toEqual(alone('telegram', 2, 5));

    // Assess 3: spaces and audit show the three and both links; the other community none of it.
    const spaces = (await askSlack('spaces')).split('\n').slice(1);
    expect(spaces).toHaveLength(3);
    for (const key of [SLACK, DISCORD, TELEGRAM()]) {
      expect(spaces).toContainEqual(expect.stringContaining(`${key}: active`));
    }
    const audit = await askSlack('audit');
    expect(audit).toContain(`linked ${DISCORD} into this community (code from ${SLACK})`);
    expect(audit).toContain(`linked ${TELEGRAM()} into this community (code from ${SLACK})`);
    expect(audit.match(/asked for a link code/g)).toHaveLength(2);
    const otherSpaces = await tg.answerTo(U_ADMIN, U, '/community spaces');
    expect(otherSpaces).toContain(`telegram:${tg.chatOf(U)}: active (this space)`);
    for (const key of [SLACK, DISCORD, TELEGRAM()]) expect(otherSpaces).not.toContain(key);
    expect(await tg.answerTo(U_ADMIN, U, '/community audit')).toBe(
      'No moderator actions recorded in this community yet.',
    );

    // A community moderator cannot reach into another community: unlinking its group is refused, unchanged.
    const otherGroup = `telegram:${tg.chatOf(U)}`;
    const before = await table.store.core.spaces.find({ platform: 'telegram', id: String(tg.chatOf(U)) });
    expect(await askSlack(`unlink ${otherGroup}`)).toBe(
      `No space ${otherGroup} in this community. /community spaces lists them.`,
    );
    expect(await table.store.core.spaces.find({ platform: 'telegram', id: String(tg.chatOf(U)) })).toEqual(
      before,
    );

    // Act 3: a community moderator unlinks the Telegram group, from Slack.
    const unlinked = await askSlack(`unlink ${TELEGRAM()}`);

    // Assess 4: the stats split exactly: Slack and Discord together, the Telegram group alone.
    expect(unlinked).toMatch(new RegExp(`^telegram .*${TELEGRAM()} is now a community of its own`));
    const rest = {
      [s]: [2, 3, 0, 0, 0],
      [d]: [3, 4, 0, 0, 0],
      slack: [2, 3, 0, 0, 0],
      discord: [3, 4, 0, 0, 0],
      total: [5, 7, 0, 0, 0],
    };
    expect(await slackStats()).toEqual(rest);
    expect(await discordStats()).toEqual(rest);
    expect(await tg.statsOf(T_ADMIN, T)).toEqual(alone('telegram', 1, 2));
    expect(await tg.statsOf(U_ADMIN, U)).toEqual(alone('telegram', 2, 5));
    expect(await askSlack('spaces')).not.toContain(TELEGRAM());
    expect(await askSlack('audit')).toContain(`unlinked ${TELEGRAM()}: it is a community of its own now`);

    // Assess 5: no record moved: every engagement item is exactly as it was before the first link.
    expect(await engagementBySpace()).toEqual(records);
  });
});
