import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX } from '../../bots/slack/sandbox.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import { StoreError } from '../../shared/store/errors.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { expectedMemberId } from '../support/member-ids.js';
import {
  FORM,
  fixture,
  JSON_TYPE,
  type Json,
  keyOf,
  recordsOf,
  signed,
  variant,
} from './slack-deliveries.js';

const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

/** The real Slack handler with a fresh table, a faulty proxy in front of it, and the fake Slack API. */
function startSlackBot(): Promise<BotUnderTest> {
  return startBotUnderTest(slackPlatform);
}

function commandBody(fields: Record<string, string>): string {
  const documented = fixture<Record<string, string>>('slash-command.json');
  return new URLSearchParams({ ...documented, command: '/community', ...fields }).toString();
}

/** The slack row of the `today` window, from the stats answer's plain text. */
function todayRow(text: string): Record<string, number> {
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

/** Each documented event: who acted and, for a reply or reaction, whom it was addressed to (the payload's). */
const EVENTS = [
  { name: 'event-message.json', kind: 'message_posted', member: 'U123ABC456', to: undefined },
  // parent_user_id
  { name: 'event-thread-reply.json', kind: 'thread_reply', member: 'U2222222', to: 'U123ABC456' },
  // item_user
  { name: 'event-reaction-added.json', kind: 'reaction_added', member: 'U123ABC456', to: 'U222222222' },
  { name: 'event-member-joined-channel.json', kind: 'member_joined', member: 'W123ABC456', to: undefined },
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
      // Opaque ids only: the record names neither member by their Slack id, in any attribute.
      expect(records[0]?.memberId?.S).toBe(expectedMemberId('slack', spec.member));
      expect(records[0]?.toMemberId?.S).toBe(spec.to && expectedMemberId('slack', spec.to));
      const stored = JSON.stringify(records[0]);
      expect(stored).not.toContain(spec.member);
      if (spec.to) expect(stored).not.toContain(spec.to);
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

      // Act: stats are answered later (30 days of queries), through the command's response_url.
      const result = await own.handler(
        // Asked in the workspace the documented events came from: stats are per space.
        signed(
          commandBody({
            text: 'stats',
            user_id: 'UMODSAM',
            team_id: 'T123ABC456',
            trigger_id: '1.2.stats-moderator',
          }),
          FORM,
        ),
      );
      await own.lambda.idle();

      // Assess
      expect(delivered.every((delivery) => delivery.statusCode === 200)).toBe(true);
      expect(result).toMatchObject({ statusCode: 200, body: '' });
      const answers = own.api.requests.filter((request) => request.path === '/commands/1234/5678');
      expect(answers).toHaveLength(1);
      const answer = answers[0]?.payload as { response_type: string; text: string; blocks: unknown[] };
      expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(answer.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
      expect(answers[0]?.headers.authorization).toBeUndefined();
      // Members seen: U123ABC456, U2222222 and W123ABC456; asking for stats is not taking part.
      expect(todayRow(answer.text)).toEqual({ members: 3, messages: 2, replies: 2, reactions: 2, joins: 2 });
      // No record, engagement or the command's claim, holds a Slack user id.
      const people = ['U123ABC456', 'U2222222', 'U222222222', 'W123ABC456', 'UMODSAM'];
      for (const item of await own.table.engagementItems()) {
        for (const id of people) expect(JSON.stringify(item)).not.toContain(id);
      }
      // Asked in the request and again by the later invocation (another instance may run it).
      const lookups = own.api.requests.filter((request) => request.path === '/api/users.info');
      expect(lookups.length).toBeGreaterThanOrEqual(1);
      for (const lookup of lookups) {
        expect(lookup.headers.authorization).toBe(`Bearer ${SLACK_SANDBOX.botToken}`);
        expect(lookup.payload).toMatchObject({ user: 'UMODSAM' });
      }

      // And an admin of another workspace sees none of these numbers.
      await own.handler(
        signed(
          commandBody({
            text: 'stats',
            user_id: 'UMODSAM',
            team_id: 'T0OTHER',
            trigger_id: '1.2.stats-other',
          }),
          FORM,
        ),
      );
      await own.lambda.idle();
      const other = own.api.requests.filter((request) => request.path === '/commands/1234/5678')[1];
      expect(todayRow(String((other?.payload as { text?: string } | undefined)?.text))).toEqual({
        members: 0,
        messages: 0,
        replies: 0,
        reactions: 0,
        joins: 0,
      });
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

    expect(JSON.parse(first.body ?? '{}')).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('the community bot'),
    });
    expect(second).toMatchObject({ statusCode: 200, body: '' });
  });

  it('records a button press once, acknowledges it, and answers it once through its response_url', async () => {
    // Prepare
    const body = new URLSearchParams({ payload: JSON.stringify(fixture('block-actions.json')) }).toString();

    // Act
    const results = [await bot.handler(signed(body, FORM)), await bot.handler(signed(body, FORM))];

    // Assess: the documented fixture's action is not one of ours, which the member is told privately.
    expect(results).toEqual([
      { statusCode: 200, body: '' },
      { statusCode: 200, body: '' },
    ]);
    const answers = bot.api.requests.filter((request) => request.path.startsWith('/actions/T123ABC456/'));
    expect(answers.map((request) => request.payload)).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: 'This button is no longer in use.' }),
    ]);
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
      bot.proxy.failNext('PutItem', 3, when, 'EVT#');
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
