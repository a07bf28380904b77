import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, signSlackBody } from '../../bots/slack/sandbox.js';
import type { InboundEventKind } from '../../shared/core/events.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { fuzzParameters, mutate, mutationsArb } from '../support/fuzz.js';
import { httpEvent } from '../support/lambda.js';
import { ownFixtures, type PeerPayload, peerPayloads } from '../support/peers.js';

type Delivery = PeerPayload['delivery'];

interface Sample {
  readonly file: string;
  readonly payload: unknown;
  readonly delivery: Delivery;
  readonly bot?: PeerPayload['bot'];
}

const own = (names: readonly string[], delivery: Delivery): Sample[] =>
  ownFixtures('slack', names).map((fixture) => ({ ...fixture, delivery }));

const [slashCommand] = own(['slash-command.json'], 'slack-command');

/** Every documented Slack payload we keep (the signing example is a request, not a payload) and every peer's. */
const SAMPLES: Sample[] = [
  ...own(
    [
      'event-member-joined-channel.json',
      'event-message-replied.json',
      'event-message.json',
      'event-reaction-added.json',
      'event-thread-reply.json',
      'event-app-uninstalled.json',
      'event-tokens-revoked.json',
      'url-verification.json',
    ],
    'json',
  ),
  ...own(['block-actions.json', 'view-submission.json'], 'slack-interactive'),
  ...(slashCommand ? [slashCommand] : []),
  // The documented command as our own `/community help`, so the command listener meets the variants too.
  ...(slashCommand
    ? [
        {
          ...slashCommand,
          file: 'slack/slash-command.json as /community',
          payload: asCommunity(slashCommand),
        },
      ]
    : []),
  ...peerPayloads('slack'),
];

function asCommunity(sample: Sample): unknown {
  return { ...(sample.payload as object), command: '/community', text: 'help' };
}

let bot: BotUnderTest;
let capture: Capture;
const handlers = new Map<string, HttpHandler>();

beforeAll(async () => {
  capture = captureDeps();
  bot = await startBotUnderTest(slackPlatform, { deps: capture.deps });
});
afterAll(() => bot.close());
beforeEach(() => capture.clear());

/**
 * The real handler of `target` (the shared bot by default), configured with the bot identity a payload was
 * captured with (one per identity and bot).
 */
function handlerFor(identity: Sample['bot'], target: BotUnderTest = bot): HttpHandler {
  if (!identity) return target.handler;
  const key = `${target.env.TABLE_NAME}/${target.env.DYNAMODB_ENDPOINT}/${identity.botUserId}/${identity.botId}`;
  let handler = handlers.get(key);
  if (!handler) {
    handler = target.another(
      { SLACK_BOT_USER_ID: identity.botUserId, SLACK_BOT_ID: identity.botId },
      capture.deps,
    );
    handlers.set(key, handler);
  }
  return handler;
}

/** A form field's text: strings as they are, a list as the field repeated (how a form carries one). */
function formBody(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, formText(item));
  }
  return form.toString();
}

function formText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // Too deep for JSON.stringify: in a form it is only text anyway.
    return '['.repeat(10_000);
  }
}

/** The body Slack would send for a payload (its JSON text given), and its content type. */
function encode(json: string, delivery: Delivery): { body: string; contentType: string } {
  switch (delivery) {
    case 'json':
      return { body: json, contentType: 'application/json' };
    case 'slack-interactive':
      return {
        body: `payload=${encodeURIComponent(json)}`,
        contentType: 'application/x-www-form-urlencoded',
      };
    default:
      return { body: formBody(JSON.parse(json)), contentType: 'application/x-www-form-urlencoded' };
  }
}

/** A raw form becomes its fields, so its variants are form variants. */
function asValue(sample: Sample): unknown {
  if (sample.delivery !== 'slack-raw-form') return sample.payload;
  return Object.fromEntries(new URLSearchParams(String(sample.payload)));
}

/** Delivers a payload's JSON text as Slack would: encoded per its delivery, signed, timestamped now. */
function deliver(
  sample: Sample,
  json = JSON.stringify(asValue(sample)),
  target: BotUnderTest = bot,
): Promise<HttpResult> {
  const { body, contentType } = encode(json, sample.delivery);
  const timestamp = Math.floor(Date.now() / 1000);
  return handlerFor(
    sample.bot,
    target,
  )(
    httpEvent(slackPlatform.sandbox.path, body, {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, timestamp, body),
    }),
  );
}

