import type { FakeResponse, FakeRoute, ReceivedRequest } from '../../shared/platform/fake-server.js';
import { isSandboxModerator } from '../../shared/platform/sandbox.js';
import {
  AUTHORIZE_PATH,
  type FakeInstallTarget,
  type FakeSlackApp,
  fakeSlackInstalls,
  type IssuedToken,
} from './sandbox-install.js';
import {
  createFakeSlackTraffic,
  directChannelOf,
  type FakeSlackTraffic,
  outboxReads,
  readMetadata,
} from './sandbox-outbox.js';

/**
 * The fake Slack behind the sandbox and the tests: the Web API (`/api/<method>`, what SLACK_API_URL points
 * at) and the hooks Slack's `response_url`s post to (`/commands|actions|app/...`, what SLACK_HOOKS_URL
 * points at), on one loopback server. It answers in Slack's documented shapes and refuses what Slack
 * refuses, so that the bot's fallbacks can be seen working:
 *
 * - a channel whose id starts with `CNOBOT` (`#nobot-...`) does not have the bot: `not_in_channel`;
 * - a DM to a deactivated member (`UMODGONE`, any `UGONE...`) is refused `user_disabled`, to a bot
 *   `cannot_dm_bot`; a DM lands in a `D...` channel, as on Slack;
 * - a `response_url` whose path contains `/expired` answers 404 `expired_url`;
 * - a `trigger_id` containing `expired` cannot open a modal: `expired_trigger_id`;
 * - `users.list` returns at most {@link USERS_PER_PAGE} members per page (Slack may return fewer than the
 *   `limit` asked and still have more), so a caller must follow the cursor.
 *
 * It serves several workspaces: each bot token belongs to one (the first workspace's is issued up front,
 * the others' by the install flow of sandbox-install.ts), and every Web API answer is that workspace's.
 * A token it never issued is `invalid_auth`.
 */

/** Where the fake serves the Web API, like https://slack.com/api/<method>. */
export const API_PREFIX = '/api/';

/** Who the fake Slack serves: the app, its workspaces (the first installed up front) and an organisation. */
export interface FakeSlackSetup {
  readonly app: FakeSlackApp;
  /** The first workspace's bot token, issued before any install flow. */
  readonly botToken: string;
  readonly workspaces: readonly [FakeInstallTarget, ...FakeInstallTarget[]];
  /** An Enterprise Grid organisation: installing there is org-wide. */
  readonly enterprise: FakeInstallTarget;
}

const HOOK_PATH = /^\/(commands|actions|app)\//;
const USERS_PER_PAGE = 3;
/** Slack's limits for what the bot sends (Block Kit and modal reference pages). */
const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  text: 40_000,
  modalLabel: 24,
  modalBlocks: 100,
  homeBlocks: 100,
} as const;
const LIMITS_VIEW = { inputLabel: 2000, inputLength: 3000, metadata: 3000, callbackId: 255 } as const;
/** What `users.list` says as every member's last update. */
const TS_EPOCH_SECONDS = 1_700_000_000;

interface DirectoryUser {
  readonly id: string;
  readonly name: string;
  readonly is_admin?: boolean;
  readonly is_owner?: boolean;
  readonly is_primary_owner?: boolean;
  readonly is_bot?: boolean;
  readonly deleted?: boolean;
}

/** A workspace's members as `users.list` pages them; anyone else is looked up by name rule. */
function directory(workspace: FakeInstallTarget): readonly DirectoryUser[] {
  return [
    // Slackbot is listed as a member, not a bot.
    { id: 'USLACKBOT', name: 'slackbot' },
    { id: 'UALICE', name: 'alice' },
    { id: 'UMODSAM', name: 'modsam', is_admin: true },
    { id: workspace.botUserId, name: 'community-bot', is_bot: true },
    { id: 'UMODGONE', name: 'modgone', is_admin: true, deleted: true },
    { id: 'UBOB', name: 'bob' },
    { id: 'UMODOWNER', name: 'modowner', is_owner: true, is_primary_owner: true },
    { id: 'UMODLEA', name: 'modlea', is_admin: true },
  ];
}

type Args = Record<string, string | undefined>;

