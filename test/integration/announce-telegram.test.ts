/**
 * `/community announce` on Telegram, through the real webhook: here (any moderator of the group) or
 * `everywhere` (a community moderator: every linked group's announcements channel, groups without one
 * named). Asserted on the outbox items in the table and on what the fake Bot API received after the worker
 * ran; a redelivered command queues nothing more, and another community sees nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
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
const { ask, answerTo, chatOf, link, post } = communityHarness(underTest);
const { deliverSigned, calls } = telegramHarness(underTest);

/** Community moderators once x and y are linked (they issue and redeem the code). */
const A_ADMIN = 'modann';
const B_ADMIN = 'modann-b';
/** An administrator of space a's groups who is not a community moderator. */
const SPACE_MODERATOR = 'modsam';

/** x and w (space a) and y (space b) linked into one community; z (space a) is a community of its own. */
const x: Group = { space: 'a', channel: 'announce-x' };
const w: Group = { space: 'a', channel: 'announce-w' };
const y: Group = { space: 'b', channel: 'announce-y' };
const z: Group = { space: 'a', channel: 'announce-z' };

beforeAll(async () => {
  for (const [where, who] of [
    [x, 'alice'],
    [w, 'alice'],
    [y, 'bob'],
    [z, 'carol'],
  ] as const) {
    await post(where, 1, [who]);
  }
  await link({ admin: A_ADMIN, group: x }, { admin: B_ADMIN, group: y });
  await link({ admin: A_ADMIN, group: x }, { admin: A_ADMIN, group: w });
  // Any hour, and room for every post of the file: the budget itself is the outbox's tests' concern.
  await answerTo(A_ADMIN, x, '/community settings quiet-hours off');
  await answerTo(A_ADMIN, x, '/community settings channel-budget 20 50');
  await answerTo(A_ADMIN, z, '/community settings quiet-hours off');
  await answerTo(A_ADMIN, x, '/community channel announcements');
  await answerTo(B_ADMIN, y, '/community channel announcements');
  await underTest().settled();
}, 60_000);

/** The announcement items of the outbox, but those in `seen` (an earlier call's). */
async function announcements(seen: readonly Item[] = []): Promise<Item[]> {
  const known = new Set(seen.map((item) => item.sk?.S));
  return scanItems(
    underTest().table,
    (item) =>
      item.sk?.S?.startsWith('OUTBOX#') === true &&
      item.purpose?.S === 'announcement' &&
      !known.has(item.sk?.S),
  );
}

/** The texts the fake Bot API was asked to post in `where` since `mark`. */
function postedIn(where: Group, mark: number): string[] {
  return calls('sendMessage', mark)
    .map(payloadOf)
    .filter((payload) => payload.chat_id === chatOf(where))
    .map((payload) => plainText(String(payload.text ?? '')));
}

/** `user`'s announcement answer (the later private answer starting with its title). */
async function announce(user: string, where: Group, text: string): Promise<string> {
  const told = await ask(user, where, `/community announce ${text}`);
  return told.find((message) => /^(Announcement|Nothing was announced)/.test(message.text))?.text ?? '';
}

describe('Telegram: /community announce', () => {
  it('posts here for a space moderator, through the outbox', async () => {
    const mark = underTest().api.requests.length;
    const before = await announcements();

    const told = await announce(SPACE_MODERATOR, x, 'Meetup moved to Friday');
    await underTest().settled();

    const items = await announcements(before);
    expect(told).toBe('Announcement for this channel: now.');
    expect(items).toHaveLength(1);
    expect(items[0]?.key?.S).toMatch(new RegExp(`^announce:[^:]+:[^:]+:telegram:${chatOf(x)}:${chatOf(x)}$`));
    expect(items[0]?.channelId?.S).toBe(String(chatOf(x)));
    expect(items[0]?.allowance?.S).toBe('unsolicited');
    expect(postedIn(x, mark)).toEqual(['Meetup moved to Friday']);
  });

  it('refuses everywhere to a space-only moderator, and queues nothing', async () => {
    const before = await announcements();

    const told = await answerTo(SPACE_MODERATOR, x, '/community announce Big news everywhere');

    expect(told).toMatch(/^Only a community moderator can announce in every space/);
    expect(await announcements(before)).toEqual([]);
  });

  it('posts everywhere once per announcements channel, names a group without one, and once on redelivery', async () => {
    // Prepare: one command delivery, delivered twice.
    const mark = underTest().api.requests.length;
    const before = await announcements();
    const request = telegramSandbox.sign({
      kind: 'command',
      user: A_ADMIN,
      channel: x.channel,
      space: x.space,
      text: '/community announce Big news everywhere',
    });

    // Act
    await deliverSigned(request);
    await deliverSigned(request);
    await underTest().settled();

    // Assess
    const items = await announcements(before);
    expect(items.map((item) => item.channelId?.S).sort()).toEqual(
      [String(chatOf(x)), String(chatOf(y))].sort(),
    );
    expect(postedIn(x, mark)).toEqual(['Big news']);
    expect(postedIn(y, mark)).toEqual(['Big news']);
    expect(postedIn(w, mark)).toEqual([]);
    const answer = calls('sendMessage', mark)
      .map((request) => plainText(String(payloadOf(request).text ?? '')))
      .filter((text) => text.startsWith('Announcement'));
    expect(answer).toHaveLength(1);
    const lines = answer[0]?.split('\n') ?? [];
    expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(2);
    for (const where of [x, y]) {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`telegram:${chatOf(where)}, channel ${chatOf(where)}: now$`)),
      );
    }
    expect(answer[0]).toMatch(
      new RegExp(`No announcements channel \\(.*\\): telegram .*telegram:${chatOf(w)}`),
    );
  });

  it('announces nothing in another community: everywhere there reaches only its own groups', async () => {
    const mark = underTest().api.requests.length;
    const before = await announcements();

    const told = await announce(A_ADMIN, z, 'Only here everywhere');
    await underTest().settled();

    expect(told).toMatch(/^Nothing was announced\.\nNo announcements channel/);
    expect(told).toContain(`telegram:${chatOf(z)}`);
    expect(told).not.toContain(String(chatOf(x)));
    expect(await announcements(before)).toEqual([]);
    for (const where of [x, y, w, z]) expect(postedIn(where, mark)).toEqual([]);
  });
});
