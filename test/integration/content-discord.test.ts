/**
 * The content library's authoring on Discord, through the real interactions handler (Ed25519-signed
 * interactions), dynalite and the fake Discord API: topics, `content add` as a modal, bad input refused with
 * every problem named and nothing stored, and members' suggestions through the moderators' queue (Approve,
 * Reject with a note), the author told privately by the outbox worker. Walls: server `b` is a community of
 * its own, and its moderator can neither see nor decide server `a`'s suggestions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALREADY_ANSWERED } from '../../bots/discord/responder.js';
import { sandboxGuildId, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import { BODY_MAX_LENGTH, type ContentItem } from '../../shared/core/content/model.js';
import {
  communityOf,
  dmsTo,
  fieldsOf,
  libraryOf,
  pressId,
  pressLabel,
  type Reply,
  recordsOf,
  reply,
  run,
} from './content-discord-support.js';
import { discordBot, submit } from './discord-harness.js';

const context = discordBot();
const MOD = 'modsam';
const TOPICS = ['onboarding', 'events'];

beforeAll(async () => {
  for (const topic of TOPICS) await run(context, 'a', MOD, `/community topics add ${topic}`);
});

/** The library's topics as stored. */
const topicsOf = async (space: string) =>
  (await context.bot.table.store.core.content.meta(await communityOf(context, space))).topics;

/** Opens a form with `/community <text>`, then submits it with `values`, in server `space`. */
async function fillIn(space: string, user: string, text: string, values: Record<string, string>) {
  const form = await run(context, space, user, text);
  expect(form.type).toBe(9);
  const customId = String(form.answer.data?.custom_id);
  const answered = await reply(context, submit({ user, channel: 'general', space, customId, values }));
  return { form, answered };
}

/** An item's fields as a form takes them. */
function draft(title: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    title,
    body: `How ${title.toLowerCase()} works, in a few lines.`,
    topics: 'onboarding',
    kind: 'tip',
    link: '',
    ...more,
  };
}

describe('topics', () => {
  it('lets a moderator add one, and refuses a member', async () => {
    const added = await run(context, 'a', MOD, '/community topics add tools');
    const refused = await run(context, 'a', 'bob', '/community topics add gossip');

    expect(added.private).toBe(true);
    expect(added.text).toContain('tools');
    expect(refused.text).toMatch(/moderator/i);
    expect(await topicsOf('a')).toEqual(expect.arrayContaining([...TOPICS, 'tools']));
    expect(await topicsOf('a')).not.toContain('gossip');
  });
});

