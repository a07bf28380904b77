/**
 * Welcomes and channel roles on Slack, through the real handler (answers read from Slack's plain-text
 * fallback, which drops the markup): `welcome set` without text opens a modal
 * whose submission sets it (a member's submission of the same view is refused); the announcements channel
 * moves when another channel takes the role; a `member_joined_channel` delivered twice queues one welcome
 * that greets in the channel joined when the member cannot be written to. Asserted on the table and on what
 * the fake Slack received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { sandboxChannelId, slackSandbox } from '../../bots/slack/sandbox.js';
import { WELCOME_FORM_ID } from '../../shared/core/welcome/feature.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { ackBody, command, field, received, submission, TEAM } from './slack-deliveries.js';
import { scanItems } from './telegram-harness.js';

let bot: BotUnderTest;
beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

const MODERATOR = 'UMODSAM';
const SPACE = { platform: 'slack' as const, id: TEAM };
const WELCOME = 'Welcome! Say hello in #introductions.';

/** `/community <text>` by `user` in `channel`: the acknowledgement's text and every later answer's. */
async function ask(user: string, text: string, channel = 'CGENERAL'): Promise<string> {
  const delivery = command(text, { user, channel });
  const ack = ackBody(await bot.handler(delivery.event));
  await bot.settled();
  const later = received(bot.api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  return [String(ack?.text ?? ''), ...later].filter(Boolean).join('\n');
}

describe('Slack: welcome set through a modal', () => {
  it("opens the form, saves a moderator's submission and refuses a member's", async () => {
    // Act 1: the moderator runs it without text (another test may have set a welcome already).
    const before = await bot.table.store.core.welcomes.welcome(SPACE);
    const opening = command('welcome set', { user: MODERATOR });
    expect(await bot.handler(opening.event)).toEqual({ statusCode: 200, body: '' });
    const [view] = received(bot.api, '/api/views.open').filter(
      (request) => field(request, 'trigger_id') === opening.triggerId,
    );
    if (!view) throw new Error('no modal was opened');
    const modal = JSON.parse(field(view, 'view') ?? '{}');

    // Act 2: a member submits the same view, then the moderator does.
    await bot.handler(submission(view, { text: 'Hijacked' }, { user: 'UBOB' }).event);
    await bot.settled();
    const afterMember = await bot.table.store.core.welcomes.welcome(SPACE);
    await bot.handler(submission(view, { text: WELCOME }, { user: MODERATOR }).event);
    await bot.settled();

    // Assess
    expect(modal).toMatchObject({ type: 'modal', callback_id: WELCOME_FORM_ID, submit: { text: 'Save' } });
    expect(afterMember).toEqual(before);
    expect((await bot.table.store.core.welcomes.welcome(SPACE))?.text).toBe(WELCOME);
  });
});

describe('Slack: channel roles and joins', () => {
  it('moves the announcements channel to the channel that takes the role', async () => {
    const first = await ask(MODERATOR, 'channel announcements', 'CGENERAL');
    const moved = await ask(MODERATOR, 'channel announcements', 'CRANDOM');
    const listed = await ask(MODERATOR, 'channel', 'CRANDOM');
    const { attention } = bot.table.store.core;

    expect(first).toBe("This channel is now the space's announcements channel.");
    expect(moved).toBe("This channel is now the space's announcements channel (it was CGENERAL).");
    expect(listed).toContain('- CRANDOM (this channel): announcements');
    expect((await attention.channel(SPACE, 'CGENERAL')).roles).toEqual([]);
    expect((await attention.channel(SPACE, 'CRANDOM')).roles).toEqual(['announcements']);
  });

  it('queues one welcome for a join delivered twice, greeting in the channel joined', async () => {
    // Prepare
    await ask(MODERATOR, `welcome set ${WELCOME}`);
    const join = slackSandbox.sign({ kind: 'join', user: 'nina', channel: 'events' });
    const deliver = () => bot.handler(httpEvent(join.path, join.body, { ...join.headers }));

    // Act
    expect(await deliver()).toMatchObject({ statusCode: 200 });
    expect(await deliver()).toMatchObject({ statusCode: 200 });
    await bot.settled();

    // Assess
    const nina = expectedMemberId('slack', 'UNINA');
    const items = await scanItems(
      bot.table,
      (item) => item.sk?.S?.startsWith('OUTBOX#') === true && item.purpose?.S === 'welcome',
    );
    expect(items.map((item) => item.key?.S)).toEqual([`welcome:slack:${TEAM}:${nina}`]);
    expect(items[0]?.greetChannelId?.S).toBe(sandboxChannelId('events'));
    expect(await bot.table.store.core.welcomes.wasWelcomed(SPACE, nina)).toBe(true);
    // The worker the join woke sent it privately, once.
    const dms = bot.api.requests.filter(
      (request) =>
        request.path.endsWith('/chat.postMessage') &&
        (request.payload as Record<string, unknown>).channel === 'UNINA',
    );
    expect(dms.map((request) => String((request.payload as Record<string, unknown>).text))).toEqual([
      expect.stringContaining(WELCOME),
    ]);
  });
});
