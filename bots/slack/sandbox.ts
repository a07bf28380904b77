import { createHash, createHmac } from 'node:crypto';
import type { PlatformSandbox, SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import { API_PREFIX, describeSlackCall, type FakeSlackSetup, fakeSlackRoute } from './sandbox-api.js';
import { AUTHORIZE_PATH } from './sandbox-install.js';
import { type FakeSlack, type FakeSlackServerOptions, startFakeSlackServer } from './sandbox-outbox.js';
import { slackPressDelivery, withPressStrings } from './sandbox-press.js';

/**
 * The Slack sandbox: fixed, documented test secrets, a fake Slack (Web API, `response_url` hooks and the
 * install flow, sandbox-api.ts and sandbox-install.ts), and correctly signed deliveries in Slack's documented
 * shapes (Events API JSON, slash command forms), in the first workspace or a second one.
 */

/** Fixed sandbox identities and secrets. None of them is real; never use them outside the sandbox. */
export const SLACK_SANDBOX = {
  /** Slack's own worked example of a signing secret ("Verifying requests from Slack"). */
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  botToken: 'xoxb-sandbox-0000-not-a-real-token',
  botId: 'B0SANDBOX',
  botUserId: 'U0SANDBOXBOT',
  teamId: 'T0SANDBOX',
  teamName: 'Sandbox',
  teamDomain: 'sandbox',
  appId: 'A0SANDBOX',
  /** The app's OAuth credentials, for the install flow (bots/slack/oauth/). */
  clientId: '1000000000.2000000000',
  clientSecret: 'sandbox-client-secret-not-a-real-one',
  stateSecret: 'sandbox-state-secret-for-signing-oauth-state-only',
  /** A second workspace: the app gets a token there only through the install flow. */
  workspaceB: {
    teamId: 'T0SANDBOXB',
    teamName: 'Sandbox B',
    teamDomain: 'sandbox-b',
    botId: 'B0SANDBOXB',
    botUserId: 'U0SANDBOXBOTB',
  },
  /** An Enterprise Grid organisation: installing there is org-wide (not supported by the bot yet). */
  enterprise: {
    id: 'E0SANDBOX',
    name: 'Sandbox Org',
    domain: 'sandbox-org',
    botId: 'B0SANDBOXE',
    botUserId: 'U0SANDBOXBOTE',
  },
} as const;

/** A workspace of the sandbox: where a delivery comes from. */
export interface SandboxWorkspace {
  readonly teamId: string;
  /** The workspace's name, as an installation stores it. */
  readonly teamName: string;
  readonly teamDomain: string;
  readonly botUserId: string;
}

/** The first workspace, where SLACK_BOT_TOKEN is the bot's token. */
export const WORKSPACE_A: SandboxWorkspace = SLACK_SANDBOX;
/** The second workspace, served once the app is installed there. */
export const WORKSPACE_B: SandboxWorkspace = SLACK_SANDBOX.workspaceB;

/**
 * The sandbox workspace a short name stands for: `a` (or none) the first, `b` the second (`T0SANDBOXB`),
 * any other `x` a workspace `T0SANDBOXX` of its own (the fake Slack knows only the first two).
 */
export function sandboxWorkspace(space?: string): SandboxWorkspace {
  if (!space || space.toLowerCase() === 'a') return WORKSPACE_A;
  const name = idPart(space);
  if (name === 'B') return WORKSPACE_B;
  return {
    teamId: `T0SANDBOX${name}`,
    teamName: `Sandbox ${name}`,
    teamDomain: `sandbox-${name.toLowerCase()}`,
    botUserId: `U0SANDBOXBOT${name}`,
  };
}

/** The fake Slack of the sandbox: both workspaces and the organisation, the app's OAuth credentials. */
function fakeSlackSetup(): FakeSlackSetup {
  const { workspaceB, enterprise } = SLACK_SANDBOX;
  return {
    app: {
      appId: SLACK_SANDBOX.appId,
      clientId: SLACK_SANDBOX.clientId,
      clientSecret: SLACK_SANDBOX.clientSecret,
    },
    botToken: SLACK_SANDBOX.botToken,
    workspaces: [
      {
        id: SLACK_SANDBOX.teamId,
        name: SLACK_SANDBOX.teamName,
        domain: SLACK_SANDBOX.teamDomain,
        botId: SLACK_SANDBOX.botId,
        botUserId: SLACK_SANDBOX.botUserId,
      },
      {
        id: workspaceB.teamId,
        name: workspaceB.teamName,
        domain: workspaceB.teamDomain,
        botId: workspaceB.botId,
        botUserId: workspaceB.botUserId,
      },
    ],
    enterprise,
  };
}

/** Starts the sandbox's fake Slack on loopback, with the clock, faults and limits asked for. */
export function startFakeSlack(options: FakeSlackServerOptions = {}): Promise<FakeSlack> {
  return startFakeSlackServer((traffic) => fakeSlackRoute(fakeSlackSetup(), traffic), options);
}

/**
 * The OAuth function's environment in the sandbox: the app's credentials, and Slack (its Web API and its
 * authorize page) at the fake's `apiUrl`.
 */
export function slackInstallSandboxEnv(apiUrl: string): Record<string, string> {
  const base = apiUrl.replace(/\/+$/, '');
  return {
    SLACK_CLIENT_ID: SLACK_SANDBOX.clientId,
    SLACK_CLIENT_SECRET: SLACK_SANDBOX.clientSecret,
    SLACK_STATE_SECRET: SLACK_SANDBOX.stateSecret,
    SLACK_API_URL: `${base}${API_PREFIX}`,
    SLACK_AUTHORIZE_URL: `${base}${AUTHORIZE_PATH}`,
  };
}

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
  startFakeApi: (options = {}) => startFakeSlack(options),
  describe: (request) => withPressStrings(describeSlackCall(request), request.payload),
  describeAnswer(body) {
    const answer = parseAnswer(body) as { response_type?: string; text?: string } | undefined;
    if (!answer?.text) return undefined;
    return withPressStrings(
      `${answer.response_type === 'in_channel' ? 'publicly' : 'privately'}: ${answer.text}`,
      answer,
    );
  },
  // `--space b` (npm run say) speaks in the second workspace, any other name in one of its own.
  sign: (action, now = new Date()) => signSlackAction(action, sandboxWorkspace(action.space), now),
};

