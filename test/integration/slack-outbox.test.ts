import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackOutboxTransport } from '../../bots/slack/outbox.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, slackSandbox, startFakeSlack } from '../../bots/slack/sandbox.js';
import type { FakeSlack } from '../../bots/slack/sandbox-outbox.js';
import type { Audience, OutboxMessage, OutboxTransport } from '../../shared/core/outbox/model.js';
import type { FaultPlan } from '../../shared/platform/fake-limits.js';
import { closeServer } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { expectedMemberId } from '../support/member-ids.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { field, received, recordsOf, signed } from './slack-deliveries.js';

/**
 * The outbox's Slack transport: the real WebClient, through bots/slack/outbox.ts, against the fake Slack
 * enforcing Slack's documented limits on a clock the test moves, with faults on demand. Every outcome is
 * read from the fake's own record of what it delivered. Then `team_join`, through the real handler.
 */

const TEAM = SLACK_SANDBOX.teamId;
const SPACE = { platform: 'slack', id: TEAM } as const;
const START = Date.parse('2026-11-24T10:00:00.000Z');

let nowMs = START;
const clock = () => nowMs;
let table: TestTable;
let api: FakeSlack;
let env: Record<string, string>;
let transport: OutboxTransport;
const capture = captureDeps();

beforeAll(async () => {
  table = await startTestTable();
  api = await startFakeSlack({ clock, strictLimits: true });
  env = slackSandbox.env(api.url);
  transport = createSlackOutboxTransport(env, { logger: capture.deps.logger, store: table.store });
});
afterAll(async () => {
  await api.close();
  await table.close();
});
afterEach(() => {
  api.setFaults(undefined);
  // Each test starts two minutes later: no limit window (1 s per channel, 1 minute per workspace) carries over.
  nowMs += 120_000;
});

let sequence = 0;

function outboxMessage(audience: Audience, text = 'Hello', more: Partial<OutboxMessage> = {}): OutboxMessage {
  sequence += 1;
  const at = new Date(nowMs);
  return {
    id: `ob-slack-${sequence}`,
    key: `test:${sequence}`,
    communityId: 'community-1',
    purpose: 'announcement',
    audience,
    message: { text },
    allowance: { kind: 'unsolicited' },
    status: 'sending',
    createdAt: at,
    dueAt: at,
    attempts: 1,
    firstAttemptAt: at,
    ...more,
  };
}

const inChannel = (channelId: string): Audience => ({ kind: 'channel', target: { space: SPACE, channelId } });

const toMember = (id: string): Audience => ({
  kind: 'member',
  space: SPACE,
  member: { platform: 'slack', id },
  memberId: `m-${id}`,
  privacyKey: `p-${id}`,
  person: `m-${id}`,
});

/** Every fault plan's dice land on one fault. */
function always(fault: 'rateLimited' | 'serverError' | 'timeoutBefore' | 'timeoutAfter'): FaultPlan {
  return {
    rateLimited: fault === 'rateLimited' ? 1 : 0,
    serverError: fault === 'serverError' ? 1 : 0,
    timeout: fault.startsWith('timeout') ? 1 : 0,
    acceptedBeforeTimeout: fault === 'timeoutAfter' ? 1 : 0,
    seed: 7,
  };
}

/** What the fake Slack delivered carrying this outbox id. */
const deliveredWith = (id: string) =>
  api.delivered.filter((message) => message.metadata?.event_payload.outbox_id === id);

