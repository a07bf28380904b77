/**
 * Welcomes on Telegram, through the real webhook: `/community welcome set | show | off` (and the guided form
 * when no text is given), and joins (`chat_member`) that queue the welcome once per member per space, ever:
 * a redelivered join, a second join after leaving, and an opted-out member queue nothing more. Asserted on the
 * outbox items in the table and on what the fake Bot API received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { communityHarness, type Group, scanItems, telegramHarness } from './telegram-harness.js';

let bot: BotUnderTest | undefined;
beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});
afterAll(() => bot?.close());

const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { answerTo, ask, chatOf, post, say, spaceOf, toldPrivately } = communityHarness(underTest);
const { deliverSigned } = telegramHarness(underTest);

const MODERATOR = 'modann';
const WELCOME = 'Hello and welcome! Read the pinned rules first.';
const group = (channel: string): Group => ({ space: 'a', channel });
const DM: Group = { space: 'a', channel: 'dm' };
const memberIdOf = (name: string) => expectedMemberId('telegram', String(sandboxUserId(name)));

/** A new community of its own whose unasked messages may go at any hour (tests run at any time of day). */
async function openGroup(channel: string): Promise<Group> {
  const where = group(channel);
  await post(where, 1, ['alice']);
  await answerTo(MODERATOR, where, '/community settings quiet-hours off');
  return where;
}

/** `user` joins `where`; the same delivery `times` times (Telegram retries a webhook it got no 200 for). */
async function join(user: string, where: Group, times = 1): Promise<void> {
  const request = telegramSandbox.sign({ kind: 'join', user, channel: where.channel, space: where.space });
  for (let attempt = 0; attempt < times; attempt++) {
    expect(await deliverSigned(request)).toMatchObject({ statusCode: 200 });
  }
  await underTest().settled();
}

/** The welcome items of the outbox queued in `where`'s community. */
async function welcomesIn(where: Group): Promise<Item[]> {
  const space = await underTest().table.store.core.spaces.find(spaceOf(where));
  return scanItems(
    underTest().table,
    (item) =>
      item.sk?.S?.startsWith('OUTBOX#') === true &&
      item.purpose?.S === 'welcome' &&
      item.communityId?.S === space?.communityId,
  );
}

describe('Telegram: /community welcome', () => {
  it('sets, shows and turns off the welcome; refuses a member; audits', async () => {
    const where = await openGroup('welcome-commands');

    const none = await answerTo(MODERATOR, where, '/community welcome');
    const set = await answerTo(MODERATOR, where, `/community welcome set ${WELCOME}`);
    const shown = await answerTo(MODERATOR, where, '/community welcome show');
    const byMember = await answerTo('kim', where, '/community welcome set Something else');
    const off = await answerTo(MODERATOR, where, '/community welcome off');
    const after = await underTest().table.store.core.welcomes.welcome(spaceOf(where));
    const audit = await answerTo(MODERATOR, where, '/community audit');

    expect(none).toBe('This space has no welcome. /community welcome set <text> sets one.');
    expect(set).toContain(`Welcome set. Every member who joins this space from now on gets it once`);
    expect(shown).toBe(`This space's welcome (set ${new Date().toISOString().slice(0, 10)})\n${WELCOME}`);
    expect(byMember).toContain('is for moderators only');
    expect(off).toBe('Welcome off: new members of this space get nothing. Welcomes already queued still go.');
    expect(after).toBeUndefined();
    expect(audit).toContain('set the welcome');
    expect(audit).toContain('turned the welcome off');
  });

  it('asks for the text privately when none is given, and saves the reply', async () => {
    const where = await openGroup('welcome-form');

    const [prompt] = await ask(MODERATOR, where, '/community welcome set');
    const mark = underTest().api.requests.length;
    await say(MODERATOR, DM, 'Welcome, from the form.');
    await underTest().settled();
    const saved = toldPrivately(MODERATOR, mark).map((message) => message.text);
    const stored = await underTest().table.store.core.welcomes.welcome(spaceOf(where));

    expect(prompt?.text).toMatch(/^Welcome for new members\nWhat every new member of this space gets, once/);
    expect(saved.some((text) => text.startsWith('Welcome set.'))).toBe(true);
    expect(stored?.text).toBe('Welcome, from the form.');
  });
});

describe('Telegram: a join queues the welcome once', () => {
  it('queues one welcome for a join delivered twice, and none for a second join later', async () => {
    // Prepare
    const where = await openGroup('welcome-join');
    await answerTo(MODERATOR, where, `/community welcome set ${WELCOME}`);
    const mark = underTest().api.requests.length;

    // Act: nina's join arrives twice; later she leaves and joins again (a new update).
    await join('nina', where, 2);
    const afterFirst = await welcomesIn(where);
    await join('nina', where);
    const welcomed = await underTest().table.store.core.welcomes.wasWelcomed(
      spaceOf(where),
      memberIdOf('nina'),
    );

    // Assess: one item, under her opaque id, greeting in the group she joined if she cannot be written to.
    const items = await welcomesIn(where);
    expect(items).toHaveLength(1);
    expect(afterFirst).toHaveLength(1);
    expect(items[0]?.key?.S).toBe(`welcome:telegram:${chatOf(where)}:${memberIdOf('nina')}`);
    expect(items[0]?.memberId?.S).toBe(memberIdOf('nina'));
    expect(items[0]?.allowance?.S).toBe('unsolicited');
    expect(items[0]?.greetChannelId?.S).toBe(String(chatOf(where)));
    expect(welcomed).toBe(true);
    expect(toldPrivately('nina', mark).map((message) => message.text)).toEqual([WELCOME]);
  });

  it('queues nothing for an opted-out member, nor where no welcome is set', async () => {
    const where = await openGroup('welcome-none');
    await answerTo(MODERATOR, where, `/community welcome set ${WELCOME}`);
    await post(where, 1, ['olga']);
    await answerTo('olga', where, '/community me optout');
    const bare = await openGroup('welcome-unset');

    await join('olga', where);
    await join('pete', bare);

    expect(await welcomesIn(where)).toEqual([]);
    expect(await welcomesIn(bare)).toEqual([]);
    const { welcomes } = underTest().table.store.core;
    expect(await welcomes.wasWelcomed(spaceOf(where), memberIdOf('olga'))).toBe(false);
    expect(await welcomes.wasWelcomed(spaceOf(bare), memberIdOf('pete'))).toBe(false);
  });
});
