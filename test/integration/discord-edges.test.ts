import { InteractionResponseType } from 'discord-api-types/v10';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_OPTION_DEPTH } from '../../bots/discord/parse.js';
import { discordPlatform } from '../../bots/discord/platform.js';
import { discordSandbox, interactionHeaders } from '../../bots/discord/sandbox.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { DEEP, fuzzParameters, mutate, mutationsArb } from '../support/fuzz.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { ownFixtures, peerPayloads } from '../support/peers.js';

type Payload = Record<string, unknown> & { data?: Record<string, unknown> };
interface Sample {
  readonly file: string;
  readonly payload: Payload;
}

const OWN = ownFixtures('discord', [
  'community-subcommand.json',
  'message-component.json',
  'ping.json',
  'slash-command.json',
]) as Sample[];
const PEERS = peerPayloads('discord') as Sample[];

function sample(file: string): Sample {
  const found = [...OWN, ...PEERS].find((candidate) => candidate.file === file);
  if (!found) throw new Error(`No Discord payload ${file}`);
  return { file, payload: structuredClone(found.payload) };
}

/** A peer's command renamed `/community`, so the command path (options, member, channel) meets it too. */
function asCommunity(file: string): Sample {
  const { payload } = sample(file);
  return {
    file: `${file} as /community`,
    payload: { ...payload, data: { ...payload.data, name: 'community' } },
  };
}

const AS_COMMUNITY = [
  asCommunity('discord/d4j-subcommand-group.json'),
  asCommunity('discord/d4j-slash-command-admin.json'),
];
const SAMPLES = [
  ...OWN,
  ...PEERS,
  ...AS_COMMUNITY,
  asCommunity('discord/docs-user-install-bot-dm-command.json'),
];

const { ChannelMessageWithSource, DeferredMessageUpdate, Pong, ApplicationCommandAutocompleteResult } =
  InteractionResponseType;
const THREAD = { spaceId: '1457468924290662599', channelId: '1457536551830421524' };
const TEST_USER = '1033044521375764530';
/** The opaque id of the peers' test user, as an interaction's record carries it (generation 0). */
const TEST_MEMBER = expectedMemberId('discord', TEST_USER);
const NO_CONTEXT_MENUS = 'This app has no context menu or activity commands';
/** The core's answers to a press or a form it has no handler for (a stale message, another app's modal). */
const NO_LONGER_IN_USE = 'This button is no longer in use.';
const FORM_NOT_HANDLED = 'This form is not handled by this bot.';

/** What a peer payload gets: an answer of this type (saying this, recording this), or a 400 and why. */
type PeerOutcome =
  | { readonly answer: number; readonly says?: string; readonly records?: Record<string, string> }
  | { readonly refused: string; readonly why: string };

/**
 * The outcome of each peer payload as it was captured. Only payloads Discord would never send are refused:
 * a test stub without the member who pressed, and ids a project sanitized into words.
 */
