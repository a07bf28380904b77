import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import {
  ackBody,
  buttonsOf,
  command,
  type Delivery,
  dmsTo,
  field,
  press,
  received,
  submission,
} from './slack-deliveries.js';

/**
 * Private means private, on Slack: everything a member or a moderator is told privately (help, stats,
 * feedback notes and their answers) is found only in ephemeral answers, ephemeral messages and DMs. The
 * test runs every private exchange, then scans EVERYTHING the fake Slack received and every webhook answer.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

const NOTE_TYPED = 'Privatenote alpha about the organisers';
const NOTE_IN_MODAL = 'Privatenote bravo from the modal';

/** Text only the asker (or the moderators) may see: fragments of each private answer. */
const PRIVATE_TEXTS = [
  'the community bot', // help
  'Community stats', // stats
  NOTE_TYPED,
  NOTE_IN_MODAL,
  'Marked as read',
  'Thanks, moderators have it',
];

/** Whether a request to the fake Slack can only be seen by one member (or, for a note, by moderators). */
function isPrivatePlace(request: ReceivedRequest, privatePresses: ReadonlySet<string>): boolean {
  const body = (request.payload ?? {}) as Record<string, unknown>;
  switch (request.path) {
    case '/api/chat.postEphemeral':
      return true;
    case '/api/chat.postMessage':
    case '/api/chat.update':
      // A user id posts in that member's DM with the app; D... is such a DM.
      return /^[UWD]/.test(String(body.channel));
    case '/api/views.open':
      // A modal is shown to the member whose trigger opened it.
      return true;
    default:
      if (!/^\/(commands|actions|app)\//.test(request.path)) return false;
      if (body.replace_original === true) return privatePresses.has(request.path);
      return body.response_type === 'ephemeral';
  }
}

describe('Slack: private answers never reach a channel', () => {
  it('keeps help, stats, feedback notes and their answers out of every public place', async () => {
    // Prepare / Act: every private exchange the bot has, in public channels.
    const acks: HttpResult[] = [];
    const deliver = async (delivery: Delivery) => {
      acks.push(await bot.handler(delivery.event));
      await bot.lambda.idle();
    };
    await deliver(command('help', { user: 'UALICE', channel: 'CGENERAL' }));
    await deliver(command('help', { user: 'UMODSAM', channel: 'CGENERAL' }));
    await deliver(command('stats', { user: 'UMODSAM', channel: 'CGENERAL' }));
    await deliver(command(`feedback ${NOTE_TYPED}`, { user: 'UALICE', channel: 'CGENERAL' }));
    // Feedback where the bot is not in the channel and the response_url has expired: the thanks come in a DM.
    await deliver(
      command(`feedback ${NOTE_TYPED} again`, { user: 'UBOB', channel: 'CNOBOTROOM', expired: true }),
    );
    const modal = command('feedback', { user: 'UBOB', channel: 'CRANDOM' });
    await deliver(modal);
    const [opened] = received(bot.api, '/api/views.open');
    if (!opened) throw new Error('no modal was opened');
    acks.push(await bot.handler(submission(opened, { note: NOTE_IN_MODAL }, { user: 'UBOB' }).event));
    await bot.lambda.idle();
    const [dm] = dmsTo(bot.api, 'UMODLEA');
    const [button] = dm ? buttonsOf(dm) : [];
    if (!button?.value) throw new Error('no Mark as read button');
    const read = press(
      { actionId: button.action_id, value: button.value },
      { user: 'UMODLEA', channel: 'DMODLEA' },
    );
    await deliver(read);

    // Assess: each private text was said somewhere (the scan is not vacuous) ...
    const everything = [
      ...bot.api.requests.map((request) => JSON.stringify(request.payload)),
      ...acks.map((ack) => ack.body ?? ''),
    ];
    for (const text of PRIVATE_TEXTS) {
      expect(
        everything.some((said) => said.includes(text)),
        text,
      ).toBe(true);
    }
    // ... and only in private places: no request to a public place carries one.
    const publicRequests = bot.api.requests.filter(
      (request) => !isPrivatePlace(request, new Set([read.hookPath])),
    );
    const leaks = publicRequests.filter((request) =>
      PRIVATE_TEXTS.some((text) => JSON.stringify(request.payload).includes(text)),
    );
    expect(leaks.map((request) => `${request.path} ${field(request, 'channel') ?? ''}`)).toEqual([]);
    // The expired response_url and the channel without the bot ended in the member's DM.
    expect(dmsTo(bot.api, 'UBOB').map((request) => field(request, 'text'))).toEqual([
      'Thanks, moderators have it.',
    ]);
    // Nothing went to a public place but the space's one registration notice (what the bot records, posted
    // where it first heard activity), and every answer in an acknowledgement is ephemeral.
    expect(
      publicRequests
        .filter((request) => !field(request, 'text')?.includes('I am this community’s bot'))
        .map((request) => request.path)
        .filter((path) => !path.startsWith('/api/users.')),
    ).toEqual([]);
    for (const ack of acks) {
      const body = ackBody(ack);
      if (body) expect(body.response_type).toBe('ephemeral');
    }
  });
});
