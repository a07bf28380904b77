import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import {
  SLACK_SANDBOX,
  signSlackBody,
  sandboxUserId as slackId,
  slackSandbox,
} from '../../bots/slack/sandbox.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { markSandboxStarted, sandboxUserId as telegramId } from '../../bots/telegram/sandbox.js';
import { FEATURES } from '../../shared/core/features.js';
import type { Item } from '../../shared/store/attributes.js';
import { MAX_ATTEMPTS } from '../../shared/store/client.js';
import { TABLE } from '../../shared/store/table.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { ackBody, buttonsOf, command, dmsTo, field, press, received, TEAM } from './slack-deliveries.js';
import { communityHarness, type Group, scanItems } from './telegram-harness.js';

/*
 * Issue 8's "Done when", across platforms: a Slack workspace and a Telegram group are one community (linked
 * through the real handlers, on ONE table). A person links their accounts themselves, sees what is held,
 * opts out and in, and erases it; after an erasure no item of the table names them (but other members'
 * edges to them), the stats equal a recount without them, a crash half-way resumes, a community moderator
 * can erase someone, codes are refused clearly, and another community keeps what it holds.
 */

let table: TestTable;
let slack: BotUnderTest;
let telegram: BotUnderTest;

/**
 * The bots' clock: real time, moved by `shift` (two days back to record a day that is closed whenever the
 * test runs, even just after midnight UTC; minutes on to expire a code).
 */
let shift = 0;
const now = () => new Date(Date.now() + shift);
const DAY_MS = 24 * 60 * 60 * 1000;

const tg = communityHarness(() => telegram);
// Telegram group T joins the Slack workspace's community; group U stays another community.
const T: Group = { space: 'a', channel: 'members' };
const U: Group = { space: 'b', channel: 'members' };
const DM = (space = 'a'): Group => ({ space, channel: 'dm' });
const T_ADMIN = 'modann';
const U_ADMIN = 'modann-b';
const SLACK_ADMIN = slackId('modsam');

beforeAll(async () => {
  table = await startTestTable();
  [slack, telegram] = await Promise.all([
    startBotUnderTest(slackPlatform, { table, deps: { now } }),
    startBotUnderTest(telegramPlatform, { table, deps: { now } }),
  ]);
  // The space link flow: Slack's admin issues a space code, Telegram's admin redeems it in T and joins.
  const spaceCode = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await askSlack(SLACK_ADMIN, 'link'))?.[0] ?? '';
  const [question] = await tg.ask(T_ADMIN, T, `/community link ${spaceCode}`);
  await tg.press(T_ADMIN, question, 'Join', 'members-join');
  await telegram.lambda.idle();
  await tg.post(U, 1, ['carol']);
}, 60_000);

afterAll(async () => {
  await Promise.all([slack, telegram].map((bot) => bot?.close()));
  await table?.close();
});

