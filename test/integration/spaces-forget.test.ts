import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { sandboxUserId as slackId, slackSandbox } from '../../bots/slack/sandbox.js';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId, signPress } from '../../bots/telegram/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { MAX_ATTEMPTS } from '../../shared/store/client.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { httpEvent } from '../support/lambda.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { ackBody, command, field, press, received } from './slack-deliveries.js';
import { communityHarness, type Group, payloadOf, scanItems } from './telegram-harness.js';

/*
 * Issue 8, `/community spaces forget <space>`: a Slack workspace and two Telegram groups are one community
 * (linked through the real handlers, on ONE table); a third group is another community. A community
 * moderator erases what one group holds after a confirmation (Cancel erases nothing), from inside it or from
 * Slack; afterwards no engagement record, rollup, waiting answer or feedback note of it is left, every other
 * space's items are byte for byte as they were, the stats lose exactly its numbers, the audit says so, a
 * crash half-way is resumed, and the bot keeps recording there.
 */

let table: TestTable;
let slack: BotUnderTest;
let telegram: BotUnderTest;
let slackLog: Capture;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The bots' clock: today at noon UTC (so yesterday is closed and has a rollup whenever this runs). */
const NOON = (() => {
  const today = new Date();
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 12) - Date.now();
})();
/** Moves the bots' clock (a day back records yesterday). */
let shift = 0;
const now = () => new Date(Date.now() + NOON + shift);
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

const tg = communityHarness(() => telegram);
// T and C join the Slack workspace's community (T is erased from inside, C from Slack); U is another one.
const T: Group = { space: 'a', channel: 'forget' };
const C: Group = { space: 'a', channel: 'crash' };
const U: Group = { space: 'b', channel: 'forget' };
const keyOf = (group: Group) => `telegram:${tg.chatOf(group)}`;
const T_ADMIN = 'modann';
const U_ADMIN = 'modann-b';
const SLACK_ADMIN = slackId('modsam');

beforeAll(async () => {
  table = await startTestTable();
  slackLog = captureDeps();
  [slack, telegram] = await Promise.all([
    startBotUnderTest(slackPlatform, { table, deps: { ...slackLog.deps, now } }),
    startBotUnderTest(telegramPlatform, { table, deps: { now } }),
  ]);
  for (const group of [T, C]) {
    const code = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await askSlack(SLACK_ADMIN, 'link'))?.[0] ?? '';
    const [question] = await tg.ask(T_ADMIN, group, `/community link ${code}`);
    await tg.press(T_ADMIN, question, 'Join', `join-${group.channel}`);
    await telegram.lambda.idle();
  }
  // Yesterday, in every space; then the stats reads below roll that closed day up (a rollup is final once
  // written, so nothing may be recorded for yesterday after them).
  shift = -DAY_MS;
  await postInSlack(2, ['alice', 'bob']);
  await tg.post(T, 3, ['tina', 'tom']);
  await tg.post(C, 2, ['cara', 'cody']);
  await tg.post(U, 2, ['ursa', 'uli']);
  shift = 0;
  // What the spaces no erasure here names hold besides: records of today, a note, and (in U) an answer
  // waiting behind a deep link.
  await postInSlack(1, ['alice']);
  await tg.post(U, 1, ['ursa']);
  await askSlack(slackId('alice'), 'feedback a note from slack');
  await tg.answerTo('uli', U, '/community feedback a note from u');
  await tg.say('strangerumi', U, '/community help');
  await tg.statsOf(U_ADMIN, U);
  await askSlack(SLACK_ADMIN, 'stats');
  await Promise.all([slack, telegram].map((bot) => bot.lambda.idle()));
}, 60_000);

afterAll(async () => {
  await Promise.all([slack, telegram].map((bot) => bot?.close()));
  await table?.close();
});

