/**
 * Members pulling the content library on Discord, through the real interactions handler (Ed25519-signed
 * interactions), dynalite, the outbox worker and the fake Discord API: `tip` answered privately (flags 64)
 * with Helpful / Not for me / Share, votes moving the item's counts and recording `content_helpful`, `find`
 * with Open buttons, and Share posting the item into the channel once. Each test pulls its own topic as its
 * own member, so the tests hold in any order. Walls: server `b` is another community and never reaches
 * server `a`'s library.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sandboxGuildId, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import {
  communityOf,
  createdIn,
  GENERAL,
  libraryOf,
  pressId,
  pressLabel,
  type Reply,
  recordsOf,
  run,
  seed,
} from './content-discord-support.js';
import { discordBot } from './discord-harness.js';

const context = discordBot();

beforeAll(async () => {
  // The server registers on its first interaction; the library is then written through the repository.
  await run(context, 'a', 'modsam', '/community help');
  await seed(context, 'a', [
    {
      id: 'onbrd1',
      title: 'Greet newcomers by name',
      body: 'Say hello with their name.',
      topics: ['onboarding'],
      helpful: 5,
    },
    {
      id: 'onbrd2',
      title: 'Pair each newcomer with a buddy',
      body: 'A buddy answers the first questions.',
      topics: ['onboarding'],
    },
    {
      id: 'evnts1',
      title: 'Host a monthly AMA',
      body: 'An hour, one expert, open questions.',
      topics: ['events'],
    },
    {
      id: 'shares',
      title: 'Share a win every Friday',
      body: 'One small win each, in a thread.',
      topics: ['rituals'],
    },
    { id: 'tools1', title: 'Welcome checklist', body: 'Five steps for the first day.', topics: ['tools'] },
    {
      id: 'tools2',
      title: 'Moderation rota template',
      body: 'Who covers which day; a welcome note too.',
      topics: ['tools'],
    },
    { id: 'tools3', title: 'Event calendar', body: 'A shared calendar for meetups.', topics: ['tools'] },
  ]);
});

/** The item id a private answer's Helpful button votes on (`content.helpful:i:<id>[:<space>]`). */
function itemOf(shown: Reply): string {
  const helpful = shown.buttons.find((button) => button.label === 'Helpful')?.custom_id ?? '';
  return /^content\.helpful:i:([0-9a-z]{6})(?::|$)/.exec(helpful)?.[1] ?? `(no Helpful button: ${helpful})`;
}

const countsOf = async (id: string) => (await libraryOf(context, 'a')).get(id)?.counts;

