/**
 * The content library on Telegram, through the real webhook (secret-token updates), dynalite and the fake Bot
 * API: topics, `content add` as a guided exchange in the moderator's private chat, refusals that store
 * nothing, `tip` (privately, or behind a deep link for a member who never started the bot), the votes,
 * `find` with its Open buttons, and Share, which the outbox worker posts into the group once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { contentHarness, DM, libraryItem, personOf } from './content-telegram-harness.js';
import { type Group, scanItems } from './telegram-harness.js';

let bot: BotUnderTest | undefined;
const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { answerTo, ask, chatOf, communityOf, fillForm, itemOf, itemsOf, post, postedIn, press, say } =
  contentHarness(underTest);
const content = () => underTest().table.store.core.content;

const MODERATOR = 'modann';
/** Where moderators write items (a community of its own). */
const AUTHORING: Group = { space: 'a', channel: 'authoring' };
/** Where members pull from a library written here by hand (a community of its own). */
const LIBRARY: Group = { space: 'a', channel: 'library' };
const DEEP_LINK = /https:\/\/t\.me\/community_sandbox_bot\?start=([\w-]+)/;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
  for (const group of [AUTHORING, LIBRARY]) {
    await post(group, 1, ['alice']);
    await answerTo(MODERATOR, group, '/community settings quiet-hours off');
  }
  const authoring = await communityOf(AUTHORING);
  await content().setTopic(authoring, 'welcome', true);
  const library = await communityOf(LIBRARY);
  for (const topic of ['onboarding', 'events', 'moderation']) await content().setTopic(library, topic, true);
  const items = [
    libraryItem(library, 'tgwel1', {
      title: 'Welcome new members by name',
      body: 'Greet each newcomer personally within a day of joining.',
      topics: ['onboarding'],
    }),
    libraryItem(library, 'tgevt1', {
      title: 'Run a monthly AMA',
      body: 'Invite one expert a month; collect questions a week ahead.',
      topics: ['events'],
    }),
    libraryItem(library, 'tgmod1', {
      title: 'Write three house rules',
      body: 'Short, positive, pinned: three are read, thirty are not.',
      topics: ['moderation'],
    }),
    libraryItem(library, 'tgret1', {
      title: 'Old welcome bot',
      body: 'Retired advice about greeting.',
      topics: ['onboarding'],
      status: 'retired',
    }),
  ];
  for (const item of items) expect(await content().save(item, { kind: 'new' })).toBe('written');
}, 60_000);

afterAll(() => bot?.close());