/**
 * The fake's route: one per server, since it remembers the messages posted (for update and delete) and the
 * tokens and codes it issued. `traffic` counts the outbox's calls against Slack's limits, rolls its faults
 * and keeps what was delivered (sandbox-outbox.ts).
 */
export function fakeSlackRoute(
  setup: FakeSlackSetup,
  traffic: FakeSlackTraffic = createFakeSlackTraffic(),
): FakeRoute {
  const tokens = new Map<string, IssuedToken>([
    [setup.botToken, { target: setup.workspaces[0], orgWide: false }],
  ]);
  const installs = fakeSlackInstalls(setup.app, setup.workspaces, setup.enterprise, tokens);
  const posted = new Set<string>();
  return (request: ReceivedRequest): FakeResponse => {
    if (HOOK_PATH.test(request.path)) return answerHook(request);
    if (request.path === AUTHORIZE_PATH) return installs.authorize(request);
    if (!request.path.startsWith(API_PREFIX)) return { status: 404, body: { ok: false, error: 'not_found' } };
    const method = request.path.slice(API_PREFIX.length);
    const args = (request.payload ?? {}) as Args;
    const auth = request.headers.authorization;
    if (method === 'oauth.v2.access')
      return { body: installs.access(args, typeof auth === 'string' ? auth : undefined) };
    if (!auth) return { body: { ok: false, error: 'not_authed' } };
    const issued = tokens.get(String(auth).replace(/^Bearer /, ''));
    if (!issued) return { body: { ok: false, error: 'invalid_auth' } };
    // Limits count per workspace, chat.postMessage per channel (a user id posts in that member's DM).
    const scope = method === 'chat.postMessage' ? `:${directChannelOf(args.channel ?? '')}` : '';
    const admitted = traffic.admit(method, `${issued.target.id}${scope}`);
    if ('answer' in admitted) return admitted.answer;
    const methods = workspaceMethods(issued, posted, traffic);
    const body = methods[method]?.(args) ?? { ok: false, error: 'unknown_method' };
    return admitted.drop ? { drop: true } : { body };
  };
}

/** The Web API of one workspace, as its bot token sees it. */
function workspaceMethods(
  { target: workspace, orgWide }: IssuedToken,
  posted: Set<string>,
  traffic: FakeSlackTraffic,
): Record<string, (args: Args) => object> {
  const nextTs = () => traffic.nextTs();
  const members = directory(workspace);
  const userOf = (id: string): DirectoryUser & { readonly team_id: string } => {
    const listed = members.find((member) => member.id === id);
    const name = id.slice(1).toLowerCase();
    return {
      team_id: workspace.id,
      ...(listed ?? { id, name, is_admin: isSandboxModerator(name), deleted: id.startsWith('UGONE') }),
    };
  };

  /** Why Slack would refuse a message to `channel`, if it would. */
  const refusal = (channel: string | undefined): string | undefined => {
    if (!channel) return 'channel_not_found';
    if (channel.startsWith('CNOBOT')) return 'not_in_channel';
    if (!/^[UW]/.test(channel)) return undefined;
    const user = userOf(channel);
    if (user.deleted) return 'user_disabled';
    if (user.is_bot) return 'cannot_dm_bot';
    return undefined;
  };

  return {
    'users.info': (args) => ({ ok: true, user: fullUser(userOf(args.user ?? '')) }),
    'users.list': (args) => {
      const start = Number(/^page:(\d+)$/.exec(args.cursor ?? '')?.[1] ?? 0);
      const size = Math.min(Number(args.limit) || USERS_PER_PAGE, USERS_PER_PAGE);
      const page = members.slice(start, start + size).map((user) => fullUser(userOf(user.id)));
      const next = start + size < members.length ? `page:${start + size}` : '';
      return { ok: true, members: page, response_metadata: { next_cursor: next } };
    },
    'auth.test': () => authTest(workspace, orgWide),
    'chat.postMessage': (args) => {
      const metadata = readMetadata(args.metadata);
      const refused = refusal(args.channel) ?? messageProblem(args);
      if (refused || metadata === 'invalid_metadata_format') return { ok: false, error: refused ?? metadata };
      const channel = directChannelOf(args.channel ?? '');
      const ts = nextTs();
      posted.add(`${channel}/${ts}`);
      traffic.deliver({
        team: workspace.id,
        channel,
        ts,
        ...(args.thread_ts ? { threadTs: args.thread_ts } : {}),
        text: args.text ?? '',
        botId: workspace.botId,
        ...(metadata ? { metadata } : {}),
      });
      return { ok: true, channel, ts, message: { text: args.text, ts } };
    },
    ...outboxReads(workspace.id, posted, traffic, refusal),
    'chat.postEphemeral': (args) => {
      const refused = refusal(args.channel) ?? (args.user ? messageProblem(args) : 'user_not_found');
      return refused ? { ok: false, error: refused } : { ok: true, message_ts: nextTs() };
    },
    'chat.update': (args) => {
      if (!posted.has(`${args.channel}/${args.ts}`)) return { ok: false, error: 'message_not_found' };
      const problem = messageProblem(args);
      return problem ? { ok: false, error: problem } : { ok: true, channel: args.channel, ts: args.ts };
    },
    'chat.delete': (args) =>
      posted.delete(`${args.channel}/${args.ts}`)
        ? { ok: true, channel: args.channel, ts: args.ts }
        : { ok: false, error: 'message_not_found' },
    'views.open': (args) => {
      if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
      if (args.trigger_id.includes('expired')) return { ok: false, error: 'expired_trigger_id' };
      const problem = viewProblem(args.view);
      if (problem)
        return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [problem] } };
      const id = nextTs().replace('.', '');
      return { ok: true, view: { ...(parseJson(args.view ?? '') as object), id: `V0SANDBOX${id}` } };
    },
    // The member's App Home tab, replaced whole; what it received stays in the server's requests.
    'views.publish': (args) => {
      if (!args.user_id) return { ok: false, error: 'invalid_arguments' };
      if (userOf(args.user_id).deleted) return { ok: false, error: 'user_not_found' };
      const view = parseJson(args.view ?? '') as { type?: string; blocks?: unknown } | undefined;
      const blocks = JSON.stringify(view?.blocks ?? null);
      if (view?.type !== 'home' || messageProblem({ blocks }, LIMITS.homeBlocks)) {
        return { ok: false, error: 'invalid_arguments' };
      }
      return { ok: true, view: { ...view, id: `V0HOME${args.user_id}` } };
    },
  };
}

