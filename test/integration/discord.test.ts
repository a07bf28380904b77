import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALREADY_ANSWERED } from '../../bots/discord/responder.js';
import {
  commandInteraction,
  discordSandbox,
  interactionHeaders,
  SANDBOX_APPLICATION_ID,
  SANDBOX_GUILD_ID,
  sandboxGuildId,
  signedDelivery,
} from '../../bots/discord/sandbox.js';
import { gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import { TABLE } from '../../shared/store/table.js';
import { expectedMemberId } from '../support/member-ids.js';
import { answerOf, command, discordBot, discordToday, statsFor } from './discord-harness.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/discord');
const NO_LONGER_IN_USE = 'This button is no longer in use.';
/** The guild of Discord's documented interaction payloads (not the sandbox's). */
const DOCS_GUILD = '290926798626357999';

const context = discordBot();
const { deliver } = context;

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** The items of an interaction: its record key names the guild it came from. */
async function recordsOf(interactionId: string, guild = SANDBOX_GUILD_ID) {
  const items = await context.bot.table.engagementItems();
  return items.filter((item) => item.key?.S === `discord:${guild}:${interactionId}`);
}

/** A member's message in a sandbox guild, as the gateway delivers it (engagement reaches the core so). */
async function post(user: string, guild = SANDBOX_GUILD_ID) {
  const message = gatewayMessage({ user, channel: 'general', guild }, new Date());
  expect(await context.gateway.dispatch(message)).toEqual({ outcome: 'recorded' });
  return message;
}

const stats = (user?: string) => statsFor(context, user);

describe('verifying deliveries', () => {
  it('answers a signed PING with PONG', async () => {
    expect(answerOf(await deliver(JSON.stringify(fixture('ping.json'))))).toEqual({ type: 1 });
  });

  const other = generateKeyPairSync('ed25519').privateKey;
  const unsigned: [string, (body: string) => Record<string, string>][] = [
    [
      'a forged signature',
      (body) => ({ ...interactionHeaders(body, new Date()), 'x-signature-ed25519': 'ab'.repeat(64) }),
    ],
    ['a signature by another key', (body) => interactionHeaders(body, new Date(), other)],
    ['a stale timestamp', (body) => interactionHeaders(body, new Date(Date.now() - 6 * 60 * 1000))],
    ['a timestamp from the future', (body) => interactionHeaders(body, new Date(Date.now() + 6 * 60 * 1000))],
    ['no signature header', (body) => without(interactionHeaders(body, new Date()), 'x-signature-ed25519')],
    ['no timestamp header', (body) => without(interactionHeaders(body, new Date()), 'x-signature-timestamp')],
    ['a body changed after signing', (body) => interactionHeaders(body.replace('help', 'stats'), new Date())],
  ];

  it.each(unsigned)('refuses %s with 401 and records nothing', async (_, headersFor) => {
    const { body, id } = command('modsam', '/community help');

    const result = await deliver({ path: discordSandbox.path, body, headers: headersFor(body) });

    expect(result.statusCode).toBe(401);
    expect(await recordsOf(id)).toEqual([]);
  });

  const malformed: [string, string, string][] = [
    ['an empty body', '', 'Request body is empty'],
    ['a body that is not JSON', '{"type": 2,', 'not valid JSON'],
    ['a JSON array', '[1]', 'must be a JSON object'],
    ['an interaction without type', '{"id": "846462639134605399"}', 'no integer type'],
    ['an interaction without id', '{"type": 2}', 'no snowflake id'],
    [
      'an interaction of a type Discord does not document',
      '{"id": "846462639134605398", "type": 99}',
      'Unsupported interaction type 99',
    ],
  ];

  it.each(malformed)('answers %s with 400 and a message', async (_, body, message) => {
    const result = await deliver(body);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(String(result.body)).error).toContain(message);
  });

  it('answers 400 for a command without user, options or token, recording nothing', async () => {
    // Prepare
    const noUser = { ...fixture('community-subcommand.json'), id: '786008729715212401', member: undefined };
    const badOptions = {
      ...fixture('community-subcommand.json'),
      id: '786008729715212402',
      data: { name: 'community', type: 1, id: '771825006014889985', options: 'stats' },
    };
    const noToken = { ...fixture('community-subcommand.json'), id: '786008729715212403', token: undefined };

    // Act
    const results = await Promise.all(
      [noUser, badOptions, noToken].map((body) => deliver(JSON.stringify(body))),
    );

    // Assess
    expect(results.map((result) => JSON.parse(String(result.body)).error)).toEqual([
      expect.stringContaining('neither member.user.id nor user.id'),
      expect.stringContaining('options are not a list'),
      expect.stringContaining('no token'),
    ]);
    expect(results.map((result) => result.statusCode)).toEqual([400, 400, 400]);
    for (const id of ['786008729715212401', '786008729715212402', '786008729715212403']) {
      expect(await recordsOf(id)).toEqual([]);
    }
  });
});

