import { createHash, createHmac } from 'node:crypto';
import { startFakeServer } from '../../shared/platform/fake-server.js';
import type { PlatformSandbox, SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import { API_PREFIX, describeSlackCall, fakeSlackRoute } from './sandbox-api.js';

/**
 * The Slack sandbox: fixed, documented test secrets, a fake Slack (Web API and `response_url` hooks,
 * sandbox-api.ts), and correctly signed deliveries in Slack's documented shapes (Events API JSON, slash
 * command forms).
 */

/** Fixed sandbox identities and secrets. None of them is real; never use them outside the sandbox. */
export const SLACK_SANDBOX = {
  /** Slack's own worked example of a signing secret ("Verifying requests from Slack"). */
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  botToken: 'xoxb-sandbox-0000-not-a-real-token',
  botId: 'B0SANDBOX',
  botUserId: 'U0SANDBOXBOT',
  teamId: 'T0SANDBOX',
  appId: 'A0SANDBOX',
} as const;

const PATH = '/slack/events';
/** Sandbox message ids are small numbers; Slack's are `seconds.micros` timestamps from here on. */
const TS_EPOCH_SECONDS = 1_700_000_000;

/** Slack's v0 signature of a body: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function signSlackBody(signingSecret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return `v0=${digest}`;
}

/**
 * `alice` -> `UALICE`: Slack-shaped, and the name can be read back (moderators are `mod...`). A name with
 * characters outside ASCII (`zoë`, `太郎`) gets a number derived from the whole name after its leading
 * ASCII part (`zoë` -> `UZO` + digits), so such names stay distinct members.
 */
export function sandboxUserId(name: string): string {
  return `U${idPart(name)}`;
}

export function sandboxChannelId(name: string): string {
  return `C${idPart(name)}`;
}

/** A sandbox message id -> the Slack `ts` that names it; the same id always gives the same ts. */
export function sandboxTs(messageId: string): string {
  const number = /^\d+$/.test(messageId)
    ? Number(messageId)
    : Number.parseInt(digest(messageId).slice(0, 10), 16);
  const seconds = TS_EPOCH_SECONDS + Math.floor(number / 1_000_000);
  return `${seconds}.${String(number % 1_000_000).padStart(6, '0')}`;
}

export const slackSandbox: PlatformSandbox = {
  platform: 'slack',
  path: PATH,
  env: (apiUrl) => ({
    SLACK_SIGNING_SECRET: SLACK_SANDBOX.signingSecret,
    SLACK_BOT_TOKEN: SLACK_SANDBOX.botToken,
    SLACK_BOT_ID: SLACK_SANDBOX.botId,
    SLACK_BOT_USER_ID: SLACK_SANDBOX.botUserId,
    SLACK_API_URL: `${apiUrl.replace(/\/+$/, '')}${API_PREFIX}`,
    // response_urls (https://hooks.slack.com/commands/...) are posted to the same fake.
    SLACK_HOOKS_URL: apiUrl.replace(/\/+$/, ''),
  }),
  startFakeApi: (options = {}) => startFakeServer('slack', fakeSlackRoute(SLACK_SANDBOX), options),
  describe: describeSlackCall,
  describeAnswer(body) {
    const answer = parseAnswer(body) as { response_type?: string; text?: string } | undefined;
    if (!answer?.text) return undefined;
    return `${answer.response_type === 'in_channel' ? 'publicly' : 'privately'}: ${answer.text}`;
  },
  sign(action, now = new Date()) {
    const timestamp = Math.floor(now.getTime() / 1000);
    const { body, contentType } =
      action.kind === 'command' ? commandDelivery(action, now) : eventDelivery(action, now);
    return signedRequest(body, contentType, timestamp);
  },
};

function signedRequest(body: string, contentType: string, timestamp: number): SignedRequest {
  return {
    path: PATH,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, timestamp, body),
    },
    body,
  };
}

type EventAction = Exclude<SandboxAction, { kind: 'command' }>;

