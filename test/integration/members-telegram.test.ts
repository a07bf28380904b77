/**
 * Members and privacy on Telegram, through the real webhook: `/community me` and its subcommands typed in a
 * group, the moderator's `forget <member>` and `settings retention`. Every answer goes to the member's
 * private chat; asserted on everything the fake Bot API received (never a group) and on the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { communityHarness, type Group, payloadOf, scanItems, telegramHarness } from './telegram-harness.js';

let bot: BotUnderTest | undefined;
beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});
afterAll(() => bot?.close());

const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { ask, answerTo, press, chatOf } = communityHarness(underTest);
const { deliverSigned } = telegramHarness(underTest);

const MODERATOR = 'modann';
const DAY_S = 86_400;
/** Each block speaks in a group of its own (a community of its own): retention is per community. */
const group = (channel: string): Group => ({ space: 'a', channel });

let sequence = 0;

/** A message by `user` in `where`; its sandbox message id. */
async function message(where: Group, user: string, to = underTest().handler): Promise<string> {
  sequence += 1;
  const messageId = `members-${sequence}`;
  const action = { kind: 'message', user, channel: where.channel, space: where.space, text: 'hi', messageId };
  expect(await deliverSigned(telegramSandbox.sign(action as never), to)).toMatchObject({ statusCode: 200 });
  return messageId;
}

async function react(where: Group, user: string, messageId: string, emoji = '👍') {
  const action = { kind: 'reaction', user, channel: where.channel, space: where.space, messageId, emoji };
  expect(await deliverSigned(telegramSandbox.sign(action as never))).toMatchObject({ statusCode: 200 });
}

const telegramId = (name: string) => String(sandboxUserId(name));
const idsOf = (name: string) => [
  telegramId(name),
  expectedMemberId('telegram', telegramId(name)),
  expectedMemberId('telegram', telegramId(name), 1),
];

/**
 * Requests to the fake Bot API carrying `fragment` outside a private chat (groups have negative ids), or to
 * another member's private chat when `fragment` is theirs alone.
 */
function seenElsewhere(user: string, fragment: string, theirsAlone = true) {
  return underTest().api.requests.filter((request) => {
    const payload = payloadOf(request);
    if (!JSON.stringify(payload).includes(fragment)) return false;
    const chat = Number(payload.chat_id);
    return !(chat > 0) || (theirsAlone && chat !== sandboxUserId(user));
  });
}

/** Every item mentioning one of `needles`, but for another member's record naming them as `toMemberId`. */
function itemsNaming(needles: string[]): Promise<Item[]> {
  return scanItems(underTest().table, (item) => {
    const { toMemberId, ...rest } = item;
    return needles.some((needle) => JSON.stringify(rest).includes(needle));
  });
}

const messagesIn = async (where: Group) =>
  (await underTest().table.engagementItems()).filter(
    (item) => item.spaceId?.S === String(chatOf(where)) && item.kind?.S === 'message_posted',
  ).length;

