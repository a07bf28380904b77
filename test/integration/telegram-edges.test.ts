import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { SANDBOX_SECRET_TOKEN, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { DEEP, fuzzParameters, mutate, mutationsArb } from '../support/fuzz.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';
import { ownFixtures, peerPayloads } from '../support/peers.js';
import { spaceIds } from './telegram-harness.js';

const OWN = ownFixtures('telegram');
const PEERS = peerPayloads('telegram');
const PAYLOADS = [...OWN, ...PEERS];

let bot: BotUnderTest;
let capture: Capture;

beforeAll(async () => {
  capture = captureDeps();
  bot = await startBotUnderTest(telegramPlatform, { deps: capture.deps });
});

afterAll(() => bot.close());

function deliver(body: string, handler: HttpHandler = bot.handler): Promise<HttpResult> {
  return handler(
    httpEvent(telegramSandbox.path, body, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': SANDBOX_SECRET_TOKEN,
    }),
  );
}

/** What parseUpdate accepts: a JSON object with an integer `update_id`. Anything else must be a 400. */
function isUpdate(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Number.isSafeInteger((value as { update_id?: unknown }).update_id);
}

/** The `reason` of the first log line with this message, if any. */
function reasonLogged(lines: Capture['lines'], message: string): unknown {
  return lines.find((line) => line.message === message)?.fields.reason;
}

/** Why events were handed to the core but not recorded: `private` (a private chat), `not_served`. */
function notRecordedOutcomes(lines: Capture['lines']): unknown[] {
  return lines
    .filter((line) => line.message === 'event handled')
    .map((line) => line.fields.outcome)
    .filter((outcome) => outcome !== 'recorded' && outcome !== 'duplicate');
}

/** Engagement keys (`EVT#telegram:<chat>:<update>...`) of one update, in any chat. */
function keysOfUpdate(keys: readonly (string | undefined)[], updateId: number): (string | undefined)[] {
  const pattern = new RegExp(`^EVT#telegram:-?\\d+:${updateId}(:\\d+)?$`);
  return keys.filter((key) => pattern.test(key ?? ''));
}

describe('Telegram webhook: signed, malformed variants of every fixture and peer payload', () => {
  it('answers 400 to a body that is no Update, else 200, and records nothing from an update it cannot read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PAYLOADS), mutationsArb(), async ({ payload }, mutations) => {
        // Prepare
        capture.clear();
        const mutated = mutate(payload, mutations);

        // Act: the delivery, and the later jobs it handed over (a new group's registration notice).
        const result = await deliver(mutated.json());
        await bot.lambda.idle();

        // Assess
        expect(result.statusCode).toBe(isUpdate(mutated.value) ? 200 : 400);
        const unreadable = reasonLogged(capture.lines, 'payload unreadable') !== undefined;
        if (result.statusCode === 400 || unreadable) {
          expect(capture.recorded.filter(({ outcome }) => outcome === 'recorded')).toEqual([]);
        }
        // Nothing is dropped silently: an accepted update is recorded (or found already recorded), handed to
        // the core as private text (`/start <token>`, never recorded as text) or as a space change, or the
        // reason it is not recorded is logged (ignored, a private chat, a space not served).
        const ignored = reasonLogged(capture.lines, 'payload ignored') !== undefined;
        const handedOn = capture.lines.some(
          (line) => line.message === 'private text handled' || line.message === 'space change handled',
        );
        const notRecorded = notRecordedOutcomes(capture.lines).length > 0;
        if (result.statusCode === 200) {
          expect(capture.recorded.length > 0 || ignored || unreadable || handedOn || notRecorded).toBe(true);
        }
        expect(capture.lines.filter((line) => line.level === 'error')).toEqual([]);
      }),
      fuzzParameters(400),
    );
  });
});

/** Removes the field instead of setting it. */
const REMOVED = Symbol('removed');

/** JSON text spliced in as it is: nesting too deep for JSON.stringify, as the fuzz also builds it. */
class RawJson {
  constructor(readonly text: string) {}
}

/** An own fixture with one field (a dotted path, list indexes as numbers) replaced or removed. */
function variant(fixture: string, updateId: number, path: string, value: unknown): string {
  const own = OWN.find(({ file }) => file === `telegram/${fixture}.json`);
  const update = structuredClone(own?.payload) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce((node, key) => node[key] as Record<string, unknown>, update);
  const hole = '\u0000raw\u0000';
  if (value === REMOVED) delete parent[last];
  else parent[last] = value instanceof RawJson ? hole : value;
  const text = JSON.stringify({ ...update, update_id: updateId });
  return value instanceof RawJson ? text.replace(JSON.stringify(hole), () => value.text) : text;
}

