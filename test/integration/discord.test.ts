import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { loadDiscordRegisterConfig } from '../../bots/discord/config.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { main, registerCommands } from '../../bots/discord/register.js';
import {
  discordSandbox,
  interactionHeaders,
  SANDBOX_APPLICATION_ID,
  SANDBOX_BOT_TOKEN,
} from '../../bots/discord/sandbox.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import type { FaultyProxy } from '../support/faulty-proxy.js';
import { httpEvent } from '../support/lambda.js';
import type { TestTable } from '../support/table.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/discord');
const PATH = discordSandbox.path;
const ALREADY_HANDLED = 'This command was already handled.';

let table: TestTable;
let proxy: FaultyProxy;
let handler: HttpHandler;

let bot: BotUnderTest | undefined;

beforeAll(async () => {
  bot = await startBotUnderTest(discordPlatform);
  ({ table, proxy, handler } = bot);
});

afterAll(async () => {
  await bot?.close();
});

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** Delivers a body signed with the sandbox key (or with the given headers) to the real handler. */
function deliver(body: string, headers = interactionHeaders(body, new Date())): Promise<HttpResult> {
  return handler(httpEvent(PATH, body, headers));
}

function deliverSigned(request: { body: string; headers: Readonly<Record<string, string>> }) {
  return handler(httpEvent(PATH, request.body, { ...request.headers }));
}

interface InteractionAnswer {
  type: number;
  data?: { content?: string; flags?: number };
}

function answer(result: HttpResult): InteractionAnswer {
  expect(result.statusCode).toBe(200);
  return JSON.parse(String(result.body)) as InteractionAnswer;
}

async function recordsOf(interactionId: string) {
  const items = await table.engagementItems();
  return items.filter((item) => item.key?.S === `discord:${interactionId}`);
}

let clock = Date.now();
/** A command signed at a distinct instant, so each call is a new interaction (its own snowflake). */
function command(user: string, text: string, channel = 'general') {
  clock += 1;
  const action: SandboxAction = { kind: 'command', user, channel, text };
  const request = discordSandbox.sign(action, new Date(clock));
  const id = (JSON.parse(request.body) as { id: string }).id;
  return { ...request, id };
}

/** The members count of Discord's row in the `today` window of a stats reply. */
function discordMembersToday(content: string): number {
  const lines = content.split('\n');
  const today = lines.findIndex((line) => line.trim() === 'today');
  const row = lines.slice(today).find((line) => /^\s+discord\s/.test(line));
  return Number(row?.trim().split(/\s+/)[1]);
}