describe('Slack outbox transport: sending', () => {
  it('posts with its outbox id as message metadata and mentions as <@U...>, in text and blocks', async () => {
    // Prepare
    const message = outboxMessage(inChannel('CWELCOME'), 'Welcome {@0}, meet **{@1}**!', {
      message: {
        text: 'Welcome {@0}, meet **{@1}**!',
        mentions: [
          { member: { platform: 'slack', id: 'UALICE' } },
          { member: { platform: 'slack', id: 'UBOB' } },
        ],
      },
    });

    // Act
    const result = await transport.send(message);

    // Assess
    const [delivered, ...more] = deliveredWith(message.id);
    expect(more).toEqual([]);
    expect(result).toEqual({ kind: 'sent', posted: { channelId: 'CWELCOME', messageId: delivered?.ts } });
    expect(delivered).toMatchObject({
      channel: 'CWELCOME',
      text: 'Welcome <@UALICE>, meet <@UBOB>!',
      metadata: { event_type: 'community_outbox', event_payload: { outbox_id: message.id } },
    });
    const request = received(api, '/api/chat.postMessage').at(-1);
    const blocks = JSON.parse(field(request, 'blocks') ?? '[]') as { text: { text: string } }[];
    expect(blocks.map((block) => block.text.text)).toEqual(['Welcome <@UALICE>, meet *<@UBOB>*!']);
    expect(request?.headers.authorization).toBe(`Bearer ${SLACK_SANDBOX.botToken}`);
  });

  it("sends a private message into the member's DM channel", async () => {
    const message = outboxMessage(toMember('UDMREADER'));

    const result = await transport.send(message);

    expect(result).toEqual({
      kind: 'sent',
      posted: { channelId: 'DDMREADER', messageId: expect.any(String) },
    });
    expect(deliveredWith(message.id).map((one) => one.channel)).toEqual(['DDMREADER']);
  });

  it('spends 1 per second from the channel, or for a DM from the member', () => {
    expect(transport.paceRules(inChannel('CGENERAL'))).toEqual([
      { key: 'slack:T0SANDBOX:CGENERAL', limit: 1, windowMs: 1000 },
    ]);
    expect(transport.paceRules(toMember('UALICE'))).toEqual([
      { key: 'slack:T0SANDBOX:dm:UALICE', limit: 1, windowMs: 1000 },
    ]);
  });

  it('is answered 429 with Retry-After past 1 post per second in a channel, and the violation is counted', async () => {
    // Prepare
    const violationsBefore = api.violations.length;
    const first = outboxMessage(inChannel('CBUSY'));
    const second = outboxMessage(inChannel('CBUSY'));
    const elsewhere = outboxMessage(inChannel('CQUIET'));

    // Act
    const results = [
      await transport.send(first),
      await transport.send(second),
      await transport.send(elsewhere),
    ];
    nowMs += 1000;
    const later = await transport.send(second);

    // Assess
    expect(results.map((result) => result.kind)).toEqual(['sent', 'retry', 'sent']);
    expect(results[1]).toEqual({ kind: 'retry', reason: 'rate limited (429)', afterMs: 1000 });
    expect(api.violations.slice(violationsBefore)).toEqual([
      { limit: 'chat.postMessage: 1 per second per channel', key: 'T0SANDBOX:CBUSY', at: nowMs - 1000 },
    ]);
    expect(later.kind).toBe('sent');
    expect(deliveredWith(second.id)).toHaveLength(1);
  });

  it("maps a 429 fault to retry after Slack's retry_after, with nothing posted", async () => {
    api.setFaults(always('rateLimited'));
    const message = outboxMessage(inChannel('CLIMITED'));

    const result = await transport.send(message);

    expect(result).toEqual({ kind: 'retry', reason: 'rate limited (429)', afterMs: 1000 });
    expect(deliveredWith(message.id)).toEqual([]);
  });

  it('maps a 500 to unknown (Slack may have posted), and the lookup finds it absent', async () => {
    api.setFaults(always('serverError'));
    const message = outboxMessage(inChannel('CBROKEN'));

    const result = await transport.send(message);
    api.setFaults(undefined);
    const found = await transport.find?.(message);

    expect(result).toEqual({ kind: 'unknown', reason: 'HTTP 500' });
    expect(found).toEqual({ kind: 'absent' });
    expect(deliveredWith(message.id)).toEqual([]);
  });
});