/** A `response_url` post: `ok` as text, or the documented refusal. */
function answerHook(request: ReceivedRequest): FakeResponse {
  if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
  if (request.path.includes('/expired')) return { status: 404, body: 'expired_url' };
  const body = request.payload as { text?: unknown; blocks?: unknown; delete_original?: unknown } | string;
  if (typeof body !== 'object' || body === null) return { status: 400, body: 'invalid_payload' };
  if (!body.text && !body.blocks && !body.delete_original) return { status: 400, body: 'no_text' };
  return { status: 200, body: 'ok' };
}

/** Why Slack would refuse this message's text or blocks, if it would. */
function messageProblem(args: Args, blockLimit: number = LIMITS.blocks): string | undefined {
  if (!args.text && !args.blocks) return 'no_text';
  if ((args.text ?? '').length > LIMITS.text) return 'msg_too_long';
  if (!args.blocks) return undefined;
  const blocks = parseJson(args.blocks) as { type?: string; text?: { text?: string } }[] | undefined;
  if (!Array.isArray(blocks) || blocks.length > blockLimit) return 'invalid_blocks';
  const tooLong = blocks.some((block) => (block.text?.text ?? '').length > LIMITS.sectionText);
  return tooLong ? 'invalid_blocks' : undefined;
}

/** What is wrong with a modal for `views.open`, in Slack's words, if anything. */
function viewProblem(text: string | undefined): string | undefined {
  const view = parseJson(text ?? '') as
    | {
        type?: string;
        title?: { text?: string };
        submit?: { text?: string };
        callback_id?: string;
        private_metadata?: string;
        blocks?: { type?: string; label?: { text?: string }; element?: { max_length?: number } }[];
      }
    | undefined;
  if (view?.type !== 'modal') return '[ERROR] must be a modal [json-pointer:/view/type]';
  const label = (value: { text?: string } | undefined) => (value?.text ?? '').length;
  if (!label(view.title) || label(view.title) > LIMITS.modalLabel) return '[ERROR] title too long';
  if (label(view.submit) > LIMITS.modalLabel) return '[ERROR] submit too long';
  if ((view.callback_id ?? '').length > LIMITS_VIEW.callbackId) return '[ERROR] callback_id too long';
  if ((view.private_metadata ?? '').length > LIMITS_VIEW.metadata) return '[ERROR] private_metadata too long';
  const blocks = view.blocks ?? [];
  if (blocks.length === 0 || blocks.length > LIMITS.modalBlocks) return '[ERROR] blocks';
  const bad = blocks.find(
    (block) =>
      block.type === 'input' &&
      (label(block.label) > LIMITS_VIEW.inputLabel ||
        (block.element?.max_length ?? 0) > LIMITS_VIEW.inputLength),
  );
  return bad ? '[ERROR] input label or max_length too long' : undefined;
}