interface UnreadableCase {
  readonly case: string;
  /** What the webhook did with it before update-schema.ts. */
  readonly was: string;
  readonly fixture: string;
  readonly path: string;
  readonly value: unknown;
  /** The `payload_unreadable` reason: the field, what it should be, what it is (never its text). */
  readonly reason: string;
}

const ALICE = { id: 111111111, is_bot: false, first_name: 'Alice' };
const DEEP_LIST = new RawJson(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`);

const UNREADABLE: readonly UnreadableCase[] = [
  {
    case: 'a message without chat',
    was: "500, TypeError reading chat's id",
    fixture: 'message',
    path: 'message.chat',
    value: REMOVED,
    reason: 'message.chat is missing',
  },
  {
    case: 'a message whose chat is null',
    was: "500, TypeError reading chat's id",
    fixture: 'message',
    path: 'message.chat',
    value: null,
    reason: 'message.chat: expected an object, got null',
  },
  {
    case: 'a message whose chat id is a list nested 10,000 deep',
    was: '500, Maximum call stack size exceeded turning it into a string',
    fixture: 'message',
    path: 'message.chat.id',
    value: DEEP_LIST,
    reason: 'message.chat.id: expected a number, got a list',
  },
  {
    case: 'a message whose date is a string',
    was: 'recorded, the string taken for a time',
    fixture: 'message',
    path: 'message.date',
    value: '1735725600',
    reason: 'message.date: expected a number, got a string of 10 characters',
  },
  {
    case: 'a message whose date is past what a Date can hold',
    was: '500, RangeError: Invalid time value',
    fixture: 'message',
    path: 'message.date',
    value: 9_000_000_000_000,
    reason: 'message.date: expected a Unix time in seconds, got 9000000000000',
  },
  {
    case: 'a message whose from is a list',
    was: 'recorded for member "undefined"',
    fixture: 'message',
    path: 'message.from',
    value: [ALICE, ALICE],
    reason: 'message.from: expected an object, got a list',
  },
  {
    case: 'a message whose from.id is a string',
    was: 'recorded',
    fixture: 'message',
    path: 'message.from.id',
    value: '111111111',
    reason: 'message.from.id: expected a number, got a string of 9 characters',
  },
  {
    case: 'a message whose message_id is a fraction',
    was: 'recorded as message 10.5',
    fixture: 'message',
    path: 'message.message_id',
    value: 10.5,
    reason: 'message.message_id: expected an integer id, got 10.5',
  },
  {
    case: 'a message that is a string',
    was: 'ignored as a message without a sender',
    fixture: 'message',
    path: 'message',
    value: 'Hello',
    reason: 'message: expected an object, got a string of 5 characters',
  },
  {
    case: 'a message that is null',
    was: 'ignored as an update type not handled',
    fixture: 'message',
    path: 'message',
    value: null,
    reason: 'message: expected an object, got null',
  },
  {
    case: 'a message whose text is a list',
    was: 'recorded with the length of the list',
    fixture: 'message',
    path: 'message.text',
    value: ['Hello'],
    reason: 'message.text: expected a string, got a list',
  },
  {
    case: 'a reply whose reply_to_message is null',
    was: 'recorded as a post',
    fixture: 'reply',
    path: 'message.reply_to_message',
    value: null,
    reason: 'message.reply_to_message: expected an object, got null',
  },
  {
    case: 'a /community command whose text is a number',
    was: '500, TypeError: text.trim is not a function',
    fixture: 'command',
    path: 'message.text',
    value: -1,
    reason: 'message.text: expected a string, got -1',
  },
  {
    case: 'a /community command whose entities are an object',
    was: 'recorded as a post',
    fixture: 'command',
    path: 'message.entities',
    value: {},
    reason: 'message.entities: expected a list, got an object',
  },
  {
    case: 'a /community command whose from.id is a list',
    was: 'answered: getChatMember and sendMessage given user [222222222]',
    fixture: 'command',
    path: 'message.from.id',
    value: [222222222],
    reason: 'message.from.id: expected a number, got a list',
  },
  {
    case: 'a reaction without old_reaction',
    was: '500, TypeError reading map of undefined',
    fixture: 'message-reaction',
    path: 'message_reaction.old_reaction',
    value: REMOVED,
    reason: 'message_reaction.old_reaction is missing',
  },
  {
    case: 'a reaction whose new_reaction holds null',
    was: '500, TypeError reading type of null',
    fixture: 'message-reaction',
    path: 'message_reaction.new_reaction.0',
    value: null,
    reason: 'message_reaction.new_reaction.0: expected an object, got null',
  },
  {
    case: 'a reaction whose type is a list',
    was: '500, DynamoDB PutItem failed on a list where the reaction name goes',
    fixture: 'message-reaction',
    path: 'message_reaction.new_reaction.0.type',
    value: ['emoji', 'emoji'],
    reason: 'message_reaction.new_reaction.0.type: expected a string, got a list',
  },
  {
    case: 'an emoji reaction without its emoji',
    was: 'recorded without a reaction name',
    fixture: 'message-reaction',
    path: 'message_reaction.new_reaction.0.emoji',
    value: REMOVED,
    reason:
      'message_reaction.new_reaction.0: expected an emoji reaction with its emoji, or a custom emoji reaction with its id, got an object',
  },
  {
    case: 'a reaction emoji of 100,000 characters',
    was: 'recorded, 100,000 characters stored',
    fixture: 'message-reaction',
    path: 'message_reaction.new_reaction.0.emoji',
    value: 'x'.repeat(100_000),
    reason:
      'message_reaction.new_reaction.0.emoji: expected a reaction name of at most 64 characters, got a string of 100000 characters',
  },
  {
    case: 'a chat_member update whose new member has no user',
    was: '500, TypeError reading is_bot of undefined',
    fixture: 'chat-member-joined',
    path: 'chat_member.new_chat_member.user',
    value: REMOVED,
    reason: 'chat_member.new_chat_member.user is missing',
  },
  {
    case: 'a chat_member update whose old status is null',
    was: 'recorded as a join',
    fixture: 'chat-member-joined',
    path: 'chat_member.old_chat_member.status',
    value: null,
    reason: 'chat_member.old_chat_member.status: expected a string, got null',
  },
  {
    case: 'a callback_query whose from is null',
    was: "500, TypeError reading from's id",
    fixture: 'callback-query',
    path: 'callback_query.from',
    value: null,
    reason: 'callback_query.from: expected an object, got null',
  },
  {
    case: 'a callback_query without id',
    was: 'recorded, and answerCallbackQuery called without an id',
    fixture: 'callback-query',
    path: 'callback_query.id',
    value: REMOVED,
    reason: 'callback_query.id is missing',
  },
  {
    case: 'a callback_query whose message chat is a number',
    was: 'recorded in chat "undefined"',
    fixture: 'callback-query',
    path: 'callback_query.message.chat',
    value: -100,
    reason: 'callback_query.message.chat: expected an object, got -100',
  },
];

describe('Telegram webhook: a signed update whose content cannot be read is a logged 200', () => {
  it.each(UNREADABLE.map((row, index) => ({ ...row, updateId: 640000301 + index })))(
    '$case (was: $was)',
    async ({ fixture, path, value, reason, updateId }) => {
      // Prepare: earlier tests' later jobs done, so what is logged and sent below is this delivery's.
      await bot.lambda.idle();
      capture.clear();
      const mark = bot.api.requests.length;

      // Act
      const result = await deliver(variant(fixture, updateId, path, value));

      // Assess: Telegram gets a 2xx (no redelivery), ops get a warning naming the field, nothing is kept.
      expect(result.statusCode).toBe(200);
      expect(capture.lines).toEqual([
        {
          level: 'warn',
          message: 'payload unreadable',
          fields: { code: 'payload_unreadable', reason, updateId },
        },
      ]);
      expect(capture.recorded).toEqual([]);
      const keys = (await bot.table.engagementItems()).map((item) => item.pk?.S);
      expect(keysOfUpdate(keys, updateId)).toEqual([]);
      expect(bot.api.requests.slice(mark)).toEqual([]);
    },
  );
});

/**
 * What one delivery came to: recorded engagement (by kind), events the core deliberately did not record
 * (`private`), a change of the space, or the reason it was ignored or unreadable.
 */
interface Outcome {
  readonly status: number | undefined;
  readonly engagement?: readonly string[];
  readonly notRecorded?: readonly unknown[];
  readonly spaceChange?: unknown;
  readonly ignored?: unknown;
  readonly unreadable?: unknown;
  /** What an edit or an anonymous reaction count did to the records (`Community.onChange`). */
  readonly changed?: string;
}

const engagement = (...kinds: string[]): Outcome => ({ status: 200, engagement: kinds });
const ignored = (reason: string): Outcome => ({ status: 200, ignored: reason });
const NOT_HANDLED = ignored('update type not handled');
/** A private chat with the bot is never a space: its messages reach the core, which records nothing. */
const PRIVATE: Outcome = { status: 200, notRecorded: ['private'] };
const spaceChange = (kind: string): Outcome => ({ status: 200, spaceChange: kind });

/** Every peer payload, delivered as it is, and what it must come to. */
const PEER_OUTCOMES: Readonly<Record<string, Outcome>> = {
  'tx-story-in-supergroup': engagement('message_posted'),
  'tx-command-reply-to-story': ignored('command for another bot or another command'),
  'tx-private-text': PRIVATE,
  'tx-pinned-message-service': ignored('service message'),
  'tx-dice-supergroup': engagement('message_posted'),
  'tx-unknown-update-kind': NOT_HANDLED,
  // The member blocked the bot in their private chat: never a space, so nothing to change.
  'tx-my-chat-member-blocked': ignored('bot blocked or unblocked in a private chat (never a space)'),
  'tx-reaction-added-user': engagement('reaction_added'),
  'tx-reaction-removed-anonymous': ignored('anonymous reaction (actor_chat)'),
  // Anonymous reactions in a channel (this replay's bot serves every new space): counted for the chat.
  'tx-reaction-count-channel': { status: 200, changed: 'applied' },
  'tx-chat-boost': NOT_HANDLED,
  'tx-removed-chat-boost': NOT_HANDLED,
  'tx-purchased-paid-media': NOT_HANDLED,
  'tx-poll-answer-retracted': ignored(
    'a vote in poll POLL_ID: not a poll this bot sent, so its community is unknown',
  ),
  'tx-update-unknown-field': NOT_HANDLED,
  'tx-poll-answer-vote': ignored(
    'a vote in poll POLL_ID: not a poll this bot sent, so its community is unknown',
  ),
  // Not something Telegram sends (teloxide's test of a broken update): a logged 200, not a redelivery loop.
  'tx-message-missing-fields': { status: 200, unreadable: 'message.chat is missing' },
  // Posted in the group's own name: counted for the group, for no member.
  'tx-anonymous-admin-forward': engagement('message_posted'),
  'tx-forum-topic-created': ignored('service message'),
  'tx-forum-topic-message': engagement('message_posted'),
  'tx-forum-topic-closed': ignored('service message'),
  'tx-video-chat-started-anonymous': ignored('service message'),
  'tx-photo-caption-private': PRIVATE,
  'tx-media-group-video-private': PRIVATE,
  'tx-chat-shared-service': ignored('message without a sender'),
  'tx-giveaway-channel-post': NOT_HANDLED,
  'tx-boost-added-channel-post': NOT_HANDLED,
  'tx-callback-query-inline-game': ignored('button on an inline-mode message (no chat)'),
  // One migration, told in both chats (the second sent on behalf of the new supergroup): the core moves the
  // space once.
  't4j-group-migrate-to-supergroup': spaceChange('space_migrated'),
  't4j-supergroup-migrate-from-anonymous': spaceChange('space_migrated'),
  't4j-my-chat-member-promoted': ignored('bot status change without being added or removed'),
  // The webhook page's examples (update 10000 each) predate `is_bot`: read as people's messages, all in a
  // private chat.
  'doc-forwarded-message': PRIVATE,
  'doc-forwarded-channel-message': PRIVATE,
  'doc-edited-message': ignored('an edit in a private chat: never a space'),
  'doc-message-with-entities': PRIVATE,
  'doc-audio': PRIVATE,
  'doc-voice': PRIVATE,
  'doc-document': PRIVATE,
  'doc-inline-query': NOT_HANDLED,
  'doc-chosen-inline-result': NOT_HANDLED,
  'vc-private-mention': PRIVATE,
  'ptba-sticker-supergroup': engagement('message_posted'),
  'ptba-chat-member-promoted': ignored('chat member status change without join or leave'),
  'ptba-update-from-bot-private': ignored('message from a bot'),
};

function outcomeOf(result: HttpResult, seen: Capture): Outcome {
  const kinds = seen.recorded.map(({ record }) => record.kind);
  const notRecorded = notRecordedOutcomes(seen.lines);
  const change = seen.lines.find((line) => line.message === 'space change handled')?.fields.kind;
  const ignoredReason = reasonLogged(seen.lines, 'payload ignored');
  const unreadableReason = reasonLogged(seen.lines, 'payload unreadable');
  const changed = seen.lines.find((line) => line.message === 'change handled')?.fields.outcome;
  return {
    status: result.statusCode,
    ...(changed === undefined ? {} : { changed: String(changed) }),
    ...(kinds.length > 0 ? { engagement: kinds } : {}),
    ...(notRecorded.length > 0 ? { notRecorded } : {}),
    ...(change === undefined ? {} : { spaceChange: change }),
    ...(ignoredReason === undefined ? {} : { ignored: ignoredReason }),
    ...(unreadableReason === undefined ? {} : { unreadable: unreadableReason }),
  };
}

type PeerUpdate = { update_id: number } & Partial<
  Record<
    'message' | 'message_reaction' | 'message_reaction_count',
    {
      chat: { id: number };
      message_id: number;
      user?: { id: number };
      new_reaction?: { emoji: string }[];
    }
  >
>;

/**
 * The engagement keys an update is recorded under: a post's chat and message id; a member's reaction's chat,
 * message, opaque member id and emoji.
 */
function keysOf(update: PeerUpdate): string[] {
  const counted = update.message_reaction_count;
  // Anonymous reactions: one record per message, for no member (`-`), all emojis together (`*`).
  if (counted)
    return [`EVT#telegram:${counted.chat.id}:reaction:${counted.chat.id}/${counted.message_id}/-/*`];
  if (update.message) return [`EVT#telegram:${update.message.chat.id}:message:${update.message.message_id}`];
  const reaction = update.message_reaction;
  if (!reaction?.user) return [];
  const chat = reaction.chat.id;
  const member = expectedMemberId('telegram', String(reaction.user.id));
  return (reaction.new_reaction ?? []).map(
    ({ emoji }) => `EVT#telegram:${chat}:reaction:${chat}/${reaction.message_id}/${member}/${emoji}`,
  );
}