/** A sandbox delivery from one workspace of the sandbox, signed as Slack signs it. */
export function signSlackAction(
  action: SandboxAction,
  workspace: SandboxWorkspace,
  now = new Date(),
): SignedRequest {
  const timestamp = Math.floor(now.getTime() / 1000);
  const { body, contentType } =
    action.kind === 'command'
      ? commandDelivery(action, workspace, now)
      : action.kind === 'press'
        ? slackPressDelivery(action, workspace, now)
        : eventDelivery(action, workspace, now);
  return signedRequest(body, contentType, timestamp);
}

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

type EventAction = Exclude<SandboxAction, { kind: 'command' | 'press' }>;

/** An Events API delivery (`event_callback`), shaped like the examples on Slack's event reference pages. */
function eventDelivery(
  action: EventAction,
  workspace: SandboxWorkspace,
  now: Date,
): { body: string; contentType: string } {
  const { event, identity } = innerEvent(action, workspace, now);
  const eventTs = event.event_ts as string;
  const body = {
    token: 'sandbox-verification-token',
    team_id: workspace.teamId,
    api_app_id: SLACK_SANDBOX.appId,
    event,
    type: 'event_callback',
    // The same action (same message id) is the same event: a redelivery, as Slack's retries are.
    // The first workspace's ids are what they were before there was a second.
    event_id: `Ev${digest(workspace === WORKSPACE_A ? identity : `${workspace.teamId}/${identity}`)
      .slice(0, 10)
      .toUpperCase()}`,
    event_time: Math.floor(Number(eventTs)),
    // Who the event is delivered to: the app's bot in this workspace.
    authorizations: [
      {
        enterprise_id: null,
        team_id: workspace.teamId,
        user_id: workspace.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function innerEvent(
  action: EventAction,
  workspace: SandboxWorkspace,
  now: Date,
): { event: Record<string, unknown>; identity: string } {
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
        team: workspace.teamId,
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
function commandDelivery(
  action: Extract<SandboxAction, { kind: 'command' }>,
  workspace: SandboxWorkspace,
  now: Date,
) {
  const [command = '/community', ...words] = action.text.trim().split(/\s+/);
  const text = words.join(' ');
  const seconds = Math.floor(now.getTime() / 1000);
  const team = workspace === WORKSPACE_A ? '' : `${workspace.teamId}/`;
  const trigger = digest(`command/${team}${action.user}/${action.channel}/${action.text}/${seconds}`);
  const fields = {
    token: 'sandbox-verification-token',
    team_id: workspace.teamId,
    team_domain: workspace.teamDomain,
    channel_id: sandboxChannelId(action.channel),
    channel_name: action.channel,
    user_id: sandboxUserId(action.user),
    user_name: action.user,
    command,
    text,
    api_app_id: SLACK_SANDBOX.appId,
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${workspace.teamId}/${seconds}/sandbox`,
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