/** `/community <text>` by a Slack user: the acknowledgement (with its buttons) and every later answer. */
async function askSlackFully(user: string, text: string) {
  const delivery = command(text, { user, at: now() });
  const ack = ackBody(await slack.handler(delivery.event));
  await slack.lambda.idle();
  const later = received(slack.api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  const blocks = (ack?.blocks ?? []) as {
    type: string;
    elements?: { action_id: string; value?: string }[];
  }[];
  const buttons = blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
  return { text: [String(ack?.text ?? ''), ...later].join('\n'), buttons };
}

async function askSlack(user: string, text: string): Promise<string> {
  return (await askSlackFully(user, text)).text;
}

/** A press on a Slack button by `user`: every answer it got (the update or the later private answer). */
async function pressSlack(user: string, button: { action_id: string; value?: string }): Promise<string[]> {
  const { action_id: actionId, value } = button;
  const delivery = press(
    { actionId, ...(value === undefined ? {} : { value }) },
    { user, channel: 'CGENERAL', ephemeral: true, at: now() },
  );
  const result = await slack.handler(delivery.event);
  await slack.lambda.idle();
  const later = received(slack.api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  return [String(ackBody(result)?.text ?? ''), ...later].filter(Boolean);
}

let slackMessage = 0;

/** `count` messages in the Slack workspace's #general, by the sandbox members named in turn. */
async function postInSlack(count: number, users: readonly string[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    slackMessage += 1;
    const user = users[index % users.length] ?? 'alice';
    const message = { user, channel: 'general', text: 'hi', messageId: `forget-${slackMessage}` };
    const { path, body, headers } = slackSandbox.sign({ kind: 'message', ...message }, now());
    expect(await slack.handler(httpEvent(path, body, { ...headers }))).toMatchObject({ statusCode: 200 });
  }
}

/** Every item of the table by its key, as stored (attributes in a fixed order). */
async function scan(): Promise<Map<string, string>> {
  const items = await scanItems(table, () => true);
  return new Map(items.map((item) => [`${item.pk?.S}|${item.sk?.S}`, canonical(item)]));
}

function canonical(item: Item): string {
  return JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))));
}

const INTERACTIONS = new Set(['command_invoked', 'button_pressed', 'form_submitted']);

/** An interaction's answer claim: an `EVT#` item of a command, press or form, expiring with the claim. */
function isClaim(json: string): boolean {
  const item = JSON.parse(json) as Item;
  return (
    item.pk?.S?.startsWith('EVT#') === true &&
    INTERACTIONS.has(item.kind?.S ?? '') &&
    item.expiresAt?.N !== undefined
  );
}

/** What changed between two scans: keys added, removed and changed (with the item after). */
function changes(before: Map<string, string>, after: Map<string, string>) {
  const added = [...after].filter(([key]) => !before.has(key));
  const removed = [...before.keys()].filter((key) => !after.has(key));
  const changed = [...after].filter(([key, json]) => before.has(key) && before.get(key) !== json);
  return { added, removed, changed };
}