describe('Telegram: moderators keep the topics and add items', () => {
  it('adds a topic, says when nothing changed, and refuses a malformed topic and a member', async () => {
    // Act
    const added = await answerTo(MODERATOR, AUTHORING, '/community topics add meetups');
    const again = await answerTo(MODERATOR, AUTHORING, '/community topics add meetups');
    const malformed = await answerTo(MODERATOR, AUTHORING, '/community topics add Bad_Topic!');
    const byMember = await answerTo('alice', AUTHORING, '/community topics add gossip');
    const shown = await answerTo('alice', AUTHORING, '/community topics');

    // Assess
    const meta = await content().meta(await communityOf(AUTHORING));
    expect([...meta.topics].sort()).toEqual(['meetups', 'welcome']);
    expect(added).toContain('meetups');
    expect(again).not.toBe(added);
    expect(again).toContain('meetups');
    expect(malformed).toMatch(/Bad_Topic|lower-case/i);
    expect(byMember).toMatch(/moderators only/);
    expect(shown).toContain('meetups');
    expect(shown).toContain('welcome');
  });

  it('asks each field of `content add` privately, reads the replies (`-` skips the link) and stores the item', async () => {
    // Prepare
    const title = 'Say hello in the first hour';
    const body = 'A quick hello from a moderator in the first hour doubles the replies a newcomer gets.';
    const mark = underTest().api.requests.length;

    // Act
    const [first] = await ask(MODERATOR, AUTHORING, '/community content add');
    const told = await fillForm(MODERATOR, [title, body, 'welcome', 'tip', '-']);

    // Assess: five questions, one per field, then the item as stored.
    const questions = [first, ...told.slice(0, 4)].map((message) => message?.text ?? '');
    expect(questions.map((text) => /\((\d) of 5\)/.exec(text)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    const stored = (await itemsOf(AUTHORING)).filter((item) => item.title === title);
    expect(stored).toHaveLength(1);
    const item = stored[0];
    expect(item).toMatchObject({
      body,
      topics: ['welcome'],
      kind: 'tip',
      status: 'live',
      language: 'en',
      promotional: false,
      author: { kind: 'moderator' },
      counts: { shown: 0, helpful: 0, notForMe: 0, shared: 0 },
    });
    expect(item?.link).toBeUndefined();
    const outcome = told.at(-1)?.text ?? '';
    expect(outcome).toContain(item?.id ?? 'an id');
    expect(outcome).toContain(title);
    expect(postedIn(AUTHORING, mark)).toEqual([]);
  });

  it('names an over-long body and an unknown topic in one answer, and stores nothing', async () => {
    // Prepare
    const before = (await itemsOf(AUTHORING)).map((item) => item.id).sort();

    // Act
    await ask(MODERATOR, AUTHORING, '/community content add');
    const told = await fillForm(MODERATOR, ['Far too long', 'a'.repeat(1600), 'astrology', 'tip', '-']);

    // Assess
    const outcome = told.at(-1)?.text ?? '';
    expect(outcome).toContain('1600');
    expect(outcome).toContain('astrology');
    expect((await itemsOf(AUTHORING)).map((item) => item.id).sort()).toEqual(before);
  });
});

describe('Telegram: members pull from the library', () => {
  it('answers `tip` privately with Helpful, Not for me and Share, never twice, and nothing in the group', async () => {
    // Prepare
    const mark = underTest().api.requests.length;
    const shownBefore = (await itemOf(LIBRARY, 'tgevt1'))?.counts.shown ?? -1;

    // Act
    const [tip] = await ask('alice', LIBRARY, '/community tip events');
    const [again] = await ask('alice', LIBRARY, '/community tip events');

    // Assess: the only live events item, with buttons naming the group (in the value too: a deep link's
    // copy is pressed in the private chat, which names no community).
    const group = chatOf(LIBRARY);
    expect(tip?.text).toContain('Run a monthly AMA');
    expect(tip?.text).toContain('collect questions a week ahead');
    expect(tip?.buttons).toEqual([
      { label: 'Helpful', data: `content.helpful@${group}:i:tgevt1:${group}` },
      { label: 'Not for me', data: `content.notforme@${group}:i:tgevt1:${group}` },
      { label: 'Share', data: `content.share:tgevt1:${group}:${group}` },
    ]);
    expect(again?.text).not.toContain('Run a monthly AMA');
    expect(again?.text).toMatch(/find/);
    expect((await itemOf(LIBRARY, 'tgevt1'))?.counts.shown).toBe(shownBefore + 1);
    expect(postedIn(LIBRARY, mark)).toEqual([]);
  });

  it('gives a member who never started the bot a deep link in the group, and the tip behind it', async () => {
    // Prepare
    const mark = underTest().api.requests.length;

    // Act
    await say('stranger-t', LIBRARY, '/community tip moderation');
    await underTest().settled();
    const inGroup = postedIn(LIBRARY, mark);
    const token = DEEP_LINK.exec(inGroup.join('\n'))?.[1] ?? 'no link';
    const [tip] = await ask('stranger-t', DM, `/start ${token}`);

    // Assess: the group saw the link only; the tip came privately, with its buttons.
    expect(inGroup).toHaveLength(1);
    expect(inGroup[0]).not.toContain('house rules');
    expect(tip?.text).toContain('Write three house rules');
    expect(tip?.buttons.map((button) => button.label)).toEqual(['Helpful', 'Not for me', 'Share']);
  });

  it('counts a Helpful pressed under a tip delivered behind a deep link', async () => {
    // Prepare
    const mark = underTest().api.requests.length;
    const before = (await itemOf(LIBRARY, 'tgmod1'))?.counts.helpful ?? -1;
    await say('stranger-u', LIBRARY, '/community tip moderation');
    await underTest().settled();
    const token = DEEP_LINK.exec(postedIn(LIBRARY, mark).join('\n'))?.[1] ?? 'no link';
    const [tip] = await ask('stranger-u', DM, `/start ${token}`);

    // Act
    const pressed = await press('stranger-u', tip, 'Helpful');

    // Assess
    // Pressed in the private chat (a deep link's copy names no group): recorded in the group all the same.
    expect(tip?.buttons[0]?.data).toBe(`content.helpful:i:tgmod1:${chatOf(LIBRARY)}`);
    expect(pressed.said).toMatch(/helpful/i);
    expect((await itemOf(LIBRARY, 'tgmod1'))?.counts.helpful).toBe(before + 1);
    const records = (await underTest().table.engagementItems()).filter(
      (item) => item.kind?.S === 'content_helpful' && item.memberId?.S === personOf('stranger-u'),
    );
    expect(records.map((record) => record.key?.S)).toEqual([
      `telegram:${chatOf(LIBRARY)}:content_helpful:tgmod1:${personOf('stranger-u')}`,
    ]);
  });

  it('moves the counts on Helpful then Not for me, counts a repeat once, and records `content_helpful`', async () => {
    // Prepare: bob pulls the one live onboarding item (the retired one is never shown).
    const [tip] = await ask('bob', LIBRARY, '/community tip onboarding');
    const before = (await itemOf(LIBRARY, 'tgwel1'))?.counts;

    // Act
    const helpful = await press('bob', tip, 'Helpful');
    const afterHelpful = (await itemOf(LIBRARY, 'tgwel1'))?.counts;
    const changed = await press('bob', tip, 'Not for me');
    const repeated = await press('bob', tip, 'Not for me');
    const after = (await itemOf(LIBRARY, 'tgwel1'))?.counts;

    // Assess
    expect(tip?.text).toContain('Welcome new members by name');
    expect(helpful.said).toMatch(/helpful/i);
    expect(changed.said).toMatch(/changed/i);
    expect(repeated.said).toMatch(/already/i);
    expect(afterHelpful?.helpful).toBe((before?.helpful ?? 0) + 1);
    expect(after?.helpful).toBe(before?.helpful);
    expect(after?.notForMe).toBe((before?.notForMe ?? 0) + 1);
    const records = (await underTest().table.engagementItems()).filter(
      (item) => item.kind?.S === 'content_helpful' && item.key?.S?.includes(':tgwel1:'),
    );
    expect(records.map((record) => [record.key?.S, record.memberId?.S, record.channelId?.S])).toEqual([
      [
        `telegram:${chatOf(LIBRARY)}:content_helpful:tgwel1:${personOf('bob')}`,
        personOf('bob'),
        String(chatOf(LIBRARY)),
      ],
    ]);
  });

  it('lists `find` matches with Open buttons, opens one privately, and says when nothing matches', async () => {
    // Act
    const [found] = await ask('carol', LIBRARY, '/community find house rules');
    const opened = await press('carol', found, 'Open 1');
    const [none] = await ask('carol', LIBRARY, '/community find xylophone');

    // Assess
    expect(found?.text).toContain('Write three house rules');
    const group = chatOf(LIBRARY);
    expect(found?.buttons[0]).toEqual({ label: 'Open 1', data: `content.show:tgmod1:${group}:${group}` });
    const item = opened.told.find((message) => message.text.includes('Write three house rules'));
    expect(item?.text).toContain('three are read, thirty are not');
    expect(item?.buttons.map((button) => button.label)).toContain('Helpful');
    expect(none?.text).toMatch(/xylophone|no match|nothing/i);
    expect(none?.buttons).toEqual([]);
  });

  it('shares into the group through the outbox worker, once, though Share is pressed twice', async () => {
    // Prepare
    const [tip] = await ask('dave', LIBRARY, '/community tip events');
    const before = (await itemOf(LIBRARY, 'tgevt1'))?.counts.shared ?? -1;
    const mark = underTest().api.requests.length;

    // Act
    const first = await press('dave', tip, 'Share');
    const second = await press('dave', tip, 'Share');
    await underTest().settled();

    // Assess: one post in the group, naming the item and the sharer; counted once.
    const posts = postedIn(LIBRARY, mark);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain('Run a monthly AMA');
    expect(posts[0]).toMatch(/shared by/i);
    expect(first.said).toMatch(/shared/i);
    expect(second.said).toMatch(/already/i);
    expect((await itemOf(LIBRARY, 'tgevt1'))?.counts.shared).toBe(before + 1);
    const queued = await scanItems(
      underTest().table,
      (item) =>
        item.sk?.S?.startsWith('OUTBOX#') === true &&
        item.key?.S?.startsWith('content:share:tgevt1:') === true,
    );
    expect(queued.map((item) => [item.purpose?.S, item.channelId?.S])).toEqual([
      ['content_share', String(chatOf(LIBRARY))],
    ]);
  });
});