const EXPECTED_PEER_OUTCOMES: Readonly<Record<string, PeerOutcome>> = {
  'discord/dij-ping.json': { answer: Pong },
  'discord/dij-application-command-minimal.json': {
    answer: ChannelMessageWithSource,
    says: 'Unknown command `/test`',
  },
  'discord/dij-message-component-minimal.json': {
    refused: 'neither member.user.id nor user.id',
    why: 'a library test stub: Discord always says who pressed, and where',
  },
  'discord/dij-autocomplete.json': { answer: ApplicationCommandAutocompleteResult },
  'discord/d4j-slash-command-admin.json': {
    answer: ChannelMessageWithSource,
    says: 'Unknown command `/payload`',
  },
  'discord/d4j-subcommand-group.json': {
    answer: ChannelMessageWithSource,
    says: 'Unknown command `/payload`',
  },
  'discord/docs-user-command.json': { answer: ChannelMessageWithSource, says: NO_CONTEXT_MENUS },
  'discord/docs-message-command.json': { answer: ChannelMessageWithSource, says: NO_CONTEXT_MENUS },
  'discord/docs-select-menu.json': { answer: DeferredMessageUpdate },
  'discord/docs-modal-submit.json': {
    answer: ChannelMessageWithSource,
    says: FORM_NOT_HANDLED,
    records: {
      kind: 'form_submitted',
      key: 'discord:772904309264089089:847587388497854464',
      memberId: expectedMemberId('discord', '53908232506183680'),
    },
  },
  'discord/docs-user-install-bot-dm-command.json': {
    answer: ChannelMessageWithSource,
    says: 'Unknown command `/link`',
  },
  'discord/vc-button-in-thread.json': {
    answer: ChannelMessageWithSource,
    says: NO_LONGER_IN_USE,
    records: {
      kind: 'button_pressed',
      key: 'discord:1457468924290662599:1457536583141163186',
      memberId: TEST_MEMBER,
      ...THREAD,
    },
  },
  'discord/vc-button-in-thread-messages.json': {
    answer: ChannelMessageWithSource,
    says: NO_LONGER_IN_USE,
    records: {
      kind: 'button_pressed',
      key: 'discord:1457468924290662599:1457536840281231550',
      memberId: TEST_MEMBER,
      ...THREAD,
    },
  },
  'discord/vc-button-other-user-sanitized-id.json': {
    refused: 'no snowflake id',
    why: 'the interaction id was sanitized to INTERACTION_DIFFERENT; Discord sends snowflakes',
  },
  'discord/vc-button-dm-sanitized-id.json': {
    refused: 'no snowflake id',
    why: 'the interaction id was sanitized to INTERACTION789; Discord sends snowflakes',
  },
  'discord/vc-button-dm-ADAPTED.json': {
    answer: ChannelMessageWithSource,
    says: NO_LONGER_IN_USE,
    // A DM: no guild, the presser in the top-level `user`; the sanitized channel id is still id-like.
    records: { kind: 'button_pressed', spaceId: '@me', channelId: 'DM_CHANNEL_123', memberId: TEST_MEMBER },
  },
  'discord/vc-button-thread-partial-message.json': {
    answer: ChannelMessageWithSource,
    says: NO_LONGER_IN_USE,
    records: {
      kind: 'button_pressed',
      spaceId: '1457468924290662599',
      channelId: '1473118766652199044',
      memberId: TEST_MEMBER,
    },
  },
  'discord/d4j-subcommand-group.json as /community': {
    answer: ChannelMessageWithSource,
    says: 'Unknown subcommand `group`',
    records: {
      kind: 'command_invoked',
      key: 'discord:339318275320184833:817823320820547654',
      memberId: expectedMemberId('discord', '275616469906358273'),
    },
  },
  'discord/d4j-slash-command-admin.json as /community': {
    // Value options with no subcommand: read as options of `help`, which has none.
    answer: ChannelMessageWithSource,
    says: '`/community help` has no option `string`',
    records: {
      kind: 'command_invoked',
      spaceId: '339318275320184833',
      channelId: '342074301840752640',
      memberId: expectedMemberId('discord', '275616469906358273'),
    },
  },
};

/** Every response type Discord documents (discord-api-types' enum, both directions: keep the numbers). */
const RESPONSE_TYPES = Object.values(InteractionResponseType).filter((value) => typeof value === 'number');

/** A bot with its own table for one describe block, so no test depends on what another one recorded. */
function botForBlock(): { readonly bot: BotUnderTest; readonly capture: Capture } {
  const context = { capture: captureDeps() } as { bot: BotUnderTest; capture: Capture };
  beforeAll(async () => {
    context.bot = await startBotUnderTest(discordPlatform, { deps: context.capture.deps });
  });
  afterAll(() => context.bot.close());
  beforeEach(() => context.capture.clear());
  return context;
}

