import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, signSlackBody } from '../../bots/slack/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { FORM, fixture, JSON_TYPE, keyOf, PATH, recordsOf, signed, variant } from './slack-deliveries.js';

/** Who may talk to the Slack endpoint: Slack's signature checked before anything is read, then the body. */

describe('Slack request verification', () => {
  let bot: BotUnderTest;
  // Its own event_id and ts: no other test records this message, so any record of it came from here.
  const forged = variant('event-message.json', '5');
  const message = JSON.stringify(forged);

  beforeAll(async () => {
    bot = await startBotUnderTest(slackPlatform);
  });
  afterAll(() => bot.close());

  it("accepts Slack's documented signing example, and refuses it one byte changed or too old", async () => {
    // Prepare: the clock at the example's own timestamp (only Date is faked; timers stay real).
    const example = fixture<{ timestamp: number; signature: string; body: string }>(
      'request-signing-example.json',
    );
    const headers = {
      'content-type': FORM,
      'x-slack-request-timestamp': String(example.timestamp),
      'x-slack-signature': example.signature,
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(example.timestamp * 1000);

      // Act
      const verified = await bot.handler(httpEvent(PATH, example.body, headers));
      const tampered = await bot.handler(
        httpEvent(PATH, example.body.replace('roadrunner', 'roadrunnex'), headers),
      );
      vi.setSystemTime((example.timestamp + 5 * 60 + 1) * 1000);
      const stale = await bot.handler(httpEvent(PATH, example.body, headers));

      // Assess
      expect(signSlackBody(SLACK_SANDBOX.signingSecret, example.timestamp, example.body)).toBe(
        example.signature,
      );
      expect(verified.statusCode).toBe(200);
      expect(tampered.statusCode).toBe(401);
      expect(stale.statusCode).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 401 to a forged signature, a stale or future timestamp and missing headers, recording nothing', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const at = (timestamp: number, secret: string = SLACK_SANDBOX.signingSecret) => ({
      'content-type': JSON_TYPE,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackBody(secret, timestamp, message),
    });
    const { 'x-slack-signature': _signature, ...noSignature } = at(now);
    const { 'x-slack-request-timestamp': _timestamp, ...noTimestamp } = at(now);
    const deliveries = [
      at(now, 'not-the-signing-secret'),
      at(now - 5 * 60 - 1),
      at(now + 5 * 60 + 60),
      noSignature,
      noTimestamp,
      { 'content-type': JSON_TYPE },
    ];

    const before = await bot.table.engagementItems();

    // Act
    const results = await Promise.all(
      deliveries.map((headers) => bot.handler(httpEvent(PATH, message, headers))),
    );

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([401, 401, 401, 401, 401, 401]);
    const after = await bot.table.engagementItems();
    expect(recordsOf(after, keyOf(forged))).toEqual([]);
    expect(after).toEqual(before);
  });

  it('checks the signature before reading the body: a forged unreadable body is a 401', async () => {
    const result = await bot.handler(
      httpEvent(PATH, '{not json', {
        'content-type': JSON_TYPE,
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=0000',
      }),
    );

    expect(result.statusCode).toBe(401);
  });

  it('answers 400 with a clear message to signed bodies it cannot read, recording nothing', async () => {
    // Prepare
    const bodies: [string, string, string][] = [
      ['{"type": "event_callback", ', JSON_TYPE, 'not valid JSON'],
      ['', JSON_TYPE, 'empty'],
      ['   ', FORM, 'empty'],
      ['[1, 2]', JSON_TYPE, 'not a JSON object'],
      ['null', JSON_TYPE, 'not a JSON object'],
      ['payload=%7B%22type%22%3A', FORM, 'payload form field is not valid JSON'],
      ['payload=%7B%7D&payload=%7B%7D', FORM, 'payload form field appears more than once'],
    ];
    const before = await bot.table.engagementItems();

    // Act
    const results = await Promise.all(bodies.map(([body, type]) => bot.handler(signed(body, type))));

    // Assess
    results.forEach((result, index) => {
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body ?? '{}').error).toContain(bodies[index]?.[2]);
    });
    expect(await bot.table.engagementItems()).toEqual(before);
  });

  it('answers the url_verification challenge', async () => {
    const payload = fixture('url-verification.json');

    const result = await bot.handler(signed(JSON.stringify(payload)));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}')).toEqual({ challenge: payload.challenge });
  });

  it('reads a base64-encoded body as the UTF-8 bytes Slack signed', async () => {
    // Prepare: API Gateway may hand the body over base64-encoded; non-ASCII text must survive the decoding.
    const payload = variant('event-message.json', '7');
    (payload.event as Record<string, unknown>).text = 'Grüße, 世界';
    const body = JSON.stringify(payload);
    const event = signed(body);

    // Act
    const result = await bot.handler({
      ...event,
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });

    // Assess
    expect(result.statusCode).toBe(200);
    const [record] = recordsOf(await bot.table.engagementItems(), `T123ABC456/C123ABC456/1355517523.000007`);
    expect(record?.textLength?.N).toBe(String('Grüße, 世界'.length));
  });
});
