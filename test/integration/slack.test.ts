import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, signSlackBody } from '../../bots/slack/sandbox.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import type { Item } from '../../shared/store/attributes.js';
import { StoreError } from '../../shared/store/errors.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { httpEvent } from '../support/lambda.js';

const PATH = '/slack/events';
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';
const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

type Json = Record<string, unknown> & { event?: Record<string, unknown> };

function fixture<T = Json>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8')) as T;
}

/** The real Slack handler with a fresh table, a faulty proxy in front of it, and the fake Slack API. */
function startSlackBot(): Promise<BotUnderTest> {
  return startBotUnderTest(slackPlatform);
}

/** A delivery signed with the sandbox secret (Slack's documented example secret), timestamped now. */
function signed(body: string, contentType = JSON_TYPE, extra: Record<string, string> = {}): HttpEvent {
  const timestamp = Math.floor(Date.now() / 1000);
  return httpEvent(PATH, body, {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, timestamp, body),
    ...extra,
  });
}

/** A documented event payload as a distinct delivery: its own event_id and, for messages, its own ts. */
function variant(name: string, suffix: string): Json {
  const payload = fixture(name);
  const event = { ...payload.event } as Record<string, unknown>;
  if (typeof event.ts === 'string') event.ts = `${event.ts.split('.')[0]}.00000${suffix}`;
  return { ...payload, event, event_id: `Ev${name.replace(/\W/g, '').toUpperCase()}${suffix}` };
}

function commandBody(fields: Record<string, string>): string {
  const documented = fixture<Record<string, string>>('slash-command.json');
  return new URLSearchParams({ ...documented, command: '/community', ...fields }).toString();
}

/** The record key the adapter uses: team/channel/ts for messages, event_id for the rest. */
function keyOf(payload: Json): string {
  const event = payload.event as Record<string, string>;
  return event.type === 'message' ? `T123ABC456/${event.channel}/${event.ts}` : String(payload.event_id);
}

function recordsOf(items: Item[], key: string): Item[] {
  return items.filter((item) => item.pk?.S === `EVT#slack:${key}`);
}

/** The slack row of the `today` window, from the stats reply's plain text. */
function todayRow(result: HttpResult): Record<string, number> {
  const { text } = JSON.parse(result.body ?? '{}') as { text: string };
  const row = text.split('\n').find((line) => line.trim().startsWith('slack '));
  const [, members, messages, replies, reactions, joins] = (row ?? '').trim().split(/\s+/).map(Number);
  return {
    members: members ?? -1,
    messages: messages ?? -1,
    replies: replies ?? -1,
    reactions: reactions ?? -1,
    joins: joins ?? -1,
  };
}