describe('Telegram webhook: every peer payload, unmutated', () => {
  it('accepts every update Telegram really sends, and records or ignores each as listed', async () => {
    // Prepare: a bot of its own, so the table holds only what this replay recorded.
    const seen = captureDeps();
    const replay = await startBotUnderTest(telegramPlatform, { deps: seen.deps });
    const name = (file: string) => file.replace(/^telegram\/|\.json$/g, '');

    try {
      // Act: one delivery at a time, in sources.json order.
      const outcomes: [string, Outcome][] = [];
      for (const { file, payload } of PEERS) {
        seen.clear();
        const result = await deliver(JSON.stringify(payload), replay.handler);
        outcomes.push([name(file), outcomeOf(result, seen)]);
      }

      // Assess
      expect(outcomes).toEqual(PEERS.map(({ file }) => [name(file), PEER_OUTCOMES[name(file)]]));
      expect(Object.keys(PEER_OUTCOMES).sort()).toEqual(PEERS.map(({ file }) => name(file)).sort());
      // One record per engagement update, keyed by its chat; nothing from a private chat (a positive chat
      // id), and no private chat ever became a space.
      const recorded = PEERS.filter(
        ({ file }) =>
          PEER_OUTCOMES[name(file)]?.engagement || PEER_OUTCOMES[name(file)]?.changed === 'applied',
      ).flatMap(({ payload }) => keysOf(payload as PeerUpdate));
      const keys = (await replay.table.engagementItems()).map((item) => item.pk?.S);
      expect(keys.sort()).toEqual(recorded.sort());
      expect(keys.filter((key) => /^EVT#telegram:\d/.test(key ?? ''))).toEqual([]);
      const spaces = await spaceIds(replay.table);
      expect(spaces.filter((id) => !id.startsWith('-'))).toEqual([]);
      // The migrated group lives on under its supergroup id; the old id was never served.
      expect(spaces).toContain('-1001538393672');
      expect(spaces).not.toContain('-567859824');
    } finally {
      await replay.close();
    }
  });
});
