import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { THANKS } from '../../shared/core/feedback/feedback.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import {
  ackBody,
  buttonsOf,
  command,
  deliveredNote as deliverNote,
  dmsTo,
  field,
  MODERATORS,
  press,
  received,
  submission,
  TEAM,
} from './slack-deliveries.js';

/**
 * `/community help`, `stats` and `feedback` through the real Slack handler: signed deliveries in, and what
 * the fake Slack received (acknowledgements, response_url answers, DMs, modals) and the table holds out.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

const SPACE = { platform: 'slack', id: TEAM } as const;

/** The moderators' DMs carrying `note`, by moderator. */
function notesWith(note: string): Record<string, string[]> {
  return Object.fromEntries(
    MODERATORS.map((moderator) => [
      moderator,
      dmsTo(bot.api, moderator)
        .map((request) => field(request, 'text') ?? '')
        .filter((text) => text.includes(note)),
    ]),
  );
}

describe('Slack /community help', () => {
  it('answers in the acknowledgement, ephemerally; a moderator also sees the moderators’ commands', async () => {
    const member = ackBody(await bot.handler(command('help', { user: 'UALICE' }).event));
    const moderator = ackBody(await bot.handler(command('', { user: 'UMODSAM' }).event));

    expect(member).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('the community bot'),
    });
    expect(member?.text).not.toContain('For moderators');
    expect(moderator?.text).toContain('For moderators');
    expect(moderator?.text).toContain('/community stats');
  });

  it('in a DM with the bot lists only what everyone can do, without asking Slack about the member', async () => {
    const before = received(bot.api, '/api/users.info').length;

    const answer = ackBody(await bot.handler(command('help', { user: 'UMODSAM', channel: 'DMODSAM' }).event));

    expect(answer?.text).not.toContain('For moderators');
    expect(received(bot.api, '/api/users.info')).toHaveLength(before);
  });
});

describe('Slack /community stats', () => {
  it("acknowledges a moderator at once and answers later through the command's response_url", async () => {
    // Act
    const stats = command('stats', { user: 'UMODSAM' });
    const result = await bot.handler(stats.event);
    await bot.lambda.idle();

    // Assess
    expect(result).toEqual({ statusCode: 200, body: '' });
    const answers = received(bot.api, stats.hookPath);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Community stats'),
    });
  });

  it.each([
    ['a member', 'UALICE', 'CGENERAL', 'for moderators only'],
    ['a moderator in a DM', 'UMODSAM', 'DMODSAM', 'in their community'],
  ])('refuses %s in the acknowledgement, privately', async (_who, user, channel, refusal) => {
    const stats = command('stats', { user, channel });

    const answer = ackBody(await bot.handler(stats.event));
    await bot.lambda.idle();

    expect(answer).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(refusal) });
    expect(received(bot.api, stats.hookPath)).toEqual([]);
  });
});

