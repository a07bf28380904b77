import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { contentSlack, freshTopic, MOD, SPACE } from './content-slack-support.js';
import { ackBody, command, field, received } from './slack-deliveries.js';

/**
 * Authoring the content library on Slack, through the real signed handler and the fake Slack: topics,
 * `content add` through its modal, `edit`, `retire` and `list`, every refusal naming its problem with
 * nothing written. Asserted on what the fake Slack received and what the table holds. The review queue is
 * in content-review-slack.test.ts.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

const { textOf, library, itemById, openModal, submit, addItem } = contentSlack(() => bot);

describe('topics', () => {
  it('adds a topic once, lower-cased, and shows it', async () => {
    const topic = freshTopic('onboarding');

    const added = await textOf(`topics add ${topic.toUpperCase()}`);
    const again = await textOf(`topics add ${topic}`);
    const shown = await textOf('topics', 'UALICE');

    expect(added).toBe(`Added the topic ${topic}.`);
    expect(again).toContain('already a topic: nothing changed');
    expect(shown).toContain(topic);
  });

  it('refuses a bad name and a member, naming why, and changes nothing', async () => {
    const space = await bot.table.store.core.spaces.find(SPACE);
    const before = await bot.table.store.core.content.meta(space?.communityId ?? '');

    const badName = await textOf('topics add Not_a_slug!');
    const member = await textOf('topics add parties', 'UALICE');
    const missing = await textOf('topics remove never-added');

    expect(badName).toContain('is not a topic name');
    expect(member).toContain("for this community's moderators only");
    expect(missing).toContain('never-added is not a topic');
    const after = await bot.table.store.core.content.meta(space?.communityId ?? '');
    expect(after.topics).not.toContain('parties');
    expect(after.topics.filter((topic) => !before.topics.includes(topic))).not.toContain('not');
  });

  it('refuses to remove a topic a live item uses, naming the item, and removes it once the item is retired', async () => {
    // Prepare
    const topic = freshTopic('events');
    await textOf(`topics add ${topic}`);
    const id = await addItem({
      title: 'Run a monthly meetup',
      body: 'Same day each month.',
      topics: topic,
      kind: 'event',
    });

    // Act
    const refused = await textOf(`topics remove ${topic}`);
    await textOf(`content retire ${id}`);
    const removed = await textOf(`topics remove ${topic}`);

    // Assess
    expect(refused).toContain(`${topic} is still used by 1 item`);
    expect(refused).toContain(`${id} Run a monthly meetup`);
    expect(refused).toContain('Nothing changed');
    expect(removed).toBe(`Removed the topic ${topic}.`);
  });
});

describe('content add', () => {
  it('opens a modal with five fields; its submission stores a live item by the moderator, shown in the list', async () => {
    // Prepare
    const topic = freshTopic('welcome');
    await textOf(`topics add ${topic}`);

    // Act
    const { opened, view } = await openModal('content add', MOD);
    const modal = JSON.parse(field(view, 'view') ?? '{}') as {
      callback_id: string;
      blocks: { block_id: string }[];
    };
    const answer = await submit(
      opened,
      view,
      {
        title: 'Greet newcomers by name',
        body: 'A personal hello within a day doubles replies.',
        topics: topic,
        kind: 'tip, promotional',
        link: 'https://example.org/greet',
      },
      MOD,
    );
    const id = /Added ([0-9a-z]{6})/.exec(answer)?.[1] ?? '';
    const list = await textOf(`content list ${topic}`);

    // Assess
    expect(modal.callback_id).toBe('content.add');
    expect(modal.blocks.map((block) => block.block_id)).toEqual(['title', 'body', 'topics', 'kind', 'link']);
    expect(answer).toContain('Greet newcomers by name');
    expect(await itemById(id)).toMatchObject({
      title: 'Greet newcomers by name',
      topics: [topic],
      kind: 'tip',
      promotional: true,
      link: 'https://example.org/greet',
      status: 'live',
      language: 'en',
      author: { kind: 'moderator', person: expect.stringMatching(/^m_/) },
      counts: { shown: 0, helpful: 0, notForMe: 0, shared: 0 },
    });
    expect(list).toContain(`${id} Greet newcomers by name tip · ${topic} · promotional`);
  });

  it.each([
    ['an over-long body', { body: 'x'.repeat(1600) }, 'The body has 1600 characters'],
    ['an unknown topic', { topics: 'no-such-topic' }, 'Unknown topic no-such-topic'],
    ['a bad link', { link: 'not a link' }, 'The link not a link is not a web address'],
    ['an unknown kind', { kind: 'poem' }, 'Unknown kind poem'],
  ])('answers %s naming the problem, and stores nothing', async (_case, change, problem) => {
    const before = (await library()).length;
    const { opened, view } = await openModal('content add', MOD);

    const answer = await submit(
      opened,
      view,
      { title: 'Bad one', body: 'Short.', topics: '', kind: 'tip', link: '', ...change },
      MOD,
    );

    expect(answer).toContain('Nothing was added');
    expect(answer).toContain(problem);
    expect(await library()).toHaveLength(before);
  });

  it('is refused to a member before any modal opens', async () => {
    const delivery = command('content add', { user: 'UALICE' });

    const answer = ackBody(await bot.handler(delivery.event));

    expect(answer?.text).toContain("for this community's moderators only");
    expect(
      received(bot.api, '/api/views.open').filter(
        (request) => field(request, 'trigger_id') === delivery.triggerId,
      ),
    ).toEqual([]);
  });
});

describe('content edit and retire', () => {
  it('changes one field at a time, checked whole, and retires once', async () => {
    // Prepare
    const topic = freshTopic('moderation');
    await textOf(`topics add ${topic}`);
    const id = await addItem({
      title: 'Pin the rules',
      body: 'Short rules get read.',
      topics: topic,
      kind: 'guide',
      link: '-',
    });

    // Act
    const title = await textOf(`content edit ${id} title Pin three rules`);
    const promo = await textOf(`content edit ${id} promotional yes`);
    const same = await textOf(`content edit ${id} promotional yes`);
    // (An over-long body is answered through the modal above: a test delivery's trigger_id carries its text.)
    const badLink = await textOf(`content edit ${id} link example dot org`);
    const badTopic = await textOf(`content edit ${id} topics ${topic}, nowhere`);
    const badStatus = await textOf(`content edit ${id} status gone`);
    const retired = await textOf(`content retire ${id}`);
    const again = await textOf(`content retire ${id}`);

    // Assess
    expect(title).toContain(`Changed the title of ${id}`);
    expect(title).toContain('Pin three rules');
    expect(promo).toContain(`Changed the promotional of ${id}`);
    expect(same).toContain('nothing changed');
    expect(badLink).toContain('The link example dot org is not a web address');
    expect(badTopic).toContain('Unknown topic nowhere');
    expect(badStatus).toContain('The status gone is not one of draft, live or retired');
    expect(retired).toContain(`Retired ${id}`);
    expect(again).toBe(`${id} is already retired: nothing changed.`);
    expect(await itemById(id)).toMatchObject({
      title: 'Pin three rules',
      body: 'Short rules get read.',
      topics: [topic],
      promotional: true,
      status: 'retired',
    });
  });

  it('names an unknown id', async () => {
    const before = await library();

    const edit = await textOf('content edit zzzzzz title Anything');
    const retire = await textOf('content retire nope!');

    expect(edit).toContain('No item zzzzzz in this library (/community content list shows the ids)');
    expect(retire).toContain('No item nope! in this library');
    expect(await library()).toEqual(before);
  });

  it('names an unknown topic in `content list`', async () => {
    expect(await textOf('content list no-such-topic')).toContain(
      'no-such-topic is not a topic of this library',
    );
  });
});