/** A `users.info` / `users.list` user object. */
function fullUser(user: DirectoryUser & { readonly team_id: string }) {
  return {
    id: user.id,
    team_id: user.team_id,
    name: user.name,
    deleted: user.deleted ?? false,
    real_name: user.name,
    is_admin: user.is_admin ?? false,
    is_owner: user.is_owner ?? false,
    is_primary_owner: user.is_primary_owner ?? false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.is_bot ?? false,
    is_app_user: false,
    updated: TS_EPOCH_SECONDS,
  };
}

/** `auth.test` for a bot token: where it speaks and as whom (an org-wide token names its organisation). */
function authTest(workspace: FakeInstallTarget, orgWide: boolean) {
  return {
    ok: true,
    url: orgWide
      ? `https://${workspace.domain}.enterprise.slack.com/`
      : `https://${workspace.domain}.slack.com/`,
    team: workspace.name,
    user: 'community-bot',
    team_id: orgWide ? null : workspace.id,
    ...(orgWide ? { enterprise_id: workspace.id } : {}),
    user_id: workspace.botUserId,
    bot_id: workspace.botId,
    is_enterprise_install: orgWide,
  };
}

/** One human line saying what the bot did through this call, or `undefined` for bookkeeping calls. */
export function describeSlackCall(request: ReceivedRequest): string | undefined {
  if (HOOK_PATH.test(request.path)) return describeHook(request.payload);
  if (request.path === AUTHORIZE_PATH) {
    const team = request.query.get('team');
    return `showed the install page${team ? ` for ${team}` : ''}`;
  }
  const line = describeApiCall(request.path.slice(API_PREFIX.length), (request.payload ?? {}) as Args);
  // Tokens issued by the install flow name their workspace: say where the bot spoke.
  const team = /xoxb-sandbox-([A-Z0-9]+)-\d+$/.exec(String(request.headers.authorization ?? ''))?.[1];
  return line && team ? `[${team}] ${line}` : line;
}

function describeApiCall(method: string, args: Args): string | undefined {
  switch (method) {
    case 'oauth.v2.access':
      return 'exchanged an installation code for a bot token';
    case 'users.info': {
      const role = isSandboxModerator(String(args.user ?? '').slice(1)) ? 'a workspace admin' : 'a member';
      return `looked up ${args.user} (moderator check): ${role}`;
    }
    case 'chat.postMessage':
      return /^[UW]/.test(args.channel ?? '')
        ? `said privately to ${args.channel} in their DM: ${args.text}`
        : `said in ${args.channel}: ${args.text}`;
    case 'chat.postEphemeral':
      return `said privately to ${args.user} in ${args.channel}: ${args.text}`;
    case 'chat.update':
      return `changed its message in ${args.channel} to: ${args.text}`;
    case 'chat.delete':
      return `deleted its message in ${args.channel}`;
    case 'views.publish':
      return `showed ${args.user_id} their home`;
    case 'views.open': {
      const view = parseJson(args.view ?? '') as { title?: { text?: string } } | undefined;
      return `opened the form "${view?.title?.text ?? ''}"`;
    }
    default:
      return undefined;
  }
}

function describeHook(payload: unknown): string | undefined {
  const body = (payload ?? {}) as { text?: string; response_type?: string; replace_original?: boolean };
  if (!body.text) return undefined;
  if (body.replace_original) return `changed the pressed message to: ${body.text}`;
  return `${body.response_type === 'in_channel' ? 'said publicly' : 'said privately'}: ${body.text}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