describe('Slack /community feedback', () => {
  it('delivers the note privately to each moderator with a Mark as read button, and thanks the member later', async () => {
    // Act
    const note = 'The onboarding channel is hard to find';
    const feedback = command(`feedback ${note}`, { user: 'UALICE' });
    const result = await bot.handler(feedback.event);
    await bot.lambda.idle();

    // Assess
    expect(result).toEqual({ statusCode: 200, body: '' });
    expect(notesWith(note)).toEqual({
      UMODSAM: [expect.stringContaining('UALICE')],
      UMODOWNER: [expect.any(String)],
      UMODLEA: [expect.any(String)],
    });
    const [dm] = dmsTo(bot.api, 'UMODLEA').filter((request) => field(request, 'text')?.includes(note));
    const [button] = dm ? buttonsOf(dm) : [];
    expect(button).toMatchObject({
      action_id: 'feedback.read',
      value: expect.stringMatching(/^T0SANDBOX\//),
    });
    const stored = await bot.table.store.core.feedback.get(SPACE, String(button?.value).split('/')[1] ?? '');
    expect(stored).toMatchObject({ text: note, from: { id: 'UALICE' } });
    expect(received(bot.api, feedback.hookPath).map((request) => request.payload)).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: THANKS }),
    ]);
  });

  it('from a moderator goes to the other moderators only', async () => {
    const note = 'Let us add a weekly thread';

    await bot.handler(command(`feedback ${note}`, { user: 'UMODSAM' }).event);
    await bot.lambda.idle();

    expect(notesWith(note)).toEqual({
      UMODSAM: [],
      UMODOWNER: [expect.any(String)],
      UMODLEA: [expect.any(String)],
    });
  });

  it('alone opens a modal; its submission reaches the moderators and the thanks the channel it came from', async () => {
    // Act: the command opens the modal with its trigger_id.
    const feedback = command('feedback', { user: 'UBOB', channel: 'CRANDOM' });
    const opened = await bot.handler(feedback.event);
    const [view] = received(bot.api, '/api/views.open').filter(
      (request) => field(request, 'trigger_id') === feedback.triggerId,
    );

    // Assess the modal
    expect(opened).toEqual({ statusCode: 200, body: '' });
    expect(view).toBeDefined();
    const modal = JSON.parse(field(view, 'view') ?? '{}');
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'feedback', submit: { text: 'Send' } });
    expect(JSON.parse(modal.private_metadata)).toEqual({
      channelId: 'CRANDOM',
      userId: 'UBOB',
      responseUrl: feedback.responseUrl,
    });

    // Act: the member submits it.
    const note = 'Events calendar please';
    if (!view) throw new Error('no modal was opened');
    const submitted = await bot.handler(submission(view, { note }, { user: 'UBOB' }).event);
    await bot.lambda.idle();

    // Assess: the acknowledgement closes the modal; the answers follow.
    expect(submitted).toEqual({ statusCode: 200, body: '' });
    expect(notesWith(note)).toEqual({
      UMODSAM: [expect.stringContaining('UBOB')],
      UMODOWNER: [expect.any(String)],
      UMODLEA: [expect.any(String)],
    });
    expect(received(bot.api, feedback.hookPath).map((request) => request.payload)).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: THANKS }),
    ]);
  });

  it('in a DM asks the member to send it in the community', async () => {
    const answer = ackBody(await bot.handler(command('feedback hello', { channel: 'DALICE' }).event));

    expect(answer).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('in your community'),
    });
  });
});

describe('Slack feedback: Mark as read', () => {
  const deliveredNote = (note: string) => deliverNote(bot, note);

  it("replaces the moderator's copy through the press's response_url, and tells a second one who read it", async () => {
    // Prepare
    const button = await deliveredNote('Mark me read');

    // Act
    const first = press(button, { user: 'UMODLEA', channel: 'DMODLEA' });
    const second = press(button, { user: 'UMODSAM', channel: 'DMODSAM' });
    const results = [await bot.handler(first.event), await bot.handler(second.event)];

    // Assess
    expect(results).toEqual([
      { statusCode: 200, body: '' },
      { statusCode: 200, body: '' },
    ]);
    expect(received(bot.api, first.hookPath).map((request) => request.payload)).toEqual([
      expect.objectContaining({ replace_original: true, text: expect.stringContaining('Marked as read') }),
    ]);
    expect(received(bot.api, second.hookPath).map((request) => request.payload)).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('UMODLEA') }),
    ]);
    const id = button.value.split('/')[1] ?? '';
    expect((await bot.table.store.core.feedback.get(SPACE, id))?.text ?? '').not.toContain('Mark me read');
  });

  it('refuses a member who is not a moderator, privately, and leaves the note unread', async () => {
    const button = await deliveredNote('Not yours to read');

    const attempt = press(button, { user: 'UALICE', channel: 'DALICE' });
    await bot.handler(attempt.event);

    expect(received(bot.api, attempt.hookPath).map((request) => request.payload)).toEqual([
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringContaining('Only moderators'),
      }),
    ]);
    const id = button.value.split('/')[1] ?? '';
    expect(await bot.table.store.core.feedback.get(SPACE, id)).toMatchObject({ text: 'Not yours to read' });
  });
});