describe('Slack request verification', () => {
  let bot: BotUnderTest;
  // Its own event_id and ts: no other test records this message, so any record of it came from here.
  const forged = variant('event-message.json', '5');
  const message = JSON.stringify(forged);

  beforeAll(async () => {
    bot = await startSlackBot();
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

const EVENTS = [
  { name: 'event-message.json', kind: 'message_posted', member: 'U123ABC456' },
  { name: 'event-thread-reply.json', kind: 'thread_reply', member: 'U2222222' },
  { name: 'event-reaction-added.json', kind: 'reaction_added', member: 'U123ABC456' },
  { name: 'event-member-joined-channel.json', kind: 'member_joined', member: 'W123ABC456' },
] as const;

/**
 * A documented event as two distinct events: the first delivered 3 times in turn (Slack's retries), the
 * second 3 times at once (concurrent Lambda instances).
 */
async function deliverTwoEventsSixTimes(
  bot: BotUnderTest,
  name: string,
): Promise<{ results: HttpResult[]; payloads: [Json, Json] }> {
  const sequential = variant(name, '1');
  const concurrent = variant(name, '2');
  const results: HttpResult[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    results.push(await bot.handler(signed(JSON.stringify(sequential), JSON_TYPE, attempt > 0 ? RETRY : {})));
  }
  results.push(...(await Promise.all([1, 2, 3].map(() => bot.handler(signed(JSON.stringify(concurrent)))))));
  return { results, payloads: [sequential, concurrent] };
}

describe('Slack events, exactly once, and /community stats', () => {
  let bot: BotUnderTest;

  beforeAll(async () => {
    bot = await startSlackBot();
  });
  afterAll(() => bot.close());

  it.each(EVENTS)('records $name once across 3 sequential and 3 concurrent deliveries', async (spec) => {
    // Act
    const { results, payloads } = await deliverTwoEventsSixTimes(bot, spec.name);

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    const items = await bot.table.engagementItems();
    for (const payload of payloads) {
      const records = recordsOf(items, keyOf(payload));
      expect(records).toHaveLength(1);
      expect(records[0]?.kind?.S).toBe(spec.kind);
      expect(records[0]?.memberId?.S).toBe(spec.member);
    }
  });

  it('keeps the length of a message, never its text', async () => {
    // Prepare
    const payload = variant('event-message.json', '6');
    const text = String(payload.event?.text);

    // Act
    const result = await bot.handler(signed(JSON.stringify(payload)));

    // Assess
    expect(result.statusCode).toBe(200);
    const items = await bot.table.engagementItems();
    const [record] = recordsOf(items, keyOf(payload));
    expect(record?.textLength?.N).toBe(String(text.length));
    expect(JSON.stringify(items)).not.toContain('Live long');
  });

  it('ignores, on purpose, the parent-side message_replied, bot messages, its own messages and edits', async () => {
    // Prepare
    const base = variant('event-message.json', '8');
    const event = base.event as Record<string, unknown>;
    const payloads = [
      fixture('event-message-replied.json'),
      { ...base, event: { ...event, subtype: 'bot_message', bot_id: 'B0OTHERBOT' } },
      { ...base, event: { ...event, bot_id: SLACK_SANDBOX.botId, user: SLACK_SANDBOX.botUserId } },
      { ...base, event: { ...event, user: SLACK_SANDBOX.botUserId } },
      { ...base, event: { ...event, subtype: 'message_changed' } },
      { ...base, event: { ...event, subtype: 'channel_join' } },
    ];
    const before = (await bot.table.engagementItems()).length;

    // Act
    const results = await Promise.all(
      payloads.map((payload) => bot.handler(signed(JSON.stringify(payload)))),
    );

    // Assess
    expect(results.every((result) => result.statusCode === 200)).toBe(true);
    expect((await bot.table.engagementItems()).length).toBe(before);
  });

  it('shows a moderator exactly the numbers of single deliveries, asking Slack with the bot token', async () => {
    // Prepare: a table of its own, so what other tests record does not count; two events of each kind.
    const own = await startSlackBot();
    try {
      const delivered = [];
      for (const spec of EVENTS) delivered.push(...(await deliverTwoEventsSixTimes(own, spec.name)).results);

      // Act
      const result = await own.handler(
        signed(commandBody({ text: 'stats', user_id: 'UMODSAM', trigger_id: '1.2.stats-moderator' }), FORM),
      );

      // Assess
      expect(delivered.every((delivery) => delivery.statusCode === 200)).toBe(true);
      expect(result.statusCode).toBe(200);
      const reply = JSON.parse(result.body ?? '{}');
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.blocks[0].text.type).toBe('mrkdwn');
      // Members seen: U123ABC456, U2222222, W123ABC456 and the moderator who asked.
      expect(todayRow(result)).toEqual({ members: 4, messages: 2, replies: 2, reactions: 2, joins: 2 });
      const lookups = own.api.requests.filter((request) => request.path === '/api/users.info');
      expect(lookups).toHaveLength(1);
      expect(lookups[0]?.headers.authorization).toBe(`Bearer ${SLACK_SANDBOX.botToken}`);
      expect(lookups[0]?.payload).toMatchObject({ user: 'UMODSAM' });
    } finally {
      await own.close();
    }
  });

  it('refuses stats to a member who is not an admin, privately', async () => {
    const result = await bot.handler(
      signed(commandBody({ text: 'stats', trigger_id: '1.2.stats-member' }), FORM),
    );

    const reply = JSON.parse(result.body ?? '{}');
    expect(result.statusCode).toBe(200);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('for moderators only');
    expect(reply.text).toContain('workspace owners and admins');
  });

  it('answers a repeated command delivery with a plain acknowledgement', async () => {
    const body = commandBody({ text: 'help', trigger_id: '1.2.help-twice' });

    const first = await bot.handler(signed(body, FORM));
    const second = await bot.handler(signed(body, FORM));

    expect(JSON.parse(first.body ?? '{}').text).toContain('Community bot');
    expect(second).toMatchObject({ statusCode: 200, body: '' });
  });

  it('records a button press once and acknowledges it', async () => {
    // Prepare
    const body = new URLSearchParams({ payload: JSON.stringify(fixture('block-actions.json')) }).toString();

    // Act
    const results = [await bot.handler(signed(body, FORM)), await bot.handler(signed(body, FORM))];

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    const records = recordsOf(
      await bot.table.engagementItems(),
      '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    );
    expect(records).toHaveLength(1);
    expect(records[0]?.kind?.S).toBe('button_pressed');
  });
});

describe('Slack events when DynamoDB fails', () => {
  let bot: BotUnderTest;
  const capture = captureDeps();

  beforeAll(async () => {
    bot = await startBotUnderTest(slackPlatform, { deps: capture.deps });
  });
  afterAll(() => bot.close());

  it.each(['before', 'after'] as const)(
    'answers 500 when the write fails %s reaching the table, then records exactly once on redelivery',
    async (when) => {
      // Prepare: fail every attempt the SDK makes (3) for this delivery.
      const payload = variant('event-message.json', when === 'before' ? '3' : '4');
      const body = JSON.stringify(payload);
      bot.proxy.failNext('PutItem', 3, when);
      capture.clear();

      // Act
      const failed = await bot.handler(signed(body));
      const failureLines = capture.lines.filter((line) => line.level === 'error');
      const redelivered = await bot.handler(signed(body, JSON_TYPE, RETRY));

      // Assess: a JSON answer, and one error line naming the cause and the delivery.
      expect(failed).toMatchObject({ statusCode: 500, headers: { 'content-type': 'application/json' } });
      expect(JSON.parse(failed.body ?? '{}').error).toContain('deliver this again');
      expect(failureLines).toHaveLength(1);
      expect(failureLines[0]?.fields).toMatchObject({ code: 'store_unavailable', eventId: payload.event_id });
      expect(failureLines[0]?.fields.error).toBeInstanceOf(StoreError);
      expect(redelivered.statusCode).toBe(200);
      const event = payload.event as Record<string, string>;
      const records = recordsOf(await bot.table.engagementItems(), `T123ABC456/C123ABC456/${event.ts}`);
      expect(records).toHaveLength(1);
    },
  );
});