describe('Telegram: /community me', () => {
  const here = group('me');

  it('shows the accounts, counts, recording state and kinds of data in the private chat only', async () => {
    // Prepare: carol posts 3 messages and reacts twice; bob posts once and reacts once.
    const first = await message(here, 'carol');
    await message(here, 'carol');
    await message(here, 'carol');
    const bobs = await message(here, 'bob');
    await react(here, 'carol', bobs, '👍');
    await react(here, 'carol', bobs, '🎉');
    await react(here, 'bob', first);

    // Act: bare `me` is `me show`.
    const shown = await answerTo('carol', here, '/community me');

    // Assess
    const lines = shown.split('\n');
    expect(lines).toContain(
      `Accounts: telegram ${telegramId('carol')} (link another with /community me link)`,
    );
    expect(lines).toContain('Recording: on (/community me optout stops it)');
    expect(lines).toContain('Last 30 days: 3 messages, 2 reactions');
    expect(lines).toContain('What is kept, and for how long (raw records here: 395 days):');
    // 3 messages and 2 reactions, and the claim of this `me`.
    expect(shown).toMatch(/^- engagement records \(6\): who takes part, .*never the text/m);
    for (const kind of [
      'feedback notes',
      'account link codes',
      'forms in progress (0)',
      'identity links (0)',
    ]) {
      expect(
        lines.some((line) => line.startsWith(`- ${kind}: `) && /; kept .+\.$/.test(line)),
        kind,
      ).toBe(true);
    }
    expect(seenElsewhere('carol', 'What this bot holds about you', false)).toEqual([]);
    expect(seenElsewhere('carol', '3 messages, 2 reactions')).toEqual([]);
  });

  it('gives a member code privately, and answers unlink with nothing linked', async () => {
    const linked = await answerTo('dana', here, '/community me link');
    const unlinked = await answerTo('dana', here, '/community me unlink discord');

    const code = /M-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(linked)?.[0];
    expect(code, linked).toBeDefined();
    expect(seenElsewhere('dana', code ?? 'no code')).toEqual([]);
    expect(unlinked).toBe('You have no linked discord account in this community.');
  });

  it('records nothing after optout while others are recorded, and again after optin', async () => {
    // Prepare
    await message(here, 'erin');
    const stopped = await answerTo('erin', here, '/community me optout');
    const before = await messagesIn(here);

    // Act 1
    await message(here, 'erin');
    const afterErin = await messagesIn(here);
    await message(here, 'frank');
    const afterFrank = await messagesIn(here);
    const shown = await answerTo('erin', here, '/community me show');

    // Act 2
    const started = await answerTo('erin', here, '/community me optin');
    await message(here, 'erin');

    // Assess
    expect(stopped).toMatch(/^Stopped: from now on nothing about you is recorded/);
    expect([afterErin, afterFrank]).toEqual([before, before + 1]);
    expect(shown).toContain('Recording: stopped (you opted out; /community me optin starts again)');
    expect(started).toMatch(/^Recording again/);
    expect(await messagesIn(here)).toBe(before + 2);
  });
});

describe('Telegram: /community me forget', () => {
  const here = group('forget');

  it('asks with two buttons; Cancel erases nothing; Erase answers later privately and leaves nothing', async () => {
    // Prepare: gina posts twice and reacts to bob's message; bob reacts to hers.
    const ginas = await message(here, 'gina');
    await message(here, 'gina');
    const bobs = await message(here, 'bob');
    await react(here, 'gina', bobs);
    await react(here, 'bob', ginas);
    await answerTo('gina', here, '/community me link');
    const held = await itemsNaming(idsOf('gina'));

    // Act 1
    const [question] = await ask('gina', here, '/community me forget');
    const cancelMark = underTest().api.requests.length;
    await press('gina', question, 'Cancel', 'forget-cancel');
    await underTest().lambda.idle();
    const cancelled = underTest().api.requests.slice(cancelMark);
    const afterCancel = await itemsNaming(idsOf('gina'));

    // Act 2
    const [again] = await ask('gina', here, '/community me forget');
    const eraseMark = underTest().api.requests.length;
    await press('gina', again, 'Erase my data', 'forget-erase');
    await underTest().lambda.idle();
    const erased = underTest()
      .api.requests.slice(eraseMark)
      .map((request) => plainText(String(payloadOf(request).text ?? '')))
      .filter((text) => text.startsWith('Erased.'));

    // Assess
    expect(question?.text).toMatch(/^Erase everything this bot holds about you in this community\?/);
    expect(question?.buttons.map((button) => button.label)).toEqual(['Erase my data', 'Cancel']);
    expect(cancelled.some((request) => payloadOf(request).text === 'Nothing was erased.')).toBe(true);
    expect(held.length).toBeGreaterThan(0);
    expect(afterCancel.length).toBeGreaterThanOrEqual(held.length);
    expect(erased).toHaveLength(1);
    // 2 messages, 1 reaction and the claims of her 3 commands and 2 presses.
    expect(erased[0]).toContain('- engagement records: 8');
    expect(erased[0]).toContain('- account link codes: 1');
    expect(seenElsewhere('gina', 'Nothing new is recorded about you', false)).toEqual([]);
    expect(await itemsNaming(idsOf('gina'))).toEqual([]);
    const bobsRecords = (await underTest().table.engagementItems()).filter(
      (item) =>
        item.memberId?.S === expectedMemberId('telegram', telegramId('bob')) &&
        item.spaceId?.S === String(chatOf(here)),
    );
    expect(bobsRecords.map((item) => item.kind?.S).sort()).toEqual(['message_posted', 'reaction_added']);
  });
});