describe('/community content add', () => {
  it('opens a modal and stores the submitted item, live, by a moderator', async () => {
    // Act
    const { form, answered } = await fillIn(
      'a',
      MOD,
      '/community content add',
      draft('Greet newcomers by name', { topics: 'onboarding, events', link: 'https://example.org/greet' }),
    );

    // Assess: Discord's modal (type 9), then the item, named by its id in the answer.
    expect(form.answer.data?.custom_id).toBe('content.add:');
    expect(fieldsOf(form)).toEqual(['title', 'body', 'topics', 'kind', 'link']);
    const item = [...(await libraryOf(context, 'a')).values()].find(
      (each) => each.title === 'Greet newcomers by name',
    );
    expect(item).toMatchObject({
      topics: ['onboarding', 'events'],
      kind: 'tip',
      link: 'https://example.org/greet',
      status: 'live',
      promotional: false,
      author: { kind: 'moderator' },
    });
    expect(answered.private).toBe(true);
    expect(answered.text).toContain(item?.id ?? '(no item)');
  });

  it.each([
    ['an over-long body', { body: 'x'.repeat(BODY_MAX_LENGTH + 100) }, [`${BODY_MAX_LENGTH + 100}`, 'body']],
    ['an unknown topic', { topics: 'onboarding, gardening' }, ['`gardening`', 'topic']],
    [
      'both at once',
      { body: 'y'.repeat(BODY_MAX_LENGTH + 1), topics: 'knitting' },
      [`${BODY_MAX_LENGTH + 1}`, '`knitting`'],
    ],
  ])('answers %s naming the problem, and stores nothing', async (_case, bad, named) => {
    // Prepare
    const before = await libraryOf(context, 'a');

    // Act
    const { answered } = await fillIn('a', MOD, '/community content add', draft(`Bad ${_case}`, bad));

    // Assess
    expect(answered.private).toBe(true);
    for (const words of named) expect(answered.text).toContain(words);
    expect([...(await libraryOf(context, 'a')).keys()].sort()).toEqual([...before.keys()].sort());
  });

  it('stores a submission Discord delivers twice once, and answers it once', async () => {
    // Prepare
    const values = draft('Welcome back returning members');
    const delivery = submit({ user: MOD, channel: 'general', space: 'a', customId: 'content.add:', values });

    // Act
    const first = await reply(context, delivery);
    const second = await reply(context, delivery);

    // Assess
    const stored = [...(await libraryOf(context, 'a')).values()].filter(
      (each) => each.title === values.title,
    );
    expect(stored).toHaveLength(1);
    expect(first.text).toContain(stored[0]?.id ?? '(none)');
    expect(second.text).toBe(ALREADY_ANSWERED);
  });

  it('refuses a member who is not a moderator without opening the form', async () => {
    const refused = await run(context, 'a', 'bob', '/community content add');

    expect(refused.type).not.toBe(9);
    expect(refused.text).toMatch(/moderator/i);
  });
});

/** `user` suggests an item in server a; returns the stored suggestion. */
async function suggest(user: string, title: string): Promise<ContentItem> {
  const { form, answered } = await fillIn('a', user, '/community content suggest', draft(title));
  expect(form.answer.data?.custom_id).toBe('content.suggest:');
  expect(fieldsOf(form)).toEqual(['title', 'body', 'topics', 'kind', 'link']);
  expect(answered.private).toBe(true);
  expect(answered.text).toMatch(/review/i);
  const item = [...(await libraryOf(context, 'a')).values()].find((each) => each.title === title);
  expect(item).toMatchObject({
    status: 'draft',
    review: { state: 'pending' },
    author: { kind: 'member', member: { platform: 'discord', id: sandboxUserId(user) } },
  });
  return item as ContentItem;
}

/** A moderator's queue in server `space`. */
const queueIn = (space: string, user = MOD) => run(context, space, user, '/community content queue');

describe('a member suggests, a moderator approves', () => {
  it('queues it, publishes it on Approve, credits and tells the author, and records the contribution', async () => {
    // Prepare
    const suggested = await suggest('alice', 'Thank first posts within a day');

    // Act
    const queue = await queueIn('a');
    const approved = await pressLabel(context, queue, `Approve ${suggested.id}`, { user: MOD, space: 'a' });

    // Assess: the queue lists it with its two buttons; the press updates the queue message.
    expect(queue.private).toBe(true);
    expect(queue.text).toContain(suggested.id);
    expect(queue.buttons.map((button) => button.label)).toEqual(
      expect.arrayContaining([`Approve ${suggested.id}`, `Reject ${suggested.id}`]),
    );
    expect(approved.type).toBe(7);
    expect(approved.text).toMatch(/approved/i);
    const item = (await libraryOf(context, 'a')).get(suggested.id);
    expect(item).toMatchObject({
      status: 'live',
      review: { state: 'approved' },
      author: { kind: 'member', member: { id: sandboxUserId('alice') } },
    });
    // The author, told in a DM by the outbox worker, once.
    const told = (await dmsTo(context, 'alice')).filter((dm) => dm.content.includes(suggested.title));
    expect(told).toHaveLength(1);
    expect(told[0]?.content).toMatch(/library/);
    expect(await recordsOf(context, 'content_contributed')).toContain(
      `discord:${sandboxGuildId('a')}:content_contributed:${suggested.id}`,
    );
    // It left the queue.
    expect((await queueIn('a')).text).not.toContain(suggested.id);
  });

  it('says who decided already when a second moderator presses Approve', async () => {
    const suggested = await suggest('erin', 'Pin the house rules');
    const queue = await queueIn('a');
    await pressLabel(context, queue, `Approve ${suggested.id}`, { user: MOD, space: 'a' });

    const again = await pressLabel(context, queue, `Approve ${suggested.id}`, { user: 'modmia', space: 'a' });

    expect(again.text).toMatch(/already/i);
    expect((await dmsTo(context, 'erin')).filter((dm) => dm.content.includes(suggested.title))).toHaveLength(
      1,
    );
    expect(await recordsOf(context, 'content_contributed')).toContain(
      `discord:${sandboxGuildId('a')}:content_contributed:${suggested.id}`,
    );
  });
});