describe("Discord's documented payloads", () => {
  it('answers a command this bot does not own privately and records nothing', async () => {
    const { type, data } = answerOf(await deliver(JSON.stringify(fixture('slash-command.json'))));

    expect(type).toBe(4);
    expect(data?.flags).toBe(64);
    expect(data?.content).toContain('Unknown command `/cardsearch`');
    expect(await recordsOf('786008729715212338')).toEqual([]);
  });

  it('defers /community stats for an administrator, claims its answer, and answers later by editing the deferral', async () => {
    const result = await deliver(JSON.stringify(fixture('community-subcommand.json')));

    expect(answerOf(result)).toEqual({ type: 5, data: { flags: 64 } });
    const [record, ...more] = await recordsOf('786008729715212339', DOCS_GUILD);
    expect(more).toEqual([]);
    // A command is the answer's claim, not engagement: outside the stats index, and it expires.
    expect(record?.[TABLE.indexes.byDay.partitionKey]).toBeUndefined();
    expect(record?.[TABLE.timeToLiveAttribute]?.N).toMatch(/^\d+$/);
    expect(record).toMatchObject({
      kind: { S: 'command_invoked' },
      // A claim is always under the member's first opaque id (generation 0), never their Discord id.
      memberId: { S: expectedMemberId('discord', '53908232506183680') },
      spaceId: { S: '290926798626357999' },
      channelId: { S: '645027906669510667' },
      // The snowflake's own time, not the delivery's.
      occurredAt: { S: '2020-12-08T23:18:04.500Z' },
    });
    expect(JSON.stringify(record)).not.toContain('53908232506183680');
    // The later invocation asks Discord again whether the member moderates: the fixture's guild is not the
    // sandbox's, so its answer is not the stats (the sandbox's own moderators get them, below).
    expect(await context.laterAnswer('A_UNIQUE_TOKEN')).not.toBe('');
    // The fixture's token, on this application's webhook (not the bot token: none is needed).
    const [later] = context.laterAnswers('A_UNIQUE_TOKEN');
    expect(later?.path).toBe(`/v10/webhooks/${SANDBOX_APPLICATION_ID}/A_UNIQUE_TOKEN/messages/@original`);
    expect(later?.headers.authorization).toBeUndefined();
  });

  it('records a press on a button the bot no longer has, and says so privately', async () => {
    const { type, data } = answerOf(await deliver(JSON.stringify(fixture('message-component.json'))));

    expect([type, data?.content, data?.flags]).toEqual([4, NO_LONGER_IN_USE, 64]);
    const [record, ...more] = await recordsOf('846462639134605312', DOCS_GUILD);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ kind: { S: 'button_pressed' }, channelId: { S: '345626669114982999' } });
  });
});

