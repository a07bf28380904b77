import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { THANKS } from '../../shared/core/feedback/feedback.js';
import type { HttpEvent } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import {
  ackBody,
  command,
  type Delivery,
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
 * Every command, press and modal submission is answered exactly once, however Slack (or a member's double
 * click, or a Lambda retry) delivers it: again in turn, several at once, and again after DynamoDB failed
 * between recording the interaction and answering it. The answers ledger lives in the core; these tests
 * prove the Slack adapter uses it and never answers on its own.
 */

let bot: BotUnderTest;
let capture: Capture;

beforeAll(async () => {
  capture = captureDeps();
  bot = await startBotUnderTest(slackPlatform, { deps: capture.deps });
});
afterAll(() => bot.close());

type Timing = 'in turn' | 'at once';
const TIMINGS: readonly Timing[] = ['in turn', 'at once'];

/** Delivers the same signed request three times, in turn or at once, then lets later jobs finish. */
async function thrice(event: HttpEvent, timing: Timing) {
  const results =
    timing === 'in turn'
      ? [await bot.handler(event), await bot.handler(event), await bot.handler(event)]
      : await Promise.all([bot.handler(event), bot.handler(event), bot.handler(event)]);
  await bot.lambda.idle();
  return results;
}

/** How many DMs each moderator got carrying `note`. */
function noteCounts(note: string): number[] {
  return MODERATORS.map(
    (moderator) =>
      dmsTo(bot.api, moderator).filter((request) => field(request, 'text')?.includes(note)).length,
  );
}

const payloads = (requests: readonly ReceivedRequest[]) => requests.map((request) => request.payload);
const recordsOf = async (kind: string) =>
  (await bot.table.engagementItems()).filter((item) => item.kind?.S === kind);

const deliveredNote = (note: string) => deliverNote(bot, note);

/** A feedback modal opened by `user`: the views.open request to submit against. */
async function openedModal(user: string): Promise<{ opener: Delivery; view: ReceivedRequest }> {
  const opener = command('feedback', { user });
  await bot.handler(opener.event);
  const view = received(bot.api, '/api/views.open').find(
    (request) => field(request, 'trigger_id') === opener.triggerId,
  );
  if (!view) throw new Error('no modal was opened');
  return { opener, view };
}

describe.each(TIMINGS)('Slack: the same delivery three times %s is answered once', (timing) => {
  it('a command answered in its acknowledgement', async () => {
    const results = await thrice(command('help', { user: 'UBOB' }).event, timing);

    expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200]);
    expect(results.filter((result) => ackBody(result)?.text)).toHaveLength(1);
  });

  it('a command answered later: one note to each moderator, one thanks', async () => {
    const note = `Once please, ${timing}`;
    const feedback = command(`feedback ${note}`, { user: 'UALICE' });

    await thrice(feedback.event, timing);

    expect(noteCounts(note)).toEqual([1, 1, 1]);
    expect(payloads(received(bot.api, feedback.hookPath))).toEqual([
      expect.objectContaining({ text: THANKS }),
    ]);
  });

  it('a button press', async () => {
    const button = await deliveredNote(`Press once, ${timing}`);
    const read = press(button, { user: 'UMODLEA', channel: 'DMODLEA' });

    const results = await thrice(read.event, timing);

    expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200]);
    expect(payloads(received(bot.api, read.hookPath))).toEqual([
      expect.objectContaining({ replace_original: true }),
    ]);
  });

  it('a modal submission', async () => {
    const note = `Submitted once, ${timing}`;
    const { opener, view } = await openedModal('UBOB');

    const results = await thrice(submission(view, { note }, { user: 'UBOB' }).event, timing);

    expect(results).toEqual([
      { statusCode: 200, body: '' },
      { statusCode: 200, body: '' },
      { statusCode: 200, body: '' },
    ]);
    expect(noteCounts(note)).toEqual([1, 1, 1]);
    expect(payloads(received(bot.api, opener.hookPath))).toEqual([expect.objectContaining({ text: THANKS })]);
  });
});