const unreadableLines = () => capture.lines.filter((line) => line.fields.code === 'payload_unreadable');
const recordedNow = () => capture.recorded.filter(({ outcome }) => outcome === 'recorded');
const errorLines = () => capture.lines.filter((line) => line.level === 'error');
const ID_FIELDS = [
  'key',
  'spaceId',
  'channelId',
  'memberId',
  'toMemberId',
  'messageId',
  'replyToId',
  'reaction',
] as const;

describe('Slack webhook: signed, malformed variants of every fixture and peer payload', () => {
  it('answers 200 or 400, never 500, records nothing it cannot read, and stores ids only as strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAMPLES), mutationsArb(), async (sample, mutations) => {
        // Prepare
        capture.clear();
        const json = mutate(asValue(sample), mutations).json();

        // Act
        const result = await deliver(sample, json);

        // Assess
        expect([200, 400]).toContain(result.statusCode);
        if (result.statusCode === 400 || unreadableLines().length > 0) expect(recordedNow()).toEqual([]);
        expect(errorLines()).toEqual([]);
        for (const { record } of capture.recorded) {
          for (const field of ID_FIELDS) {
            if (field in record) expect(typeof record[field]).toBe('string');
          }
        }
      }),
      fuzzParameters(350),
    );
  });
});

/** A payload from SAMPLES with the value at `path` replaced, or removed when `value` is undefined. */
function changed(file: string, path: readonly string[], value: unknown): Sample {
  const sample = SAMPLES.find((candidate) => candidate.file === file);
  if (!sample) throw new Error(`no sample ${file}`);
  const payload = structuredClone(sample.payload) as Record<string, unknown>;
  const parent = path.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, payload);
  const last = path[path.length - 1] ?? '';
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return { ...sample, payload };
}

const MESSAGE = 'slack/event-message.json';
const BUTTON = 'slack/block-actions.json';
const VIEW_CLOSED = 'slack/bp-view-closed.json';

describe('Slack payloads Bolt used to fail on (answered 500, retried by Slack)', () => {
  it.each([
    ['event: null', changed(MESSAGE, ['event'], null), 'event'],
    ['event: a string', changed(MESSAGE, ['event'], 'message'), 'event'],
    ['event.channel: null', changed(MESSAGE, ['event', 'channel'], null), 'channel'],
    ['event.user: null', changed(MESSAGE, ['event', 'user'], null), 'user'],
    ['event.item: null', changed('slack/event-reaction-added.json', ['event', 'item'], null), 'item'],
    ['event.type: a number', changed(MESSAGE, ['event', 'type'], 7), 'type'],
    ['actions: null', changed(BUTTON, ['actions'], null), 'actions'],
    ['actions: [null]', changed(BUTTON, ['actions'], [null]), 'actions'],
    ["actions: 'x'", changed(BUTTON, ['actions'], 'x'), 'actions'],
    ['user: null in an interaction', changed(BUTTON, ['user'], null), 'user'],
    ['response_urls: [null]', changed(VIEW_CLOSED, ['response_urls'], [null]), 'response_urls'],
    ['view: null', changed(VIEW_CLOSED, ['view'], null), 'view'],
    // Bolt keys its per-team clients by this id in a plain object, where `constructor` is a function.
    [
      'authorizations[0].team_id: constructor',
      changed(MESSAGE, ['authorizations', '0', 'team_id'], 'constructor'),
      'team_id',
    ],
    [
      'function_executed without function_execution_id',
      changed('slack/bp-function-executed.json', ['event', 'function_execution_id'], undefined),
      'function_execution_id',
    ],
    [
      'a nested url_verification challenge',
      changed('slack/url-verification.json', ['challenge'], { a: 1 }),
      'challenge',
    ],
  ])('%s: a logged 200 naming the field, nothing recorded', async (_case, sample, field) => {
    const result = await deliver(sample);

    expect(result.statusCode).toBe(200);
    expect(unreadableLines().map((line) => String(line.fields.reason))).toEqual([
      expect.stringContaining(field),
    ]);
    expect(recordedNow()).toEqual([]);
    expect(errorLines()).toEqual([]);
  });

  it('event.ts as a list: unreadable, never stored (it became a DynamoDB string set)', async () => {
    const sample = changed(MESSAGE, ['event', 'ts'], ['1355517523.000005', '1355517523.000006']);

    const result = await deliver(sample);

    expect(result.statusCode).toBe(200);
    expect(unreadableLines()[0]?.fields.reason).toContain('event.ts');
    expect(capture.recorded).toEqual([]);
    expect(JSON.stringify(await bot.table.engagementItems())).not.toContain('"SS"');
  });

  it.each([
    ['message', MESSAGE],
    ['reaction', 'slack/event-reaction-added.json'],
    ['join', 'slack/event-member-joined-channel.json'],
  ])('USLACKBOT: a Slackbot %s is ignored on purpose, not recorded', async (_kind, file) => {
    const result = await deliver(changed(file, ['event', 'user'], 'USLACKBOT'));

    expect(result.statusCode).toBe(200);
    expect(capture.recorded).toEqual([]);
    expect(capture.lines.map((line) => String(line.fields.reason ?? ''))).toContainEqual(
      expect.stringContaining('Slackbot is not a member'),
    );
  });
});