/** An Events API delivery (`event_callback`), shaped like the examples on Slack's event reference pages. */
function eventDelivery(action: EventAction, now: Date): { body: string; contentType: string } {
  const { event, identity } = innerEvent(action, now);
  const eventTs = event.event_ts as string;
  const body = {
    token: 'sandbox-verification-token',
    team_id: SLACK_SANDBOX.teamId,
    api_app_id: SLACK_SANDBOX.appId,
    event,
    type: 'event_callback',
    // The same action (same message id) is the same event: a redelivery, as Slack's retries are.
    event_id: `Ev${digest(identity).slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Number(eventTs)),
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function innerEvent(action: EventAction, now: Date): { event: Record<string, unknown>; identity: string } {
  const user = sandboxUserId(action.user);
  const channel = sandboxChannelId(action.channel);
  switch (action.kind) {
    case 'message': {
      const ts = action.messageId ? sandboxTs(action.messageId) : tsAt(now);
      const thread = action.threadOf ? { thread_ts: sandboxTs(action.threadOf) } : {};
      const event = { type: 'message', channel, user, text: action.text, ts, event_ts: ts, ...thread };
      return { event: { ...event, channel_type: 'channel' }, identity: `message/${channel}/${ts}` };
    }
    case 'reaction': {
      const item = { type: 'message', channel, ts: sandboxTs(action.messageId) };
      const reaction = reactionName(action.emoji);
      const event = { type: 'reaction_added', user, reaction, item, event_ts: tsAt(now) };
      return { event, identity: `reaction/${user}/${channel}/${action.messageId}/${reaction}` };
    }
    case 'join': {
      const event = {
        type: 'member_joined_channel',
        user,
        channel,
        channel_type: 'C',
        team: SLACK_SANDBOX.teamId,
      };
      // A join has no id of its own in the sandbox: the same join in the same second is one event.
      const eventTs = tsAt(now);
      return {
        event: { ...event, event_ts: eventTs },
        identity: `join/${user}/${channel}/${eventTs.split('.')[0]}`,
      };
    }
  }
}

/** A slash command's form body, with the fields Slack's slash command docs list. */
function commandDelivery(action: Extract<SandboxAction, { kind: 'command' }>, now: Date) {
  const [command = '/community', ...words] = action.text.trim().split(/\s+/);
  const text = words.join(' ');
  const seconds = Math.floor(now.getTime() / 1000);
  const trigger = digest(`command/${action.user}/${action.channel}/${action.text}/${seconds}`);
  const fields = {
    token: 'sandbox-verification-token',
    team_id: SLACK_SANDBOX.teamId,
    team_domain: 'sandbox',
    channel_id: sandboxChannelId(action.channel),
    channel_name: action.channel,
    user_id: sandboxUserId(action.user),
    user_name: action.user,
    command,
    text,
    api_app_id: SLACK_SANDBOX.appId,
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${SLACK_SANDBOX.teamId}/${seconds}/sandbox`,
    // Same command in the same second: one invocation (a redelivery); later, a new one.
    trigger_id: `${seconds}.${parseInt(trigger.slice(0, 8), 16)}.${trigger.slice(8, 40)}`,
  };
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** Emoji characters people type -> Slack's reaction names (Slack's events name reactions, not characters). */
const REACTION_NAMES: Readonly<Record<string, string>> = {
  '👍': '+1',
  '👎': '-1',
  '❤️': 'heart',
  '🎉': 'tada',
  '😂': 'joy',
  '👀': 'eyes',
};

function reactionName(emoji: string): string {
  return REACTION_NAMES[emoji] ?? emoji.replace(/^:|:$/g, '');
}

function tsAt(at: Date): string {
  const ms = at.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000`;
}

/**
 * ASCII names keep their letters and digits, upper-cased. Any other character would be lost that way
 * (`zoë` and `zoé` would both be `ZO`), so such a name keeps only its leading ASCII part, followed by digits
 * from a digest of the whole name: decimal digits, so the digest can never spell the `MOD` of a moderator.
 */
function idPart(name: string): string {
  const readable = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  // Printable ASCII is ' ' to '~'; the first character outside it ends the readable part.
  const firstOther = name.search(/[^ -~]/);
  if (firstOther < 0) return readable(name) || 'ANON';
  const number = Number.parseInt(digest(name).slice(0, 12), 16);
  return `${readable(name.slice(0, firstOther))}${number}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parseAnswer(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