/** Delivers a body as Discord would: signed with the (sandbox) application key, timestamped now. */
function deliver(bot: BotUnderTest, body: string): Promise<HttpResult> {
  return bot.handler(httpEvent(discordSandbox.path, body, interactionHeaders(body, new Date())));
}

interface Answer {
  readonly type: number;
  readonly data?: { readonly content?: string; readonly flags?: number; readonly choices?: unknown[] };
}

/** A 200's body is an interaction response Discord accepts: a documented type, and the data that type needs. */
function validAnswer(result: HttpResult): Answer {
  expect(result.statusCode).toBe(200);
  const answer = JSON.parse(String(result.body)) as Answer;
  expect(RESPONSE_TYPES).toContain(answer.type);
  if (answer.type === InteractionResponseType.ChannelMessageWithSource) {
    expect(answer.data?.content?.length).toBeGreaterThan(0);
    expect(answer.data?.content?.length).toBeLessThanOrEqual(2000);
  }
  if (answer.type === InteractionResponseType.ApplicationCommandAutocompleteResult) {
    expect(Array.isArray(answer.data?.choices)).toBe(true);
  }
  return answer;
}

/** The message of a 400. */
function refusal(result: HttpResult): string {
  expect(result.statusCode).toBe(400);
  return (JSON.parse(String(result.body)) as { error: string }).error;
}

const recordedNow = (capture: Capture) => capture.recorded.filter(({ outcome }) => outcome === 'recorded');

describe('Discord interactions: signed, malformed variants of every fixture and peer payload', () => {
  const context = botForBlock();

  it('answers 200 with a valid response or 400, never 500, and records nothing it cannot read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAMPLES), mutationsArb(), async ({ payload }, mutations) => {
        // Prepare
        const { bot, capture } = context;
        capture.clear();
        const body = mutate(payload, mutations).json();

        // Act
        const result = await deliver(bot, body);

        // Assess
        expect([200, 400]).toContain(result.statusCode);
        if (result.statusCode === 200) validAnswer(result);
        else expect(refusal(result).length).toBeGreaterThan(0);
        const unreadable = capture.lines.some((line) => line.fields.code === 'payload_unreadable');
        if (result.statusCode === 400 || unreadable) expect(recordedNow(capture)).toEqual([]);
        expect(capture.lines.filter((line) => line.level === 'error')).toEqual([]);
      }),
      fuzzParameters(400),
    );
  });
});

/** `data.options` nested `depth` lists deep: subcommand groups all the way down, a value at the bottom. */
function nestedOptions(depth: number): string {
  const group = '{"name":"group","type":2,"options":[';
  return `[${group.repeat(depth - 1)}{"name":"text","type":3,"value":"v"}${']}'.repeat(depth - 1)}]`;
}

/** The documented `/community` command with other `data.options` (JSON text: too deep for JSON.stringify). */
function withOptions(id: string, optionsJson: string): string {
  const { payload } = sample('discord/community-subcommand.json');
  const hole = '\u0000options\u0000';
  const shell = JSON.stringify({ ...payload, id, data: { ...payload.data, options: hole } });
  return shell.replace(JSON.stringify(hole), () => optionsJson);
}