/**
 * What each real payload must come to, unmutated: recorded as engagement, taken but not counted (a private
 * chat with the bot), the bot leaving a workspace, ignored on purpose, or answered.
 */
type Outcome =
  | { readonly recorded: InboundEventKind }
  | { readonly notCounted: 'private' }
  | { readonly spaceChange: 'bot_removed' }
  | { readonly ignored: string }
  | { readonly changed: 'applied' | 'absent' | 'unchanged' }
  | { readonly answers: string };

const PEER_OUTCOMES: Readonly<Record<string, Outcome>> = {
  'slack/sw-message-rich-text.json': { recorded: 'message_posted' },
  'slack/sw-message-link.json': { recorded: 'message_posted' },
  'slack/sw-message-im.json': { notCounted: 'private' },
  'slack/sw-slackbot-im.json': { ignored: 'Slackbot is not a member' },
  'slack/sw-email-file-share-slackbot.json': { ignored: 'bot message' },
  'slack/sw-file-share-im.json': { notCounted: 'private' },
  'slack/sw-file-share-slack-connect-im.json': { notCounted: 'private' },
  'slack/sw-forwarded-message.json': { recorded: 'message_posted' },
  'slack/sw-share-with-message.json': { recorded: 'message_posted' },
  'slack/sw-share-without-message.json': { recorded: 'message_posted' },
  // A deletion of a message this replay never recorded: nothing to take back; a tombstone keeps a late
  // delivery of it from counting.
  'slack/sw-message-deleted.json': { changed: 'absent' },
  'slack/sw-channel-join-subtype.json': { ignored: 'message subtype channel_join' },
  'slack/sw-channel-left.json': { ignored: 'event type channel_left is not engagement' },
  'slack/sw-channel-shared.json': { ignored: 'event type channel_shared is not engagement' },
  'slack/sw-channel-created.json': { ignored: 'event type channel_created is not engagement' },
  'slack/sw-circleci-bot-no-subtype.json': { ignored: 'bot message' },
  'slack/sw-github-app-message.json': { ignored: 'bot message' },
  // The Messages tab: only the Home tab shows a view.
  'slack/sw-app-home-opened-messages.json': {
    ignored: 'app_home_opened on the messages tab: nothing to show',
  },
  'slack/bp-thread-broadcast.json': { recorded: 'thread_reply' },
  'slack/bp-message-from-other-app-bot.json': { ignored: 'bot message' },
  'slack/bp-classic-bot-message.json': { ignored: 'message subtype bot_message' },
  'slack/bp-message-deleted.json': { changed: 'absent' },
  'slack/bp-file-share.json': { recorded: 'message_posted' },
  'slack/bp-member-left-channel.json': { recorded: 'member_left' },
  'slack/bp-shared-channel-reaction.json': { recorded: 'reaction_added' },
  'slack/bp-shared-channel-member-joined.json': { recorded: 'member_joined' },
  'slack/bp-org-app-message.json': { recorded: 'message_posted' },
  'slack/bp-team-access-granted.json': { ignored: 'event type team_access_granted is not engagement' },
  // The app left workspace T111: its space is marked inactive and its tokens deleted.
  'slack/bp-app-uninstalled.json': { spaceChange: 'bot_removed' },
  // An org-wide app's revocation names no workspace (only its enterprise), which the bot does not serve.
  'slack/bp-tokens-revoked.json': { ignored: 'tokens_revoked without team_id' },
  'slack/bp-function-executed.json': { ignored: 'event type function_executed is not engagement' },
  'slack/bp-workflow-step-execute.json': { ignored: 'event type workflow_step_execute is not engagement' },
  'slack/bp-url-verification.json': { answers: 'the challenge' },
  'slack/bp-interactive-message-select.json': { ignored: 'action interactive_message: no listener' },
  'slack/bp-dialog-submission.json': { ignored: 'action dialog_submission: no listener' },
  'slack/bp-block-suggestion.json': { ignored: 'options block_suggestion: no listener' },
  'slack/bp-global-shortcut.json': { ignored: 'shortcut shortcut: no listener' },
  'slack/bp-message-shortcut.json': { ignored: 'shortcut message_action: no listener' },
  'slack/bp-view-closed.json': { ignored: 'view view_closed: no listener' },
  'slack/bp-ssl-check.txt': { answers: 'ssl_check' },
  'slack/vc-channel-message-mention.json': { recorded: 'message_posted' },
  'slack/vc-dm-message.json': { notCounted: 'private' },
  'slack/vc-thread-reply.json': { recorded: 'thread_reply' },
  'slack/vc-app-mention-with-file.json': { ignored: 'event type app_mention is not engagement' },
  'slack/vc-member-joined-bot-itself.json': { ignored: 'our own bot member_joined_channel' },
  'slack/vc-reaction-no-event-id.json': { ignored: 'reaction without team_id, event_id' },
  'slack/vc-block-actions-button.json': { recorded: 'button_pressed' },
  'slack/vc-block-actions-static-select.json': { ignored: 'action static_select is not a button' },
  'slack/vc-view-submission.json': { ignored: 'view_submission of a modal this bot did not open' },
  'slack/vc-slash-command-other.json': { ignored: 'command /test-feedback: no listener' },
  'slack/vc-bot-own-thread-message.json': { ignored: 'our own bot message' },
  'slack/vc-bot-message-changed.json': { ignored: 'message_changed of a bot message' },
};