describe('/community tip', () => {
  it('answers privately with Helpful, Not for me and Share, best first, never the same twice', async () => {
    // Act
    const first = await run(context, 'a', 'bob', '/community tip onboarding');
    const second = await run(context, 'a', 'bob', '/community tip onboarding');
    const third = await run(context, 'a', 'bob', '/community tip onboarding');

    // Assess: an ephemeral interaction response (type 4, flags 64), the rated item first.
    expect(first.answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(first.text).toContain('**Greet newcomers by name**');
    expect(first.buttons).toEqual([
      { label: 'Helpful', custom_id: `content.helpful:i:onbrd1:${sandboxGuildId('a')}` },
      { label: 'Not for me', custom_id: `content.notforme:i:onbrd1:${sandboxGuildId('a')}` },
      { label: 'Share', custom_id: `content.share:onbrd1:${sandboxGuildId('a')}:${GENERAL}` },
    ]);
    expect(itemOf(second)).toBe('onbrd2');
    expect(second.private).toBe(true);
    // Everything on the topic was seen: said so, with where to go next.
    expect(third.buttons).toEqual([]);
    expect(third.text).toContain('find');
    expect((await countsOf('onbrd1'))?.shown).toBeGreaterThanOrEqual(1);
  });

  it('names the known topics when asked for an unknown one', async () => {
    const answered = await run(context, 'a', 'bob', '/community tip gardening');

    expect(answered.private).toBe(true);
    expect(answered.text).toContain('gardening');
    expect(answered.text).toContain('onboarding');
    expect(answered.buttons).toEqual([]);
  });
});

describe('Helpful and Not for me', () => {
  it('moves the counts once per member, changes the vote, and records content_helpful', async () => {
    // Prepare
    const shown = await run(context, 'a', 'carol', '/community tip events');
    const id = itemOf(shown);
    const before = await countsOf(id);
    const by = { user: 'carol', space: 'a' };

    // Act 1: Helpful, twice.
    const helpful = await pressLabel(context, shown, 'Helpful', by);
    const again = await pressLabel(context, shown, 'Helpful', by);
    const afterHelpful = await countsOf(id);

    // Act 2: changed to Not for me.
    const changed = await pressLabel(context, shown, 'Not for me', by);

    // Assess: private answers, never an update of the message; counts moved by one vote only.
    expect(id).toBe('evnts1');
    for (const answered of [helpful, again, changed]) expect(answered.answer.data?.flags).toBe(64);
    expect(helpful.text).toMatch(/helpful/i);
    expect(again.text).toMatch(/already/i);
    expect(changed.text).toMatch(/changed/i);
    expect(afterHelpful).toMatchObject({ helpful: (before?.helpful ?? 0) + 1, notForMe: before?.notForMe });
    expect(await countsOf(id)).toMatchObject({
      helpful: before?.helpful,
      notForMe: (before?.notForMe ?? 0) + 1,
    });
    const records = await recordsOf(context, 'content_helpful');
    expect(
      records.filter((key) => key.startsWith(`discord:${sandboxGuildId('a')}:content_helpful:${id}:`)),
    ).toHaveLength(1);
  });
});

describe('/community find', () => {
  it('lists the best matches with Open buttons, title matches first, and opens one privately', async () => {
    // Act
    const found = await run(context, 'a', 'erin', '/community find welcome');
    const opened = await pressLabel(context, found, 'Open 1', { user: 'erin', space: 'a' });

    // Assess: the two items that say "welcome", the one titled so first.
    expect(found.private).toBe(true);
    expect(found.buttons).toEqual([
      { label: 'Open 1', custom_id: expect.stringMatching(/^content\.show:tools1(:|$)/) },
      { label: 'Open 2', custom_id: expect.stringMatching(/^content\.show:tools2(:|$)/) },
    ]);
    expect(found.text.indexOf('Welcome checklist')).toBeLessThan(
      found.text.indexOf('Moderation rota template'),
    );
    expect(opened.answer.data?.flags).toBe(64);
    expect(opened.text).toContain('**Welcome checklist**');
    expect(opened.buttons.map((button) => button.label)).toEqual(['Helpful', 'Not for me', 'Share']);
  });

  it('says so when nothing matches', async () => {
    const found = await run(context, 'a', 'erin', '/community find zeppelin');

    expect(found.private).toBe(true);
    expect(found.buttons).toEqual([]);
    expect(found.text).toContain('suggest');
  });
});

describe('Share', () => {
  it('posts the item into the channel through the outbox, once, even when pressed twice', async () => {
    // Prepare
    const shown = await run(context, 'a', 'dana', '/community tip rituals');
    const by = { user: 'dana', space: 'a' };
    const before = await countsOf('shares');
    const titled = async () =>
      (await createdIn(context, GENERAL)).filter((post) => post.content.includes('Share a win every Friday'));
    // The pulled item was private until shared: nothing in the channel says it yet.
    expect(await titled()).toEqual([]);

    // Act
    const shared = await pressLabel(context, shown, 'Share', by);
    const again = await pressLabel(context, shown, 'Share', by);

    // Assess: the fake API created one message in #general, crediting the sharer.
    expect(itemOf(shown)).toBe('shares');
    expect(shared.answer.data?.flags).toBe(64);
    expect(shared.text).toMatch(/shared/i);
    expect(again.text).toMatch(/already/i);
    const posts = await titled();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.content).toContain(`<@${sandboxUserId('dana')}>`);
    expect(posts[0]?.payload).toMatchObject({ allowed_mentions: { users: [sandboxUserId('dana')] } });
    expect(await countsOf('shares')).toMatchObject({ shared: (before?.shared ?? 0) + 1 });
  });
});

describe('walls', () => {
  it("never gives a member of another community this library's items", async () => {
    // Prepare: server b registers as a community of its own.
    await run(context, 'b', 'bob', '/community help');
    const before = await countsOf('tools1');

    // Act
    const tip = await run(context, 'b', 'bob', '/community tip');
    const found = await run(context, 'b', 'bob', '/community find welcome');
    const shown = await pressId(context, 'content.show:tools1', { user: 'bob', space: 'b' });
    // A button value naming server a, pressed in server b, still reads b's library.
    const named = await pressId(context, `content.show:tools1:${sandboxGuildId('a')}:${GENERAL}`, {
      user: 'bob',
      space: 'b',
    });
    const voted = await pressId(context, `content.helpful:i:tools1:${sandboxGuildId('a')}`, {
      user: 'bob',
      space: 'b',
    });

    // Assess
    expect(await communityOf(context, 'b')).not.toBe(await communityOf(context, 'a'));
    for (const answered of [tip, found, shown, named, voted]) {
      expect(answered.text).not.toContain('Welcome checklist');
      expect(answered.buttons).toEqual([]);
    }
    expect(await countsOf('tools1')).toEqual(before);
  });
});