describe('verifying deliveries', () => {
  it('answers a signed PING with PONG', async () => {
    const result = await deliver(JSON.stringify(fixture('ping.json')));
    expect(answer(result)).toEqual({ type: 1 });
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

    const result = await deliver(body, headersFor(body));

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

  it('answers 400 for a command that names no user or options that are not a list, recording nothing', async () => {
    // Prepare
    const noUser = fixture('community-subcommand.json');
    noUser.id = '786008729715212401';
    delete noUser.member;
    const badOptions = fixture('community-subcommand.json');
    badOptions.id = '786008729715212402';
    badOptions.data = { name: 'community', type: 1, id: '771825006014889985', options: 'stats' };

    // Act
    const results = [await deliver(JSON.stringify(noUser)), await deliver(JSON.stringify(badOptions))];

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([400, 400]);
    expect(JSON.parse(String(results[0]?.body)).error).toContain('neither member.user.id nor user.id');
    expect(JSON.parse(String(results[1]?.body)).error).toContain('options are not a list');
    expect([...(await recordsOf('786008729715212401')), ...(await recordsOf('786008729715212402'))]).toEqual(
      [],
    );
  });
});

describe("Discord's documented payloads", () => {
  it('answers a command this bot does not own privately and records nothing', async () => {
    const result = await deliver(JSON.stringify(fixture('slash-command.json')));

    const { type, data } = answer(result);
    expect(type).toBe(4);
    expect(data?.flags).toBe(64);
    expect(data?.content).toContain('Unknown command `/cardsearch`');
    expect(await recordsOf('786008729715212338')).toEqual([]);
  });

  it('runs /community stats for an administrator and records the invocation', async () => {
    const result = await deliver(JSON.stringify(fixture('community-subcommand.json')));

    const { type, data } = answer(result);
    expect(type).toBe(4);
    expect(data?.flags).toBe(64);
    expect(data?.content).toMatch(/^\*\*Community stats\*\* \(UTC days, through \d{4}-\d\d-\d\d\)\n```\n/);
    const [record, ...more] = await recordsOf('786008729715212339');
    expect(more).toEqual([]);
    expect(record?.kind?.S).toBe('command_invoked');
    expect(record?.memberId?.S).toBe('53908232506183680');
    expect(record?.spaceId?.S).toBe('290926798626357999');
    expect(record?.channelId?.S).toBe('645027906669510667');
    // The snowflake's own time, not the delivery's.
    expect(record?.occurredAt?.S).toBe('2020-12-08T23:18:04.500Z');
  });

  it('records a button press and acknowledges it without a new message', async () => {
    const result = await deliver(JSON.stringify(fixture('message-component.json')));

    expect(answer(result)).toEqual({ type: 6 });
    const [record, ...more] = await recordsOf('846462639134605312');
    expect(more).toEqual([]);
    expect(record?.kind?.S).toBe('button_pressed');
    expect(record?.memberId?.S).toBe('53908232506183680');
    expect(record?.channelId?.S).toBe('345626669114982999');
  });
});

describe('/community help and stats', () => {
  it('tells a member what they can do, and a moderator that they can see stats', async () => {
    const member = answer(await deliverSigned(command('bob', '/community help')));
    const moderator = answer(await deliverSigned(command('modsam', '/community help')));

    expect(member.data?.flags).toBe(64);
    expect(member.data?.content).toContain('Moderators have more commands');
    expect(member.data?.content).not.toContain('/community stats');
    expect(moderator.data?.flags).toBe(64);
    expect(moderator.data?.content).toContain('`/community stats`');
    expect(moderator.data?.content).toContain('You are a moderator here');
  });

  it('refuses stats to a member without Manage Server, privately, naming the rule', async () => {
    const { data } = answer(await deliverSigned(command('bob', '/community stats')));

    expect(data?.flags).toBe(64);
    expect(data?.content).toContain('is for moderators only');
    expect(data?.content).toContain('members with the Manage Server permission');
    expect(data?.content).not.toContain('```');
  });

  it('refuses stats in a DM, where nobody is a moderator', async () => {
    const { data } = answer(await deliverSigned(command('modsam', '/community stats', 'dm')));

    expect(data?.content).toContain('is for moderators only');
  });

  it.each([
    ['bob', 'help'],
    ['bob', 'stats'],
    ['modsam', 'help'],
    ['modsam', 'stats'],
  ])('records %s running %s once when it is delivered three times in a row', async (user, subcommand) => {
    // Prepare
    const request = command(user, `/community ${subcommand}`);

    // Act
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(answer(await deliverSigned(request)));

    // Assess
    expect(answers.map(({ data }) => data?.content === ALREADY_HANDLED)).toEqual([false, true, true]);
    expect(answers.every(({ type, data }) => type === 4 && data?.flags === 64)).toBe(true);
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it.each([
    ['bob', 'help'],
    ['bob', 'stats'],
    ['modsam', 'help'],
    ['modsam', 'stats'],
  ])('records %s running %s once when three deliveries arrive together', async (user, subcommand) => {
    const request = command(user, `/community ${subcommand}`);

    const answers = (await Promise.all([1, 2, 3].map(() => deliverSigned(request)))).map(answer);

    expect(answers.filter(({ data }) => data?.content !== ALREADY_HANDLED)).toHaveLength(1);
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('counts a member once in stats however often their command was delivered', async () => {
    // Prepare: a baseline, then a new member's command delivered six times (three in a row, three together).
    const before = answer(await deliverSigned(command('modsam', '/community stats')));
    const repeated = command('dana', '/community help');
    for (let i = 0; i < 3; i++) await deliverSigned(repeated);
    await Promise.all([1, 2, 3].map(() => deliverSigned(repeated)));

    // Act
    const after = answer(await deliverSigned(command('modsam', '/community stats')));

    // Assess
    const baseline = discordMembersToday(before.data?.content ?? '');
    expect(baseline).toBeGreaterThan(0);
    expect(discordMembersToday(after.data?.content ?? '')).toBe(baseline + 1);
  });
});

describe('a DynamoDB failure mid-event', () => {
  it('answers 500 when the write never lands, and the next delivery records it once', async () => {
    // Prepare: more failures than the SDK's three attempts.
    const request = command('erin', '/community help');
    proxy.failNext('PutItem', 3, 'before');

    // Act
    const failed = await deliverSigned(request);
    const retried = await deliverSigned(request);

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(answer(retried).data?.content).toContain('Community bot');
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('answers 500 when every answer is lost after the write, and the next delivery records nothing more', async () => {
    const request = command('frank', '/community help');
    proxy.failNext('PutItem', 3, 'after');

    const failed = await deliverSigned(request);
    const retried = await deliverSigned(request);

    expect(failed.statusCode).toBe(500);
    expect(answer(retried).data?.content).toBe(ALREADY_HANDLED);
    expect(await recordsOf(request.id)).toHaveLength(1);
  });

  it('answers 500 for a button press that cannot be recorded, and records the next delivery once', async () => {
    const press = fixture('message-component.json');
    press.id = '846462639134605401';
    const body = JSON.stringify(press);
    proxy.failNext('PutItem', 3, 'before');

    const failed = await deliver(body);
    const retried = await deliver(body);

    expect(failed.statusCode).toBe(500);
    expect(answer(retried)).toEqual({ type: 6 });
    expect(await recordsOf('846462639134605401')).toHaveLength(1);
  });
});

describe('registering the commands', () => {
  // A fake API per test: each test reads only the requests its own registration sent, whatever ran before.
  let api: FakeServer;
  beforeEach(async () => {
    api = await discordSandbox.startFakeApi();
  });
  afterEach(() => api.close());

  const config = () => loadDiscordRegisterConfig(discordSandbox.env(api.url));

  it('puts the builder definitions to the global commands route with the bot token', async () => {
    // Act
    const result = await registerCommands(config());

    // Assess
    const [request, ...more] = api.requests.filter((received) => received.path.endsWith('/commands'));
    expect(more).toEqual([]);
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe(`/v10/applications/${SANDBOX_APPLICATION_ID}/commands`);
    expect(request?.headers.authorization).toBe(`Bot ${SANDBOX_BOT_TOKEN}`);
    expect(request?.payload).toEqual(commandDefinitions());
    const [community] = (request?.payload ?? []) as {
      name: string;
      options: { name: string; type: number }[];
    }[];
    expect(community?.name).toBe('community');
    expect(community?.options.map(({ name, type }) => [name, type])).toEqual([
      ['help', 1],
      ['stats', 1],
    ]);
    expect(result).toMatchObject({
      scope: 'global',
      commands: [{ name: 'community', subcommands: ['help', 'stats'] }],
    });
  });

  it('registers in one guild from the command line with --guild', async () => {
    await main(['--guild', '1300000000000000099'], discordSandbox.env(api.url));

    const [request, ...more] = api.requests.filter((received) => received.path.endsWith('/commands'));
    expect(more).toEqual([]);
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe(
      `/v10/applications/${SANDBOX_APPLICATION_ID}/guilds/1300000000000000099/commands`,
    );
    expect(request?.headers.authorization).toBe(`Bot ${SANDBOX_BOT_TOKEN}`);
    expect(request?.payload).toEqual(commandDefinitions());
  });
});

function without(headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _, ...rest } = headers;
  return rest;
}