describe('/community help and stats', () => {
  it('tells a member what they can do, and a moderator that they can see stats', async () => {
    const member = answerOf(await deliver(command('bob', '/community help')));
    const moderator = answerOf(await deliver(command('modsam', '/community help')));

    expect(member.data?.flags).toBe(64);
    expect(member.data?.content).toContain('Moderators have more commands');
    expect(member.data?.content).toContain('`/community feedback [note]`');
    expect(member.data?.content).not.toContain('/community stats');
    expect(moderator.data?.flags).toBe(64);
    expect(moderator.data?.content).toContain('`/community stats`');
    expect(moderator.data?.content).toContain('You are a moderator here');
  });

  it('answers help without reading the bot token or calling Discord', async () => {
    const before = context.bot.api.requests.length;

    answerOf(await deliver(command('carol', '/community help')));

    expect(context.bot.api.requests.length).toBe(before);
  });

  it('refuses stats to a member without Manage Server, privately, naming the rule', async () => {
    const { data } = answerOf(await deliver(command('bob', '/community stats')));

    expect(data?.flags).toBe(64);
    expect(data?.content).toContain('is for moderators only');
    expect(data?.content).toContain('members with the Manage Server permission');
  });

  it('refuses stats in a DM, where nobody is a moderator', async () => {
    const { data } = answerOf(await deliver(command('modsam', '/community stats', 'dm')));

    expect(data?.content).toContain('is for moderators, in their community');
  });

  it.each([
    ['bob', 'help', 4],
    ['bob', 'stats', 4],
    ['modsam', 'help', 4],
    ['modsam', 'stats', 5],
  ])('answers %s running %s once when it is delivered three times in a row', async (user, sub, first) => {
    // Prepare
    const request = command(user, `/community ${sub}`);

    // Act
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(answerOf(await deliver(request)));

    // Assess
    expect(answers.map(({ type }) => type)).toEqual([first, 4, 4]);
    expect(answers.map(({ data }) => data?.content === ALREADY_ANSWERED)).toEqual([false, true, true]);
    expect(answers.every(({ data }) => data?.flags === 64)).toBe(true);
    expect(await recordsOf(request.id)).toHaveLength(1);
    await context.bot.lambda.idle();
    expect(context.laterAnswers(request.token)).toHaveLength(sub === 'stats' && user === 'modsam' ? 1 : 0);
  });

  it.each([
    ['bob', 'help'],
    ['modsam', 'help'],
    ['modsam', 'stats'],
  ])('answers %s running %s once when three deliveries arrive together', async (user, sub) => {
    const request = command(user, `/community ${sub}`);

    const answers = (await Promise.all([1, 2, 3].map(() => deliver(request)))).map(answerOf);

    expect(answers.filter(({ data }) => data?.content !== ALREADY_ANSWERED)).toHaveLength(1);
    expect(await recordsOf(request.id)).toHaveLength(1);
    await context.bot.lambda.idle();
    expect(context.laterAnswers(request.token)).toHaveLength(sub === 'stats' ? 1 : 0);
  });

  it('counts a member once in stats however often their message was delivered by the gateway', async () => {
    // Prepare: a baseline, then a new member's message delivered six times (a resume replaying it, and
    // three relays at once).
    const before = await stats();
    expect(before).toMatch(/^\*\*Community stats\*\* \(UTC days, through \d{4}-\d\d-\d\d\)\n```\n/);
    const message = await post('dana');
    for (let i = 0; i < 2; i++)
      expect(await context.gateway.dispatch(message)).toEqual({ outcome: 'duplicate' });
    await Promise.all([1, 2, 3].map(() => context.gateway.dispatch(message)));

    // Act
    const after = await stats();

    // Assess
    expect(discordToday(after).members).toBe(discordToday(before).members + 1);
    expect(discordToday(after).messages).toBe(discordToday(before).messages + 1);
  });

  it('does not count running a command as taking part: a moderator reading stats is not a member seen', async () => {
    // Prepare: engagement from someone, so the window has a row.
    await post('erin');
    const before = await stats('modsam');

    // Act: a command from a member who posted nothing, and stats read by another moderator.
    answerOf(await deliver(command('carol', '/community help')));
    const after = await stats('modmia');

    // Assess
    expect(discordToday(after).members).toBe(discordToday(before).members);
  });

  it("never shows a moderator of another server this server's numbers", async () => {
    // Prepare: engagement in the sandbox server (space a), and one message in its second server (space b,
    // another community).
    await Promise.all([post('alice'), post('bob')]);
    await post('frank', sandboxGuildId('b'));
    const here = await stats();
    const request = signedDelivery(
      commandInteraction(
        { kind: 'command', user: 'modsam', channel: 'general', text: 'stats', space: 'b' },
        new Date(),
      ),
    );

    // Act
    expect(answerOf(await deliver(request))).toEqual({ type: 5, data: { flags: 64 } });
    const answer = await context.laterAnswer(String(JSON.parse(request.body).token));

    // Assess: there, only that server's one member and message; here, at least the two posters.
    expect(discordToday(answer)).toMatchObject({ members: 1, messages: 1 });
    expect(discordToday(here).members).toBeGreaterThanOrEqual(2);
  });
});

describe('a DynamoDB failure mid-interaction', () => {
  it('answers 500 when the record never lands, and the next delivery answers and records it once', async () => {
    // Prepare: more failures than the SDK's three attempts.
    const request = command('erin', '/community help');
    context.bot.proxy.failNext('PutItem', 3, 'before', '"EVT#');

    // Act
    const failed = await deliver(request);
    const retried = await deliver(request);

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(answerOf(retried).data?.content).toContain('the community bot');
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('answers the next delivery when the record landed but the answer was never given', async () => {
    // Prepare: the record is written, but its acknowledgement is lost every time: recorded, not answered.
    const request = command('frank', '/community help');
    context.bot.proxy.failNext('PutItem', 3, 'after', '"EVT#');

    // Act
    const failed = await deliver(request);
    const answers = [answerOf(await deliver(request)), answerOf(await deliver(request))];

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(answers.map(({ data }) => data?.content?.includes('the community bot'))).toEqual([true, false]);
    expect(answers[1]?.data?.content).toBe(ALREADY_ANSWERED);
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('answers once when the SDK retried its own landed write (an answer in the response is claimed as given)', async () => {
    // Prepare: the record-and-claim put lands, its reply is lost once; the SDK's retry meets its own write.
    const request = command('carol', '/community help');
    context.bot.proxy.failNext('PutItem', 1, 'after', '"EVT#');

    // Act
    const first = answerOf(await deliver(request));
    const second = answerOf(await deliver(request));

    // Assess: one write claimed the answer as given (Discord answers in the HTTP response), so the
    // redelivery is told it was answered, and no completion write exists to fail.
    expect(first.data?.content).toContain('the community bot');
    expect(second.data?.content).toBe(ALREADY_ANSWERED);
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('answers 500 for a press that cannot be recorded, and answers the next delivery once', async () => {
    const body = JSON.stringify({ ...fixture('message-component.json'), id: '846462639134605401' });
    // The record's put (the guild's own registration may be written beside it, at the same time).
    context.bot.proxy.failNext('PutItem', 3, 'before', '"EVT#');

    const failed = await deliver(body);
    const retried = answerOf(await deliver(body));
    const again = answerOf(await deliver(body));

    expect(failed.statusCode).toBe(500);
    expect(retried.data?.content).toBe(NO_LONGER_IN_USE);
    // A repeated press is acknowledged without a word (type 6).
    expect(again).toEqual({ type: 6 });
    expect(await recordsOf('846462639134605401', DOCS_GUILD)).toHaveLength(1);
  });
});

function without(headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _, ...rest } = headers;
  return rest;
}