describe('regressions: poison payloads and interactions the bot does not use', () => {
  const context = botForBlock();

  it(`refuses options nested ${DEEP} deep with 400 naming the limit, without a crash, recording nothing`, async () => {
    const result = await deliver(context.bot, withOptions('786008729715212501', nestedOptions(DEEP)));

    expect(refusal(result)).toContain(`nest deeper than ${MAX_OPTION_DEPTH} levels`);
    expect(context.capture.recorded).toEqual([]);
    expect(context.capture.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('refuses options one level deeper than Discord nests them, and runs the deepest Discord sends', async () => {
    const tooDeep = await deliver(context.bot, withOptions('786008729715212502', nestedOptions(4)));
    const deepest = await deliver(context.bot, withOptions('786008729715212503', nestedOptions(3)));

    expect(refusal(tooDeep)).toContain('nest deeper');
    expect(validAnswer(deepest).data?.content).toContain('Unknown subcommand `group`');
    expect(recordedNow(context.capture).map(({ record }) => record.key)).toEqual([
      'discord:290926798626357999:786008729715212503',
    ]);
  });

  it('answers an autocomplete interaction with type 8 and an empty choices list', async () => {
    const result = await deliver(
      context.bot,
      JSON.stringify(sample('discord/dij-autocomplete.json').payload),
    );

    expect(validAnswer(result)).toEqual({ type: 8, data: { choices: [] } });
    expect(context.capture.recorded).toEqual([]);
  });

  it('answers a modal submit of a form it never opened privately, saying the form is not handled', async () => {
    const result = await deliver(
      context.bot,
      JSON.stringify(sample('discord/docs-modal-submit.json').payload),
    );

    expect(validAnswer(result)).toMatchObject({ type: 4, data: { content: FORM_NOT_HANDLED, flags: 64 } });
    expect(recordedNow(context.capture).map(({ record }) => record.kind)).toEqual(['form_submitted']);
  });

  it('acknowledges a select menu with type 6 (no new message) and records nothing', async () => {
    const result = await deliver(
      context.bot,
      JSON.stringify(sample('discord/docs-select-menu.json').payload),
    );

    expect(validAnswer(result)).toEqual({ type: 6 });
    expect(context.capture.recorded).toEqual([]);
    expect(context.capture.lines).toContainEqual(
      expect.objectContaining({ level: 'debug', message: 'payload ignored' }),
    );
  });

  it.each([
    ['a member id of 100,000 characters', ['member', 'user', 'id'], 'x'.repeat(100_000), 'user id'],
    ['a channel id with control characters', ['channel_id'], '645027906669510667\u0000\u202e', 'channel_id'],
    ['a guild id that is a number', ['guild_id'], 290926798, 'guild_id'],
    [
      'an option value that is an object',
      ['data', 'options', 0],
      { name: 'x', type: 3, value: {} },
      'Option x',
    ],
  ])('refuses %s with 400 before anything is stored', async (_, path, value, message) => {
    // Prepare
    const { payload } = sample('discord/community-subcommand.json');
    const parent = path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>(
        (node, key) => node[key] as Record<string | number, unknown>,
        payload,
      );
    parent[path[path.length - 1] as string] = value;

    // Act
    const result = await deliver(context.bot, JSON.stringify({ ...payload, id: '786008729715212504' }));

    // Assess
    expect(refusal(result)).toContain(message);
    expect(context.capture.recorded).toEqual([]);
  });
});

describe('every Discord peer payload, unmutated, re-signed with the sandbox key', () => {
  const context = botForBlock();
  const replayed = [...PEERS, ...AS_COMMUNITY];

  it('has an expected outcome for each peer payload, and no expectation without its payload', () => {
    expect(Object.keys(EXPECTED_PEER_OUTCOMES).sort()).toEqual(replayed.map(({ file }) => file).sort());
  });

  it.each(replayed.map((peer) => [peer.file, peer] as const))('%s', async (file, { payload }) => {
    // Prepare
    const expected = EXPECTED_PEER_OUTCOMES[file] as PeerOutcome;

    // Act
    const result = await deliver(context.bot, JSON.stringify(payload));

    // Assess
    if ('refused' in expected) {
      expect(refusal(result), expected.why).toContain(expected.refused);
      expect(context.capture.recorded).toEqual([]);
      return;
    }
    const answer = validAnswer(result);
    expect(answer.type).toBe(expected.answer);
    if (expected.says !== undefined) expect(answer.data?.content).toContain(expected.says);
    if (expected.answer === InteractionResponseType.ChannelMessageWithSource)
      expect(answer.data?.flags).toBe(64);
    expect(recordedNow(context.capture).map(({ record }) => record)).toEqual(
      expected.records ? [expect.objectContaining({ platform: 'discord', ...expected.records })] : [],
    );
  });
});