describe('Slack peer payloads, replayed unmutated', () => {
  const peers = peerPayloads('slack');
  // A table of its own: a mutated app_uninstalled above may have removed the bot from a peer's workspace.
  let replay: BotUnderTest;

  beforeAll(async () => {
    replay = await startBotUnderTest(slackPlatform, { deps: capture.deps });
  });
  afterAll(() => replay.close());

  /** A removal is replayed on a bot of its own, so the other peers of that workspace are still served. */
  async function replayed(peer: PeerPayload, expected: Outcome | undefined): Promise<HttpResult> {
    if (!expected || !('spaceChange' in expected)) return deliver(peer, undefined, replay);
    const own = await startBotUnderTest(slackPlatform, { deps: capture.deps });
    try {
      return await deliver(peer, undefined, own);
    } finally {
      await own.close();
    }
  }

  it('has an expected outcome for every peer payload, and none for a payload that is gone', () => {
    expect(Object.keys(PEER_OUTCOMES).sort()).toEqual(peers.map((peer) => peer.file).sort());
  });

  it.each(peers.map((peer) => [peer.file, peer] as const))('%s', async (file, peer) => {
    // Act
    const expected = PEER_OUTCOMES[file];
    const result = await replayed(peer, expected);

    // Assess: no real payload is refused or fails, or is taken for an unreadable one.
    expect(result.statusCode).toBe(200);
    expect(unreadableLines()).toEqual([]);
    expect(errorLines()).toEqual([]);
    if (!expected || 'answers' in expected) {
      const challenge = (peer.payload as { challenge?: string }).challenge;
      expect(result.body).toBe(expected?.answers === 'the challenge' ? JSON.stringify({ challenge }) : '');
      expect(capture.recorded).toEqual([]);
    } else if ('recorded' in expected) {
      expect(capture.recorded.map(({ record }) => record.kind)).toEqual([expected.recorded]);
    } else if ('notCounted' in expected) {
      // A DM with the bot is no place in the community: taken (so Slack does not retry), never recorded.
      expect(capture.recorded).toEqual([]);
      expect(capture.lines.find((line) => line.message === 'slack event taken')?.fields.outcome).toBe(
        expected.notCounted,
      );
    } else if ('changed' in expected) {
      // An edit or a deletion changes what was recorded; it records nothing of its own.
      expect(capture.recorded).toEqual([]);
      expect(capture.lines.find((line) => line.message === 'slack change taken')?.fields.outcome).toBe(
        expected.changed,
      );
    } else if ('spaceChange' in expected) {
      expect(capture.recorded).toEqual([]);
      expect(capture.lines.find((line) => line.message === 'slack app left a workspace')?.fields).toEqual({
        kind: expected.spaceChange,
      });
    } else {
      expect(capture.recorded).toEqual([]);
      expect(capture.lines.map((line) => String(line.fields.reason ?? ''))).toContainEqual(
        expect.stringContaining(expected.ignored),
      );
    }
  });
});