describe('Telegram: a moderator erases a member', () => {
  const here = group('erase');

  it('is refused to a member, works for a moderator and audits without naming them', async () => {
    // Prepare
    await message(here, 'ivy');
    await message(here, 'ivy');

    // Act
    const refused = await answerTo('alice', here, '/community forget @ivy');
    const [question] = await ask(MODERATOR, here, '/community forget @ivy');
    const memberMark = underTest().api.requests.length;
    await press('alice', question, 'Erase their data', 'erase-by-alice');
    await underTest().lambda.idle();
    const byMember = underTest().api.requests.slice(memberMark);
    const stillHeld = await itemsNaming(idsOf('ivy'));
    const eraseMark = underTest().api.requests.length;
    await press(MODERATOR, question, 'Erase their data', 'erase-by-modann');
    await underTest().lambda.idle();
    const erased = underTest()
      .api.requests.slice(eraseMark)
      .map((request) => plainText(String(payloadOf(request).text ?? '')))
      .filter((text) => text.startsWith('Erased'));
    const audit = await answerTo(MODERATOR, here, '/community audit');

    // Assess
    expect(refused).toContain("is for this community's moderators only");
    expect(question?.buttons.map((button) => button.label)).toEqual(['Erase their data', 'Cancel']);
    expect(JSON.stringify(byMember.map(payloadOf))).toContain('Only a community moderator can erase');
    expect(stillHeld.length).toBeGreaterThan(0);
    expect(erased).toEqual(["Erased that member's data in this community:\n- engagement records: 2"]);
    expect(audit).toContain(`telegram:${telegramId(MODERATOR)}`);
    expect(audit).toContain("erased a member's data on request");
    expect(audit).not.toContain(telegramId('ivy'));
    expect(await itemsNaming(idsOf('ivy'))).toEqual([]);
  });
});

describe('Telegram: retention', () => {
  const here = group('retention');

  it('keeps records written after `settings retention 30` for 30 days after their day', async () => {
    const set = await answerTo(MODERATOR, here, '/community settings retention 30');
    const at = new Date();
    // A fresh instance: a warm one trusts its cached space for a minute (see the report on this issue).
    await message(here, 'kim', underTest().another());

    const kims = (await underTest().table.engagementItems()).filter(
      (item) =>
        item.memberId?.S === expectedMemberId('telegram', telegramId('kim')) &&
        item.kind?.S === 'message_posted' &&
        item.spaceId?.S === String(chatOf(here)),
    );
    expect(set).toMatch(/kept 30 days after their day/);
    expect(kims).toHaveLength(1);
    const day = at.toISOString().slice(0, 10);
    expect(kims[0]?.day?.S).toBe(day);
    expect(Number(kims[0]?.expiresAt?.N)).toBe(Date.parse(`${day}T00:00:00Z`) / 1000 + DAY_S + 30 * DAY_S);
  });

  it('refuses 5 days, naming the range, to a moderator; and refuses a member', async () => {
    const tooShort = await answerTo(MODERATOR, here, '/community settings retention 5');
    const byMember = await answerTo('kim', here, '/community settings retention 60');

    expect(tooShort).toBe('Retention is a whole number of days from 30 to 3650.');
    expect(byMember).toContain("is for this community's moderators only");
  });
});