describe('Slack outbox transport: exactly once after a timeout', () => {
  it('a call dropped before Slack acted: unknown, absent, and the resend is delivered once', async () => {
    // Prepare
    api.setFaults(always('timeoutBefore'));
    const message = outboxMessage(inChannel('CDROPPED'));

    // Act
    const first = await transport.send(message);
    api.setFaults(undefined);
    nowMs += 2000;
    const found = await transport.find?.(message);
    const resent = await transport.send(message);

    // Assess
    expect(first.kind).toBe('unknown');
    expect(found).toEqual({ kind: 'absent' });
    const delivered = deliveredWith(message.id);
    expect(delivered).toHaveLength(1);
    expect(resent).toEqual({ kind: 'sent', posted: { channelId: 'CDROPPED', messageId: delivered[0]?.ts } });
  });

  it('a call dropped after Slack posted: unknown, then found in the channel by its metadata', async () => {
    // Prepare: other messages before and after it in the channel
    await transport.send(outboxMessage(inChannel('CLOST')));
    nowMs += 1000;
    api.setFaults(always('timeoutAfter'));
    const message = outboxMessage(inChannel('CLOST'));

    // Act
    const result = await transport.send(message);
    api.setFaults(undefined);
    nowMs += 1000;
    await transport.send(outboxMessage(inChannel('CLOST')));
    const found = await transport.find?.(message);

    // Assess
    expect(result.kind).toBe('unknown');
    const delivered = deliveredWith(message.id);
    expect(delivered).toHaveLength(1);
    expect(found).toEqual({ kind: 'found', posted: { channelId: 'CLOST', messageId: delivered[0]?.ts } });
  });

  it("finds a private message in the member's IM channel (conversations.open)", async () => {
    api.setFaults(always('timeoutAfter'));
    const message = outboxMessage(toMember('UDMLOST'));

    const result = await transport.send(message);
    api.setFaults(undefined);
    const found = await transport.find?.(message);

    expect(result.kind).toBe('unknown');
    const [delivered] = deliveredWith(message.id);
    expect(found).toEqual({ kind: 'found', posted: { channelId: 'DDMLOST', messageId: delivered?.ts } });
    expect(api.requests.some((one) => one.path === '/api/conversations.open')).toBe(true);
  });

  it('reads past the first page of a busy channel to find it', async () => {
    // Prepare: the message, then 205 more after it (history pages newest first, 200 a page)
    const message = outboxMessage(inChannel('CPAGES'));
    api.setFaults(always('timeoutAfter'));
    await transport.send(message);
    api.setFaults(undefined);
    for (let count = 0; count < 205; count++) {
      nowMs += 1000;
      await transport.send(outboxMessage(inChannel('CPAGES')));
    }

    // Act
    const found = await transport.find?.(message);

    // Assess
    const [delivered] = deliveredWith(message.id);
    expect(found).toEqual({ kind: 'found', posted: { channelId: 'CPAGES', messageId: delivered?.ts } });
    const pages = received(api, '/api/conversations.history');
    expect(field(pages.at(-1), 'cursor')).toBe('offset:200');
  });

  it('answers unknown, not absent, when the history cannot be read', async () => {
    const message = outboxMessage(inChannel('CUNREAD'));
    await transport.send(message);
    api.setFaults(always('serverError'));

    const found = await transport.find?.(message);

    expect(found).toMatchObject({ kind: 'unknown' });
  });

  it('counts conversations.history past Tier 3 (50 a minute per workspace) and answers unknown', async () => {
    const message = outboxMessage(inChannel('CTIER3'));
    const violationsBefore = api.violations.length;

    const results = [];
    for (let count = 0; count < 51; count++) results.push(await transport.find?.(message));

    expect(results.slice(0, 50).every((result) => result?.kind === 'absent')).toBe(true);
    expect(results[50]).toMatchObject({ kind: 'unknown' });
    expect(api.violations.slice(violationsBefore)).toEqual([
      { limit: 'conversations.history: Tier 3, 50 per minute', key: 'T0SANDBOX', at: nowMs },
    ]);
  });
});

describe('Slack outbox transport: refusals', () => {
  it('refuses for good where the bot is not in the channel', async () => {
    const result = await transport.send(outboxMessage(inChannel('CNOBOTHERE')));

    expect(result).toEqual({ kind: 'refused', reason: 'not_in_channel' });
  });

  it.each([
    ['a deactivated member', 'UGONEFORGOOD', 'user_disabled'],
    ['a bot', SLACK_SANDBOX.botUserId, 'cannot_dm_bot'],
  ])('calls %s unreachable by DM', async (_who, user, reason) => {
    const result = await transport.send(outboxMessage(toMember(user)));

    expect(result).toEqual({ kind: 'unreachable', reason });
  });

  it('refuses a workspace where the app is not installed (many workspaces, none in the table)', async () => {
    const many = createSlackOutboxTransport(
      { ...env, SLACK_BOT_TOKEN: '', SLACK_BOT_ID: '', SLACK_BOT_USER_ID: '' },
      { logger: capture.deps.logger, store: table.store },
    );
    const elsewhere: Audience = {
      kind: 'channel',
      target: { space: { platform: 'slack', id: 'T0NOTHERE' }, channelId: 'CGENERAL' },
    };

    const result = await many.send(outboxMessage(elsewhere));

    expect(result).toEqual({ kind: 'refused', reason: 'slack_workspace_not_installed' });
  });
});

