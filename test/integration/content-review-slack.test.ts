import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { WORKSPACE_A, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { contentSlack, freshTopic, MOD, SPACE } from './content-slack-support.js';
import { ackBody, command, dmsTo, field, press, received, submission } from './slack-deliveries.js';
import { ask, installedForBlock } from './slack-install-harness.js';

/**
 * Members' suggestions and the moderators' review queue on Slack, through the real signed handler and the
 * fake Slack: a suggestion through its modal, the queue with Approve / Reject, the author told through the
 * outbox worker (their DM on the fake Slack) and credited as engagement, refusals checked server side, and
 * the wall between two communities. Asserted on what the fake Slack received and what the table holds.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

const { textOf, library, itemById, openModal, submit, suggest, queue, pressQueue, buttonFor } = contentSlack(
  () => bot,
);

describe('suggestions and the queue', () => {
  it('a member suggests; the queue shows it; Approve makes it live, tells and credits the author', async () => {
    // Prepare
    const topic = freshTopic('tips');
    await textOf(`topics add ${topic}`);

    // Act: the member suggests, the moderator reads the queue and approves.
    const { id, answer } = await suggest('UALICE', 'Thank first-time posters', topic);
    const shown = await queue();
    const { answers } = await pressQueue('content.approve', buttonFor(shown.buttons, 'content.approve', id));

    // Assess
    expect(answer).toBe('Thanks: moderators will review it; you will hear the outcome privately.');
    expect(shown.text).toContain(`${id} Thank first-time posters`);
    expect(shown.buttons.map((button) => button.action_id)).toContain('content.reject');
    expect(answers.map((request) => [field(request, 'replace_original'), field(request, 'text')])).toEqual([
      ['true', expect.stringContaining(`Approved Thank first-time posters (${id})`)],
    ]);
    const item = await itemById(id);
    expect(item).toMatchObject({
      status: 'live',
      author: { kind: 'member', member: { platform: 'slack', id: 'UALICE' }, space: SPACE },
      review: { state: 'approved', by: expect.stringMatching(/^m_/) },
    });
    expect(dmsTo(bot.api, 'UALICE').map((request) => field(request, 'text'))).toContainEqual(
      expect.stringContaining('Thank first-time posters'),
    );
    const credit = (await bot.table.engagementItems()).filter((record) =>
      record.pk?.S?.endsWith(`:content_contributed:${id}`),
    );
    expect(credit).toHaveLength(1);
    expect(JSON.stringify(credit[0])).toContain(expectedMemberId('slack', 'UALICE'));
    expect((await queue()).text).not.toContain(id);
  });

  it('Reject asks for a note, retires the suggestion and tells the author with the note', async () => {
    // Prepare
    const topic = freshTopic('ideas');
    await textOf(`topics add ${topic}`);
    const { id } = await suggest('UBOB', 'Post memes daily', topic);
    const value = buttonFor((await queue()).buttons, 'content.reject', id);

    // Act: the press opens a modal; the moderator writes a note and submits.
    const { delivery } = await pressQueue('content.reject', value);
    const view = received(bot.api, '/api/views.open').find(
      (request) => field(request, 'trigger_id') === delivery.triggerId,
    );
    if (!view) throw new Error('Reject opened no modal');
    const answer = await submit(delivery, view, { note: 'Once a week fits this channel better.' }, MOD);

    // Assess
    expect(JSON.parse(field(view, 'view') ?? '{}')).toMatchObject({ callback_id: 'content.reject' });
    expect(answer).toContain(`Rejected Post memes daily (${id}): its author is told, with your note.`);
    expect(await itemById(id)).toMatchObject({
      status: 'retired',
      review: { state: 'rejected', note: 'Once a week fits this channel better.' },
    });
    const told = dmsTo(bot.api, 'UBOB').map((request) => field(request, 'text') ?? '');
    expect(told).toContainEqual(expect.stringContaining('Post memes daily'));
    expect(told).toContainEqual(expect.stringContaining('Once a week fits this channel better.'));
  });

  it('refuses a member pressing Approve, server side, and a second decision names the first', async () => {
    // Prepare
    const topic = freshTopic('refusals');
    await textOf(`topics add ${topic}`);
    const { id } = await suggest('UCAROL', 'Weekly wins thread', topic);
    const value = buttonFor((await queue()).buttons, 'content.approve', id);

    // Act
    const member = await pressQueue('content.approve', value, 'UALICE');
    const pendingAfterMember = await itemById(id);
    await pressQueue('content.approve', value, MOD);
    const second = await pressQueue('content.approve', value, 'UMODLEA');
    const again = await pressQueue('content.approve', value, MOD);
    const unknown = await pressQueue('content.approve', 'zzzzzz', MOD);

    // Assess
    expect(field(member.answers[0], 'text')).toContain(
      "Only this community's moderators review its suggestions",
    );
    expect(pendingAfterMember).toMatchObject({ status: 'draft', review: { state: 'pending' } });
    expect(field(second.answers[0], 'text')).toMatch(
      /was already approved by another moderator on \d{4}-\d\d-\d\d: nothing changed/,
    );
    expect(field(again.answers[0], 'text')).toMatch(/was already approved by you on \d{4}-\d\d-\d\d/);
    expect(field(unknown.answers[0], 'text')).toContain('No item zzzzzz in this library');
    const told = dmsTo(bot.api, 'UCAROL').filter((request) =>
      field(request, 'text')?.includes('Weekly wins thread'),
    );
    expect(told).toHaveLength(1);
  });

  it('answers a suggestion with an over-long body with its length, and stores nothing', async () => {
    const before = (await library()).length;
    const { opened, view } = await openModal('content suggest', 'UALICE');

    const answer = await submit(
      opened,
      view,
      { title: 'Too long', body: 'z'.repeat(1700), topics: '', kind: 'tip', link: '' },
      'UALICE',
    );

    expect(answer).toContain('Nothing was sent');
    expect(answer).toContain('The body has 1700 characters');
    expect(await library()).toHaveLength(before);
  });

  it('asks for a suggestion in the community, not in a DM', async () => {
    const answer = ackBody(
      await bot.handler(command('content suggest', { user: 'UALICE', channel: 'DALICE' }).event),
    );

    expect(answer?.text).toContain('in your community');
  });
});

describe('walls: two workspaces, two communities', () => {
  const installed = installedForBlock();

  it("B's moderator neither sees nor approves nor edits A's suggestion", async () => {
    // Prepare: a member of A suggests (through A's modal).
    const a = installed();
    const topic = freshTopic('walls');
    await ask(a, WORKSPACE_A, MOD, `topics add ${topic}`);
    const opened = command('content suggest', { user: 'UALICE', workspace: WORKSPACE_A });
    await a.handler(opened.event);
    const view = received(a.api, '/api/views.open').find(
      (request) => field(request, 'trigger_id') === opened.triggerId,
    );
    if (!view) throw new Error('no modal');
    await a.handler(
      submission(
        view,
        { title: 'A only', body: 'For A.', topics: topic, kind: 'tip', link: '' },
        { user: 'UALICE' },
      ).event,
    );
    await a.settled();
    const spaceA = await a.table.store.core.spaces.find({ platform: 'slack', id: WORKSPACE_A.teamId });
    const [item] = await a.table.store.core.content.queue(spaceA?.communityId ?? '');
    if (!item) throw new Error('no suggestion in A');

    // Act: B's moderator looks, edits, and presses an Approve naming A's item in B.
    const queueB = await ask(a, WORKSPACE_B, 'UMODMIA', 'content queue');
    const listB = await ask(a, WORKSPACE_B, 'UMODMIA', 'content list');
    const editB = await ask(a, WORKSPACE_B, 'UMODMIA', `content edit ${item.id} title Taken over`);
    const forged = press(
      { actionId: 'content.approve', value: item.id },
      { user: 'UMODMIA', channel: 'CGENERAL', ephemeral: true, workspace: WORKSPACE_B },
    );
    await a.handler(forged.event);
    await a.settled();

    // Assess
    expect(queueB.text).toContain('No suggestions are waiting');
    expect(listB.text).not.toContain(item.id);
    expect(editB.text).toContain(`No item ${item.id} in this library`);
    expect(field(received(a.api, forged.hookPath)[0], 'text')).toContain(
      `No item ${item.id} in this library`,
    );
    expect(await a.table.store.core.content.get(item.communityId, item.id)).toMatchObject({
      title: 'A only',
      status: 'draft',
      review: { state: 'pending' },
    });
  });
});