describe('a moderator rejects with a note', () => {
  it('asks for the note in a modal, retires the suggestion and tells the author the note', async () => {
    // Prepare
    const suggested = await suggest('carol', 'Buy followers for reach');
    const note = 'We only grow by word of mouth here.';

    // Act
    const queue = await queueIn('a');
    const form = await pressLabel(context, queue, `Reject ${suggested.id}`, { user: MOD, space: 'a' });
    const rejected = await reply(
      context,
      submit({
        user: MOD,
        channel: 'general',
        space: 'a',
        customId: String(form.answer.data?.custom_id),
        values: { note },
      }),
    );

    // Assess
    expect(form.type).toBe(9);
    // The modal carries the item (and may carry where it was pressed) back with the submission.
    expect(form.answer.data?.custom_id).toMatch(new RegExp(`^content\\.reject:${suggested.id}(:|$)`));
    expect(fieldsOf(form)).toEqual(['note']);
    expect(rejected.text).toMatch(/reject/i);
    expect((await libraryOf(context, 'a')).get(suggested.id)).toMatchObject({
      status: 'retired',
      review: { state: 'rejected', note },
    });
    const told = (await dmsTo(context, 'carol')).filter((dm) => dm.content.includes(suggested.title));
    expect(told).toHaveLength(1);
    expect(told[0]?.content).toContain(note);
    expect(await recordsOf(context, 'content_contributed')).not.toContain(
      `discord:${sandboxGuildId('a')}:content_contributed:${suggested.id}`,
    );
  });
});

/** Proves a refused press left the suggestion pending, unpublished and untold. */
async function stillPending(suggested: ContentItem, author: string, refused: Reply) {
  expect(refused.type).not.toBe(7);
  expect(refused.private).toBe(true);
  expect((await libraryOf(context, 'a')).get(suggested.id)).toMatchObject({
    status: 'draft',
    review: { state: 'pending' },
  });
  expect((await dmsTo(context, author)).filter((dm) => dm.content.includes(suggested.title))).toEqual([]);
}

describe('who may decide', () => {
  it('refuses Approve pressed by a member who is not a moderator', async () => {
    const suggested = await suggest('dana', 'Answer every question twice');

    const refused = await pressId(context, `content.approve:${suggested.id}`, { user: 'bob', space: 'a' });

    expect(refused.text).toMatch(/moderator/i);
    await stillPending(suggested, 'dana', refused);
  });

  it("shows another community's moderator an empty queue, and refuses their Approve", async () => {
    // Prepare: server b is a community of its own, moderated by the same cast.
    const suggested = await suggest('frank', 'Celebrate the hundredth member');

    // Act
    const queue = await queueIn('b');
    const refused = await pressId(context, `content.approve:${suggested.id}`, { user: MOD, space: 'b' });

    // Assess
    expect(await communityOf(context, 'b')).not.toBe(await communityOf(context, 'a'));
    expect(queue.text).not.toContain(suggested.id);
    expect(queue.buttons).toEqual([]);
    expect(refused.text).toContain(suggested.id);
    await stillPending(suggested, 'frank', refused);
  });
});