/** The partition prefixes (`EVT`, `ROLLUP`, ...) of a group's items, counted; engagement records apart. */
function partitionsOf(scanned: Map<string, string>, group: Group): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, json] of scanned) {
    if (!owns(key, group)) continue;
    const prefix = key.split('#')[0] ?? '';
    const name = prefix === 'EVT' && isClaim(json) ? 'EVT claims' : prefix;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Engagement records (not claims) of a group, as stored. */
function recordsOf(scanned: Map<string, string>, group: Group): string[] {
  return [...scanned]
    .filter(([key, json]) => key.startsWith(`EVT#${keyOf(group)}:`) && !isClaim(json))
    .map(([, json]) => json);
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

/** The key of an item of `group`'s own: its records and claims, and its partitions (`ROLLUP#telegram:…`). */
function owns(key: string, group: Group): boolean {
  const pk = key.split('|')[0] ?? '';
  return pk.startsWith(`EVT#${keyOf(group)}:`) || pk.endsWith(`#${keyOf(group)}`);
}

function without(scanned: Map<string, string>, group: Group): Map<string, string> {
  return new Map([...scanned].filter(([key]) => !owns(key, group)));
}

/** A press's later job's answer claim (`later:button_pressed:<event>`) in some space's ledger. */
const isLaterClaim = (key: string) => /^ONCE#[^|]+\|later:button_pressed:/.test(key);

/**
 * What seeding left in `group`: engagement records on two days, yesterday's rollup counting them, a
 * feedback note with its delivery receipts, and an answer waiting behind a deep link.
 */
function expectSeeded(scanned: Map<string, string>, group: Group, yesterday: { messages: number }): void {
  const counts = partitionsOf(scanned, group);
  for (const partition of ['ROLLUP', 'PENDING', 'FEEDBACK', 'ONCE']) {
    expect(counts[partition], partition).toBeGreaterThan(0);
  }
  const days = recordsOf(scanned, group).map((json) => (JSON.parse(json) as Item).day?.S);
  expect(new Set(days)).toEqual(new Set([utcDay(now()), utcDay(new Date(now().getTime() - DAY_MS))]));
  const rollup = scanned.get(`ROLLUP#${keyOf(group)}|${utcDay(new Date(now().getTime() - DAY_MS))}`);
  expect((JSON.parse(rollup ?? '{}') as Item).messages?.N).toBe(String(yesterday.messages));
}

/**
 * What erasing `group` must leave, from the scan before the press to the one after: of its own items only
 * its directory item (as it was), interactions' answer claims and its answers ledger (claims expire in two
 * days; the erasing job's own claim is among them); every other item as it was, but the one audit entry and
 * the erasing interaction's own claims.
 */
function expectErased(group: Group, before: Map<string, string>, after: Map<string, string>): void {
  const left = [...after].filter(([key]) => owns(key, group));
  const kept = left.filter(([key, json]) => {
    if (key.startsWith('EVT#')) return !isClaim(json);
    if (key.startsWith('SPACE#')) return before.get(key) !== json;
    return !key.startsWith('ONCE#');
  });
  expect(kept).toEqual([]);
  expect(left.filter(([key]) => key.startsWith('SPACE#'))).toHaveLength(1);
  const others = changes(without(before, group), without(after, group));
  expect(others.removed).toEqual([]);
  expect(others.changed).toEqual([]);
  const added = others.added.filter(([key, json]) => !isClaim(json) && !isLaterClaim(key));
  expect(
    added.map(([key, json]) => [key.split('|')[1]?.split('#')[0], (JSON.parse(json) as Item).action?.S]),
  ).toEqual([['AUDIT', `erased the data of ${keyOf(group)}`]]);
}

/** What the fake Bot API was asked to say since `mark` (messages, edits, alerts), as plain text. */
function toldSince(mark: number): string[] {
  return telegram.api.requests
    .slice(mark)
    .map((request) => plainText(String(payloadOf(request).text ?? '')))
    .filter(Boolean);
}

/** A press on an `Erase its data` button `user` never got: `value` in `group`, from their private chat. */
async function forgedPress(user: string, group: Group, value: string, queryId: string): Promise<string[]> {
  const mark = telegram.api.requests.length;
  const data = `spaces.forget@${tg.chatOf(group)}:${value}`;
  const request = signPress({ user, chatId: sandboxUserId(user), messageId: 1, data, queryId });
  const result = await telegram.handler(httpEvent(request.path, request.body, { ...request.headers }));
  expect(result).toMatchObject({ statusCode: 200 });
  await telegram.lambda.idle();
  return toldSince(mark);
}

const label = (group: Group) => `${group.channel} (${keyOf(group)})`;

describe('/community spaces forget', () => {
  it('asks, cancels, erases a linked group from inside it, and leaves every other space as it was', async () => {
    // Prepare: T holds, besides yesterday's 3 messages (tina, tom; rolled up), 2 of today (tina), a note
    // with its delivery receipts and an answer waiting behind a deep link.
    await tg.post(T, 2, ['tina']);
    await tg.answerTo('tom', T, '/community feedback a note from t');
    await tg.say('strangerpat', T, '/community help');
    await telegram.lambda.idle();
    const statsBefore = statsRows(await askSlack(SLACK_ADMIN, 'stats'));
    expectSeeded(await scan(), T, { messages: 3 });

    // Act 1: the question, then Cancel.
    const [question] = await tg.ask(T_ADMIN, T, `/community spaces forget ${keyOf(T)}`);
    const asked = await scan();
    const markCancel = telegram.api.requests.length;
    await tg.press(T_ADMIN, question, 'Cancel', 'forget-cancel');
    await telegram.lambda.idle();
    const cancelled = await scan();
    const cancelAnswer = toldSince(markCancel);

    // Act 2: the question again, then "Erase its data".
    const [again] = await tg.ask(T_ADMIN, T, `/community spaces forget ${keyOf(T)}`);
    const beforeErase = await scan();
    const mark = telegram.api.requests.length;
    await tg.press(T_ADMIN, again, 'Erase its data', 'forget-erase');
    await telegram.lambda.idle();
    const erasedAnswer = tg.toldPrivately(T_ADMIN, mark).map((message) => message.text);
    const erased = await scan();
    const statsAfter = statsRows(await askSlack(SLACK_ADMIN, 'stats'));
    const audit = await askSlack(SLACK_ADMIN, 'audit');

    // Act 3: the bot keeps serving T.
    await tg.post(T, 1, ['tina']);

    // Assess 1: a private question with two buttons; Cancel changed nothing but adding its own claim.
    expect(question?.chatId).toBe(sandboxUserId(T_ADMIN));
    expect(question?.text).toMatch(
      new RegExp(`^Erase everything recorded in a space\\? telegram forget \`?${keyOf(T)}\`?:`),
    );
    expect(question?.buttons.map((button) => button.label)).toEqual(['Erase its data', 'Cancel']);
    expect(cancelAnswer).toContain('Nothing was erased.');
    const cancel = changes(asked, cancelled);
    expect(cancel.removed).toEqual([]);
    expect(cancel.changed).toEqual([]);
    expect(cancel.added.map(([, json]) => (JSON.parse(json) as Item).kind?.S)).toEqual(['button_pressed']);
    expect(cancel.added.every(([, json]) => isClaim(json))).toBe(true);

    // Assess 2: one later private answer with counts: T's 5 records, and the rest of what it held (its
    // rollups, note and waiting answer).
    const held = partitionsOf(beforeErase, T);
    // In the space's own partition: budget spends (its notice's) and welcome markers.
    const counted = [...beforeErase.keys()].filter((key) =>
      new RegExp(`^SPACE#${keyOf(T)}\\|(SPEND|WELCOMED)#`).test(key),
    ).length;
    expect(counted).toBeGreaterThan(0);
    const other = (held.ROLLUP ?? 0) + (held.PENDING ?? 0) + (held.FEEDBACK ?? 0) + counted;
    expect(erasedAnswer).toEqual([
      `Erased what was recorded in telegram forget ${keyOf(T)}. This run deleted 5 engagement records and ` +
        `${other} other items (daily totals, waiting answers, feedback notes); a run that resumed after a ` +
        'failure counts only what was left.',
    ]);
    expectErased(T, beforeErase, erased);

    // Assess 3: the stats lose exactly T's numbers (hand-counted), the audit says who erased what.
    const ofT: Record<string, number[]> = {
      today: [1, 2, 0, 0, 0],
      '7 days': [2, 5, 0, 0, 0],
      '30 days': [2, 5, 0, 0, 0],
    };
    const minus = (row: number[] | undefined, cut: number[]) =>
      (row ?? []).map((cell, i) => cell - (cut[i] ?? 0));
    expect(Object.keys(statsBefore).sort()).toEqual(Object.keys(ofT).sort());
    for (const [window, rows] of Object.entries(statsBefore)) {
      const cut = ofT[window] ?? [];
      expect(rows[label(T)], window).toEqual(cut);
      expect(statsAfter[window], window).toEqual({
        ...rows,
        [label(T)]: [0, 0, 0, 0, 0],
        telegram: minus(rows.telegram, cut),
        total: minus(rows.total, cut),
      });
    }
    expect(audit).toContain(
      `telegram:${sandboxUserId(T_ADMIN)} in ${keyOf(T)}: erased the data of ${keyOf(T)}`,
    );

    // Assess 4: recording goes on.
    expect(recordsOf(await scan(), T)).toHaveLength(1);
  });

  it('refuses members, space moderators, another community and spaces not in the community', async () => {
    // Prepare
    const before = await scan();

    // Act
    const ask = (user: string, group: Group, space: Group) =>
      tg.answerTo(user, group, `/community spaces forget ${keyOf(space)}`);
    const member = await ask('tom', T, T);
    const spaceModerator = await ask('modsam', T, T);
    const otherCommunity = await ask(U_ADMIN, U, T);
    const slackMember = await askSlack(slackId('alice'), `spaces forget ${keyOf(T)}`);
    const notHere = await askSlack(SLACK_ADMIN, `spaces forget ${keyOf(U)}`);
    const unknown = await askSlack(SLACK_ADMIN, 'spaces forget telegram:-1009');
    const memberPress = await forgedPress('tom', T, keyOf(T), 'forged-member');
    const elsewherePress = await forgedPress(U_ADMIN, U, keyOf(T), 'forged-elsewhere');
    const after = await scan();

    // Assess
    const noSpace = (key: string) => `No space ${key} in this community. /community spaces lists them.`;
    const onlyModerators = "/community spaces forget is for this community's moderators only";
    expect(member).toContain(onlyModerators);
    expect(spaceModerator).toContain(onlyModerators);
    expect(slackMember).toContain(onlyModerators);
    expect(otherCommunity).toBe(noSpace(keyOf(T)));
    expect(notHere).toBe(noSpace(keyOf(U)));
    expect(unknown).toBe(noSpace('telegram:-1009'));
    expect(memberPress).toContain('Only a community moderator can erase a space’s data.');
    expect(elsewherePress).toContain(noSpace(keyOf(T)));
    const refused = changes(before, after);
    expect(refused.removed).toEqual([]);
    expect(refused.changed).toEqual([]);
    expect(refused.added.filter(([, json]) => !isClaim(json))).toEqual([]);
  });

  it('resumes an erasure from Slack that crashed half-way, answers once, and keeps recording', async () => {
    // Prepare: C holds, besides yesterday's 2 messages (rolled up), 1 of today, a note, a waiting answer.
    await tg.post(C, 1, ['cara']);
    await tg.answerTo('cody', C, '/community feedback a note from c');
    await tg.say('strangercy', C, '/community help');
    await telegram.lambda.idle();
    const asked = await askSlackFully(SLACK_ADMIN, `spaces forget ${keyOf(C)}`);
    const erase = asked.buttons.find((button) => button.action_id === 'spaces.forget');
    const before = await scan();
    expectSeeded(before, C, { messages: 2 });

    // Act: the batch deleting C's rollups (after its records) fails on every attempt; Lambda runs the job
    // again.
    slackLog.clear();
    slack.proxy.failNext('BatchWriteItem', MAX_ATTEMPTS, 'before', `ROLLUP#${keyOf(C)}`);
    const answers = await pressSlack(SLACK_ADMIN, erase ?? { action_id: 'none' });
    const after = await scan();
    await tg.post(C, 1, ['cara']);

    // Assess
    expect(asked.text).toContain(`Erase everything recorded in a space? telegram crash`);
    expect(erase?.value).toBe(keyOf(C));
    const failures = slackLog.lines.filter(
      (line) => line.message === 'later job failed; Lambda will retry it',
    );
    expect(failures.map((line) => String(line.fields.error))).toEqual([
      'StoreError: DynamoDB BatchWriteItem failed',
    ]);
    expect(slack.lambda.failed).toEqual([]);
    expect(answers.filter((text) => text.includes('Erased'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Erased what was recorded in telegram crash \`?${keyOf(C)}\`?\\. This run deleted \\d+ engagement records`,
        ),
      ),
    ]);
    expectErased(C, before, after);
    expect(recordsOf(await scan(), C)).toHaveLength(1);
  });
});