/** `/community <text>` by a Slack user: the acknowledgement and every later answer, in order. */
async function askSlack(user: string, text: string): Promise<string> {
  const delivery = command(text, { user, at: now() });
  const ack = ackBody(await slack.handler(delivery.event));
  await slack.lambda.idle();
  const later = received(slack.api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  return [String(ack?.text ?? ''), ...later].join('\n');
}

/** A press on a Slack button by `user`: every answer it got (the update or the later private answer). */
async function pressSlack(user: string, button: { actionId: string; value?: string }): Promise<string> {
  const delivery = press(button, { user, channel: 'CGENERAL', ephemeral: true, at: now() });
  const result = await slack.handler(delivery.event);
  await slack.lambda.idle();
  const later = received(slack.api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  return [String(ackBody(result)?.text ?? ''), ...later].join('\n');
}

let slackMessage = 0;

/**
 * A message by `user` (a sandbox name) in the Slack workspace's #general; with `to`, a thread reply whose
 * parent was written by that sandbox name (Slack's `parent_user_id`).
 */
async function postInSlack(user: string, to?: string): Promise<void> {
  slackMessage += 1;
  const messageId = `members-${slackMessage}`;
  const at = now();
  const signedAction = slackSandbox.sign(
    { kind: 'message', user, channel: 'general', text: 'hi', messageId, ...(to ? { threadOf: 'root' } : {}) },
    at,
  );
  const body = JSON.parse(signedAction.body) as { event: Record<string, unknown> };
  if (to) body.event.parent_user_id = slackId(to);
  const text = JSON.stringify(body);
  const seconds = Math.floor(at.getTime() / 1000);
  const result = await slack.handler(
    httpEvent(signedAction.path, text, {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(seconds),
      'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, seconds, text),
    }),
  );
  expect(result).toMatchObject({ statusCode: 200 });
}

/** `user` (a sandbox name) joins the Slack workspace's #general. */
async function joinSlack(user: string): Promise<void> {
  const at = now();
  const signed = slackSandbox.sign({ kind: 'join', user, channel: 'general' }, at);
  const seconds = Math.floor(at.getTime() / 1000);
  const result = await slack.handler(
    httpEvent(signed.path, signed.body, {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(seconds),
      'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, seconds, signed.body),
    }),
  );
  expect(result).toMatchObject({ statusCode: 200 });
  await slack.settled();
}

/** Every engagement record (not an interaction's claim). */
async function engagementCount(): Promise<number> {
  const claims = new Set(['command_invoked', 'button_pressed', 'form_submitted']);
  return (await table.engagementItems()).filter((item) => !claims.has(item.kind?.S ?? '')).length;
}

/** Every engagement record (not an interaction's claim) of a Telegram group, as stored. */
async function engagementIn(chat: number): Promise<Item[]> {
  const claims = new Set(['command_invoked', 'button_pressed', 'form_submitted']);
  return (await table.engagementItems()).filter(
    (item) => item.pk?.S?.startsWith(`EVT#telegram:${chat}:`) && !claims.has(item.kind?.S ?? ''),
  );
}

/** A Slack member code from `/community me link`. */
async function memberCode(user: string): Promise<string> {
  return /M-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await askSlack(user, 'me link'))?.[0] ?? '';
}

/** Every window's rows of a stats answer: window -> label -> members, messages, replies, reactions, joins. */
function statsRows(stats: string): Record<string, Record<string, number[]>> {
  const windows: Record<string, Record<string, number[]>> = {};
  let current: Record<string, number[]> | undefined;
  for (const line of stats.split('\n')) {
    const label = line.trim();
    if (['today', '7 days', '30 days'].includes(label)) {
      current = {};
      windows[label] = current;
      continue;
    }
    const cells = /^ {2}(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
    if (cells && current) current[cells[1] ?? ''] = cells.slice(2).map(Number);
  }
  return windows;
}

/** Whether `text` names `id` as a whole token (ids are letters, digits, `_` and `-`). */
function names(text: string, id: string): boolean {
  const escaped = id.replace(/[-_]/g, (char) => `\\${char}`);
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}([^A-Za-z0-9_-]|$)`).test(text);
}

/** Someone's platform ids and opaque ids (every generation up to 1), computed independently. */
function idsOf(person: { slack: string; telegram?: string }): string[] {
  const telegramUser = person.telegram ? String(telegramId(person.telegram)) : undefined;
  return [
    slackId(person.slack),
    expectedMemberId('slack', slackId(person.slack), 0),
    expectedMemberId('slack', slackId(person.slack), 1),
    ...(telegramUser
      ? [
          telegramUser,
          expectedMemberId('telegram', telegramUser, 0),
          expectedMemberId('telegram', telegramUser, 1),
        ]
      : []),
  ];
}

const { byDay } = TABLE.indexes;

/**
 * Every item naming one of `ids`, but other members' records whose edge (`toMemberId`) points at them and
 * items of another community's spaces (`walled`).
 */
async function itemsNaming(ids: readonly string[], walled: readonly string[] = []): Promise<Item[]> {
  const all = await scanItems(table, () => true);
  return all.filter((item) => {
    if (walled.some((space) => item.pk?.S?.includes(space))) return false;
    const edge = item.pk?.S?.startsWith('EVT#') && ids.includes(item.toMemberId?.S ?? '');
    const { toMemberId: _to, [byDay.sortKey]: _sk, ...rest } = item;
    const text = JSON.stringify(edge ? rest : item);
    return ids.some((id) => names(text, id));
  });
}

/** The partitions (up to the first `#`-separated part after the prefix) of the items naming `ids`. */
async function kindsNaming(ids: readonly string[], walled: readonly string[] = []): Promise<string[]> {
  const items = await itemsNaming(ids, walled);
  return [
    ...new Set(
      items.map((item) => {
        const sk = item.sk?.S ?? '';
        const prefix = item.pk?.S?.split('#')[0] ?? '';
        return prefix === 'COMMUNITY' ? `COMMUNITY/${sk.split('#')[0]}` : prefix;
      }),
    ),
  ].sort();
}

const utcDay = (date: Date) => date.toISOString().slice(0, 10);

describe('members and privacy across Slack and Telegram', () => {
  it('links by the person, shows what is held, opts out and in, and forgets', async () => {
    // Prepare: walt links Slack (code) and Telegram (redeemed in group T); vera redeems privately.
    const waltSlack = slackId('walt');
    const waltTelegram = String(telegramId('walt'));
    const code = await memberCode(waltSlack);
    const linked = await tg.answerTo('walt', T, `/community me link ${code}`);
    const veraCode = await memberCode(slackId('vera'));
    const veraLinked = await tg.answerTo('vera', DM(), `/community me link ${veraCode}`);
    await postInSlack('walt');
    await tg.post(T, 2, ['walt']);

    // Act 1: walt asks what is held, on Telegram.
    const shown = await tg.answerTo('walt', T, '/community me');

    // Assess 1
    expect(code).toMatch(/^M-/);
    expect(linked).toContain(`Linked: slack ${waltSlack} and telegram ${waltTelegram} are one member`);
    expect(veraLinked).toContain(`Linked: slack ${slackId('vera')} and telegram ${telegramId('vera')}`);
    expect(shown).toContain(`Accounts: slack ${waltSlack}, telegram ${waltTelegram} (linked by you)`);
    expect(shown).toContain('Last 30 days: 3 messages');
    expect(shown).toContain('Recording: on');
    for (const kind of FEATURES.flatMap((feature) => feature.memberData ?? [])) {
      expect(shown).toContain(`- ${kind.name}`);
      expect(shown).toContain(`${kind.purpose}; kept ${kind.keptFor}.`);
    }

    // Act 2: walt opts out on Slack, then speaks on both platforms; opts in on Telegram, speaks again.
    const optedOut = await askSlack(waltSlack, 'me optout');
    const before = await engagementCount();
    await postInSlack('walt');
    await tg.post(T, 1, ['walt']);
    const whileOut = await engagementCount();
    const shownOut = await tg.answerTo('walt', T, '/community me');
    const optedIn = await tg.answerTo('walt', T, '/community me optin');
    await postInSlack('walt');
    await tg.post(T, 1, ['walt']);
    const afterIn = await engagementCount();

    // Assess 2
    expect(optedOut).toContain('Stopped: from now on nothing about your 2 linked accounts is recorded');
    expect(whileOut).toBe(before);
    expect(shownOut).toContain('Recording: stopped (you opted out');
    expect(optedIn).toContain('Recording again');
    expect(afterIn).toBe(before + 2);

    // Act 3: walt asks to forget on Slack and presses "Erase my data".
    const asked = await askSlack(waltSlack, 'me forget');
    const erased = await pressSlack(waltSlack, { actionId: 'me.forget' });
    await postInSlack('walt');
    await tg.post(T, 1, ['walt']);

    // Assess 3: the answer came later, privately, with counts; nothing is left, nothing new recorded.
    expect(asked).toContain('Erase everything this bot holds about you in this community?');
    expect(erased).toContain('Erased. What this bot held about you in this community is gone:');
    expect(erased).toMatch(/- engagement records: \d+/);
    expect(erased).toContain('- identity links: 2');
    expect(await engagementCount()).toBe(afterIn - 5);
    expect(await itemsNaming(idsOf({ slack: 'walt', telegram: 'walt' }))).toEqual([]);
  });

  it('forgets every registered kind of member data, rebuilds closed days, and records nothing after', async () => {
    // Prepare: lea is a Slack moderator; on Telegram she never started the bot (`strangerlea`).
    const lea = { slack: 'modlea', telegram: 'strangerlea' };
    const LEA = slackId(lea.slack);
    const earlier = utcDay(new Date(Date.now() - 2 * DAY_MS));
    const seeders: Record<string, () => Promise<void>> = {
      'engagement records': async () => {
        shift = -2 * DAY_MS;
        await postInSlack('modlea');
        await postInSlack('alice');
        shift = 0;
        await postInSlack('modlea');
        await postInSlack('modlea');
        await postInSlack('modlea', 'alice');
        await postInSlack('bob', 'modlea');
        await tg.post(T, 2, [lea.telegram]);
      },
      // Her link answer cannot reach her privately: it waits behind a deep link.
      'identity links': async () => {
        const code = await memberCode(LEA);
        await tg.say(lea.telegram, T, `/community me link ${code}`);
        await telegram.lambda.idle();
      },
      'private answers waiting behind a link': async () => {
        await tg.say(lea.telegram, T, '/community help');
        await telegram.lambda.idle();
      },
      'account link codes': async () => {
        expect(await memberCode(LEA)).toMatch(/^M-/);
      },
      'feedback notes': async () => {
        await askSlack(LEA, 'feedback a note from lea');
        await askSlack(slackId('alice'), 'feedback a note from alice');
        const dm = dmsTo(slack.api, LEA).find((request) => field(request, 'text')?.includes('from alice'));
        const button = dm ? buttonsOf(dm)[0] : undefined;
        expect(button?.value).toBeDefined();
        await pressSlack(LEA, { actionId: button?.action_id ?? '', value: button?.value ?? '' });
      },
      'forms in progress': async () => {
        markSandboxStarted(lea.telegram);
        await tg.ask(lea.telegram, T, '/community feedback');
      },
      'community roles and audit entries': async () => {
        expect(await askSlack(SLACK_ADMIN, `moderators add <@${LEA}|modlea>`)).toContain(
          `slack:${LEA} is a community moderator now`,
        );
      },
      'welcome markers': async () => {
        await askSlack(SLACK_ADMIN, 'welcome set Glad you are here, read #rules first.');
        await joinSlack('modlea');
        expect(dmsTo(slack.api, LEA).some((dm) => field(dm, 'text')?.includes('read #rules first'))).toBe(
          true,
        );
      },
      // Straight into the store (the library's handlers have their own tests): her vote, what she was shown,
      // her digest and a suggestion of hers; alice's vote and the other community's stay.
      'library votes, items shown, digest and suggestions': async () => {
        const { content, spaces } = table.store.core;
        const communityId = (await spaces.find({ platform: 'slack', id: TEAM }))?.communityId ?? '';
        const person =
          [LEA, String(telegramId(lea.telegram))]
            .map((id, index) => expectedMemberId(index === 0 ? 'slack' : 'telegram', id, 0))
            .sort()[0] ?? '';
        const at = new Date().toISOString();
        const suggestion = {
          communityId,
          id: 'sugle1',
          title: 'Pin the rules',
          body: 'Pin them.',
          topics: [],
          kind: 'tip' as const,
          author: { kind: 'member' as const, person, member: { platform: 'slack' as const, id: LEA } },
          language: 'en',
          promotional: false,
          status: 'draft' as const,
          review: { state: 'pending' as const },
          createdAt: at,
          updatedAt: at,
          counts: { shown: 0, helpful: 0, notForMe: 0, shared: 0, engaged: 0 },
        };
        await content.save(suggestion, { kind: 'new' });
        await content.save(
          { ...suggestion, id: 'live01', status: 'live', author: { kind: 'import' } },
          { kind: 'new' },
        );
        const alice = expectedMemberId('slack', slackId('alice'), 0);
        for (const voter of [person, alice]) {
          await content.vote({ communityId, itemId: 'live01', person: voter, value: 'helpful', at });
        }
        await content.markShown(communityId, person, ['live01'], new Date());
        await content.saveDigest({
          communityId,
          person,
          space: { platform: 'slack', id: TEAM },
          member: { platform: 'slack', id: LEA },
          since: at,
          nextAt: at,
        });
        expect(await content.countMember(communityId, [person])).toBe(4);
      },
      // Her welcome and alice's note to her went through the outbox, which keeps that they were sent.
      'messages the bot holds for you or sent you': async () => undefined,
      // Last: a mute stops what the seeders above send her. The note to her counted against her budget.
      'mutes and message counts': async () => {
        expect(await askSlack(LEA, 'mute')).toContain('mute');
      },
    };
    const registered = FEATURES.flatMap((feature) => feature.memberData ?? []).map((kind) => kind.name);
    expect(Object.keys(seeders).sort()).toEqual([...registered].sort());
    await tg.post(U, 1, [lea.telegram]);
    for (const seed of Object.values(seeders)) await seed();
    const ids = idsOf(lea);
    const walled = [String(tg.chatOf(U))];
    expect(await kindsNaming(ids, walled)).toEqual([
      'COMMUNITY/AUDIT',
      'COMMUNITY/DIGEST',
      'COMMUNITY/IDENTITY',
      'COMMUNITY/MCODE',
      'COMMUNITY/MOD',
      'COMMUNITY/MUTE',
      'COMMUNITY/OUTBOX',
      'COMMUNITY/SHOWN',
      'COMMUNITY/SPEND',
      'COMMUNITY/VOTE',
      'EVT',
      'FEEDBACK',
      'FORM',
      'LIBRARY',
      'PENDING',
      'SPACE',
    ]);
    const stats = async () => statsRows(await askSlack(SLACK_ADMIN, 'stats'));
    const before = await stats();
    // Yesterday's rollup, written by the stats read (the day is closed): its members, a string set.
    const rollup = async () =>
      (await scanItems(table, (item) => item.pk?.S === `ROLLUP#slack:${TEAM}` && item.sk?.S === earlier))[0]
        ?.members?.SS;
    expect(await rollup()).toContain(expectedMemberId('slack', LEA));
    const otherCommunity = await engagementIn(tg.chatOf(U));
    const otherStats = await tg.statsOf(U_ADMIN, U);
    const events = await engagementCount();

    // Act: lea erases her data, from Telegram.
    await tg.ask(lea.telegram, T, '/community me forget');
    const [question] = tg.toldPrivately(lea.telegram, 0).reverse();
    const mark = telegram.api.requests.length;
    await tg.press(lea.telegram, question, 'Erase my data', 'lea-forget');
    await telegram.lambda.idle();
    const answer = tg.toldPrivately(lea.telegram, mark).map((message) => message.text);
    await postInSlack('modlea');
    await tg.post(T, 1, [lea.telegram]);

    // Assess: nothing names her (but bob's reply to her), the stats are a recount without her.
    expect(answer).toContainEqual(expect.stringContaining('Erased.'));
    expect(await itemsNaming(ids, walled)).toEqual([]);
    const slackLabel = `example (slack:${TEAM})`;
    const telegramLabel = `members (telegram:${tg.chatOf(T)})`;
    const minus = (rows: Record<string, number[]>, cut: Record<string, number[]>) =>
      Object.fromEntries(
        Object.entries(rows).map(([label, cells]) => [
          label,
          cells.map((cell, index) => cell - (cut[label]?.[index] ?? 0)),
        ]),
      );
    // Lea today: 2 messages, 1 reply and 1 join on Slack, 2 messages on Telegram; two days ago 1 message on
    // Slack.
    const today = {
      [slackLabel]: [1, 2, 1, 0, 1],
      [telegramLabel]: [1, 2, 0, 0, 0],
      slack: [1, 2, 1, 0, 1],
      telegram: [1, 2, 0, 0, 0],
      total: [2, 4, 1, 0, 1],
    };
    const week = {
      [slackLabel]: [1, 3, 1, 0, 1],
      [telegramLabel]: [1, 2, 0, 0, 0],
      slack: [1, 3, 1, 0, 1],
      telegram: [1, 2, 0, 0, 0],
      total: [2, 5, 1, 0, 1],
    };
    expect(await stats()).toEqual({
      today: minus(before.today ?? {}, today),
      '7 days': minus(before['7 days'] ?? {}, week),
      '30 days': minus(before['30 days'] ?? {}, week),
    });
    expect(await rollup()).toEqual([expectedMemberId('slack', slackId('alice'))]);
    // Her 7 records went (5 on Slack, 2 on Telegram); her messages after it were not recorded.
    expect(await engagementCount()).toBe(events - 7);
    // The wall: the other community's records and stats are untouched.
    expect(await engagementIn(tg.chatOf(U))).toEqual(otherCommunity);
    expect(await tg.statsOf(U_ADMIN, U)).toEqual(otherStats);
  });

  it('resumes an erasure that crashed half-way and completes it', async () => {
    // Prepare: quinn links both accounts and speaks on both platforms.
    const quinn = { slack: 'quinn', telegram: 'quinn' };
    const code = await memberCode(slackId(quinn.slack));
    await tg.answerTo(quinn.telegram, T, `/community me link ${code}`);
    await postInSlack(quinn.slack);
    await postInSlack(quinn.slack);
    await tg.post(T, 1, [quinn.telegram]);
    await askSlack(slackId(quinn.slack), 'feedback from quinn');
    expect(await kindsNaming(idsOf(quinn))).toContain('EVT');

    // Act: the first batch delete fails on every attempt; the job fails and Lambda runs it again.
    telegram.proxy.failNext('BatchWriteItem', MAX_ATTEMPTS, 'before');
    await tg.ask(quinn.telegram, T, '/community me forget');
    const [question] = tg.toldPrivately(quinn.telegram, 0).reverse();
    const mark = telegram.api.requests.length;
    await tg.press(quinn.telegram, question, 'Erase my data', 'quinn-forget');
    await telegram.lambda.idle();

    // Assess
    const answers = tg.toldPrivately(quinn.telegram, mark).map((message) => message.text);
    expect(answers.filter((text) => text.startsWith('Erased.'))).toHaveLength(1);
    expect(await itemsNaming(idsOf(quinn))).toEqual([]);
  });

  it('lets a community moderator erase a member, re-checks the press, and audits without naming', async () => {
    // Prepare
    const RIA = slackId('ria');
    await postInSlack('ria');
    await postInSlack('ria');

    // Act
    const refused = await askSlack(slackId('alice'), `forget <@${RIA}|ria>`);
    const asked = await askSlack(SLACK_ADMIN, `forget <@${RIA}|ria>`);
    const button = { actionId: 'members.forget', value: `slack:${RIA}` };
    const forwarded = await pressSlack(slackId('alice'), button);
    const stillThere = await itemsNaming(idsOf({ slack: 'ria' }));
    const erased = await pressSlack(SLACK_ADMIN, button);
    const audit = await askSlack(SLACK_ADMIN, 'audit');

    // Assess
    expect(refused).toContain("is for this community's moderators only");
    expect(asked).toContain(`Erase everything this bot holds about \`slack:${RIA}\``);
    expect(forwarded).toContain('Only a community moderator can erase a member’s data.');
    expect(stillThere.length).toBeGreaterThan(0);
    expect(erased).toContain("Erased that member's data in this community:");
    expect(erased).toContain('- engagement records: 2');
    expect(audit).toContain("erased a member's data on request");
    expect(names(audit, RIA)).toBe(false);
    expect(await itemsNaming(idsOf({ slack: 'ria' }))).toEqual([]);
  });

  it('refuses expired, used, forged, cross-community, space and same-platform codes clearly', async () => {
    // Prepare
    const URSULA = slackId('ursula');
    const expired = await memberCode(slackId('wendy'));
    const used = await memberCode(URSULA);
    await tg.answerTo('ursula', T, `/community me link ${used}`);
    const elsewhere = await memberCode(slackId('xavier'));
    const samePlatform = await memberCode(slackId('yuri'));
    const spaceCode = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await askSlack(SLACK_ADMIN, 'link'))?.[0] ?? '';

    // Act
    shift = 16 * 60 * 1000;
    const late = await tg.answerTo('xena', T, `/community me link ${expired}`);
    shift = 0;
    const again = await tg.answerTo('xena', T, `/community me link ${used}`);
    const forged = await tg.answerTo('xena', T, '/community me link M-ABCD-EFGH');
    const crossed = await tg.answerTo('xavier', U, `/community me link ${elsewhere}`);
    const space = await tg.answerTo('xena', T, `/community me link ${spaceCode}`);
    const same = await askSlack(slackId('zoe'), `me link ${samePlatform}`);

    // Assess
    expect(late).toContain('This code expired (codes last 15 minutes)');
    expect(again).toContain('This code was used already');
    expect(forged).toContain('No such code.');
    expect(crossed).toContain('This code belongs to another community.');
    expect(space).toContain('That is not a member code');
    expect(same).toContain('Send this from your account on another platform than slack');
    const identities = await scanItems(table, (item) => item.sk?.S?.startsWith('IDENTITY#') === true);
    const named = JSON.stringify(identities);
    for (const id of [telegramId('xena'), telegramId('xavier'), slackId('zoe'), slackId('yuri')]) {
      expect(names(named, String(id))).toBe(false);
    }
  });
});