describe('Slack: answered once after DynamoDB failed between recording and answering', () => {
  it('a command whose recording was written but not confirmed: 500, then one answer on redelivery', async () => {
    // Prepare: the record lands, but every attempt's answer is lost (the SDK tries 3 times).
    const note = 'Recorded, then lost';
    const feedback = command(`feedback ${note}`, { user: 'UALICE' });
    bot.proxy.failNext('PutItem', 3, 'after', 'EVT#');

    // Act
    const failed = await bot.handler(feedback.event);
    const redelivered = await bot.handler(feedback.event);
    await bot.lambda.idle();

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(redelivered).toEqual({ statusCode: 200, body: '' });
    expect(noteCounts(note)).toEqual([1, 1, 1]);
    expect(payloads(received(bot.api, feedback.hookPath))).toEqual([
      expect.objectContaining({ text: THANKS }),
    ]);
    const commands = (await recordsOf('command_invoked')).filter(
      (item) => item.pk?.S === `EVT#slack:${TEAM}:${feedback.triggerId}`,
    );
    expect(commands).toHaveLength(1);
  });

  it('a press whose answer failed on the table: 500, then one answer on redelivery', async () => {
    // Prepare: marking the note read fails on every attempt.
    const button = await deliveredNote('Read after a failure');
    const read = press(button, { user: 'UMODLEA', channel: 'DMODLEA' });
    bot.proxy.failNext('UpdateItem', 3, 'before', 'FEEDBACK#');

    // Act
    const failed = await bot.handler(read.event);
    const redelivered = await bot.handler(read.event);

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(redelivered.statusCode).toBe(200);
    expect(payloads(received(bot.api, read.hookPath))).toEqual([
      expect.objectContaining({ replace_original: true, text: expect.stringContaining('Marked as read') }),
    ]);
  });

  it('a modal submission whose recording was lost: the member submits again and is answered once', async () => {
    const note = 'Submitted through a failure';
    const { opener, view } = await openedModal('UBOB');
    const submitted = submission(view, { note }, { user: 'UBOB' });
    bot.proxy.failNext('PutItem', 3, 'after', 'EVT#');

    const failed = await bot.handler(submitted.event);
    const again = await bot.handler(submitted.event);
    await bot.lambda.idle();

    expect(failed.statusCode).toBe(500);
    expect(again).toEqual({ statusCode: 200, body: '' });
    expect(noteCounts(note)).toEqual([1, 1, 1]);
    expect(payloads(received(bot.api, opener.hookPath))).toEqual([expect.objectContaining({ text: THANKS })]);
  });

  it('an answer given but not marked complete: the redelivery is only acknowledged', async () => {
    // Prepare: a press is answered outside the acknowledgement (through its response_url), so its claim is
    // completed by an UpdateItem after the answer: that fails on every attempt. (A retired button: nothing
    // else in its turn writes.)
    const retired = press(
      { actionId: 'retired.action', value: 'x' },
      { user: 'UCAROL', channel: 'CGENERAL' },
    );
    bot.proxy.failNext('UpdateItem', 3, 'before', 'EVT#');
    capture.clear();

    // Act
    const first = await bot.handler(retired.event);
    const second = await bot.handler(retired.event);

    // Assess
    expect(first.statusCode).toBe(200);
    expect(second).toEqual({ statusCode: 200, body: '' });
    expect(payloads(received(bot.api, retired.hookPath))).toEqual([
      expect.objectContaining({ text: 'This button is no longer in use.' }),
    ]);
    expect(capture.lines.map((line) => line.message)).toContain('answer given but not marked complete');
  });

  it('a later job whose read failed: Lambda runs it again and the member is answered once', async () => {
    // Prepare: the job's read of the note (a GetItem the request does not make) fails every attempt.
    const note = 'Retried by Lambda';
    const feedback = command(`feedback ${note}`, { user: 'UALICE' });
    bot.proxy.failNext('GetItem', 3, 'before', 'FEEDBACK#');

    // Act
    const result = await bot.handler(feedback.event);
    await bot.lambda.idle();

    // Assess
    expect(result).toEqual({ statusCode: 200, body: '' });
    expect(bot.lambda.failed).toEqual([]);
    expect(capture.lines.map((line) => line.message)).toContain('later job failed; Lambda will retry it');
    expect(noteCounts(note)).toEqual([1, 1, 1]);
    expect(payloads(received(bot.api, feedback.hookPath))).toEqual([
      expect.objectContaining({ text: THANKS }),
    ]);
  });
});