describe('Slack outbox transport: no answer at all', () => {
  it('retries when Slack could not be reached (nothing was sent)', async () => {
    const gone = await startFakeSlack();
    await gone.close();
    const unreachable = createSlackOutboxTransport(slackSandbox.env(gone.url), {
      logger: capture.deps.logger,
      store: table.store,
    });

    const result = await unreachable.send(outboxMessage(inChannel('CGENERAL')));

    expect(result).toEqual({ kind: 'retry', reason: 'could not connect (ECONNREFUSED)' });
  });

  it('counts a call unanswered within timeoutMs as unknown', async () => {
    // Prepare: a server that takes the request and never answers
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = createSlackOutboxTransport(slackSandbox.env(`http://127.0.0.1:${port}`), {
      logger: capture.deps.logger,
      store: table.store,
      timeoutMs: 100,
    });

    // Act
    const result = await slow.send(outboxMessage(inChannel('CGENERAL')));
    await closeServer(silent);

    // Assess
    expect(result).toEqual({ kind: 'unknown', reason: 'no answer within the timeout' });
  });
});

describe('Slack fake without strict limits', () => {
  it('lets a burst through and only counts it', async () => {
    const lenient = await startFakeSlack({ clock });
    const lax = createSlackOutboxTransport(slackSandbox.env(lenient.url), {
      logger: capture.deps.logger,
      store: table.store,
    });

    const results = [
      await lax.send(outboxMessage(inChannel('CBURST'))),
      await lax.send(outboxMessage(inChannel('CBURST'))),
    ];
    await lenient.close();

    expect(results.map((result) => result.kind)).toEqual(['sent', 'sent']);
    expect(lenient.violations).toEqual([
      { limit: 'chat.postMessage: 1 per second per channel', key: 'T0SANDBOX:CBURST', at: nowMs },
    ]);
    expect(lenient.delivered).toHaveLength(2);
  });
});

/**
 * `team_join` as Slack documents it (docs.slack.dev/reference/events/team_join: the event wrapper, `user`
 * a user object, docs.slack.dev/reference/objects/user-object), for a new member of the sandbox workspace.
 */
function teamJoin(eventId: string, user: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'XXYYZZ',
    team_id: TEAM,
    api_app_id: SLACK_SANDBOX.appId,
    event: {
      type: 'team_join',
      user: {
        team_id: TEAM,
        deleted: false,
        color: '9f69e7',
        real_name: 'New Person',
        tz: 'Europe/Paris',
        tz_label: 'Central European Time',
        tz_offset: 3600,
        profile: { real_name: 'New Person', display_name: 'newperson', first_name: 'New', team: TEAM },
        is_admin: false,
        is_owner: false,
        is_primary_owner: false,
        is_restricted: false,
        is_ultra_restricted: false,
        is_bot: false,
        is_app_user: false,
        updated: 1_764_000_000,
        ...user,
      },
      event_ts: '1764000000.000100',
    },
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_764_000_000,
  });
}

describe('Slack team_join', () => {
  let bot: BotUnderTest;

  beforeAll(async () => {
    bot = await startBotUnderTest(slackPlatform);
  });
  afterAll(() => bot.close());

  it('records a new member of the workspace as one join, in no channel, across redeliveries', async () => {
    // Act
    const body = teamJoin('EvTEAMJOIN1', { id: 'UNEWPERSON', name: 'newperson' });
    const results = [await bot.handler(signed(body)), await bot.handler(signed(body))];

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    const records = recordsOf(await bot.table.engagementItems(), 'EvTEAMJOIN1');
    expect(records).toHaveLength(1);
    expect(records[0]?.kind?.S).toBe('member_joined');
    expect(records[0]?.channelId?.S).toBe('');
    expect(records[0]?.memberId?.S).toBe(expectedMemberId('slack', 'UNEWPERSON'));
    expect(JSON.stringify(records[0])).not.toContain('New Person');
  });

  it('ignores a bot user joining, and the bot itself', async () => {
    const results = [
      await bot.handler(
        signed(teamJoin('EvTEAMJOINBOT', { id: 'UOTHERBOT', name: 'otherbot', is_bot: true })),
      ),
      await bot.handler(
        signed(teamJoin('EvTEAMJOINSELF', { id: SLACK_SANDBOX.botUserId, name: 'community' })),
      ),
    ];

    expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    const items = await bot.table.engagementItems();
    expect(recordsOf(items, 'EvTEAMJOINBOT')).toEqual([]);
    expect(recordsOf(items, 'EvTEAMJOINSELF')).toEqual([]);
  });
});
