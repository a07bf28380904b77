import { readFileSync } from 'node:fs';
import { type SandboxWorkspace, SLACK_SANDBOX, signSlackBody } from '../../bots/slack/sandbox.js';
import type { HttpEvent, HttpResult } from '../../shared/lambda/http.js';
import type { FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import { expectedMemberId } from '../support/member-ids.js';

/**
 * Slack deliveries for the Slack tests (slack*.test.ts): documented events made distinct, slash commands,
 * button presses and modal submissions built from the documented fixtures, signed with the sandbox secret,
 * each interaction with its own `trigger_id` and `response_url`; and readers for what the fake Slack
 * received and the table holds.
 */

export const PATH = '/slack/events';
export const JSON_TYPE = 'application/json';
export const FORM = 'application/x-www-form-urlencoded';
export const TEAM = SLACK_SANDBOX.teamId;
/** Moderators of the sandbox workspace, as users.list gives them (sandbox-api.ts). */
export const MODERATORS = ['UMODSAM', 'UMODOWNER', 'UMODLEA'] as const;

let sequence = 0;

/** A fresh id for one delivery, in the shape of a `trigger_id`. */
export function freshId(label: string): string {
  sequence += 1;
  return `${Date.now()}.${sequence}.${label.replace(/[^\w]/g, '')}`;
}

/** A payload as the tests change it: any JSON object, maybe an Events API one. */
export type Json = Record<string, unknown> & { event?: Record<string, unknown> };

export function fixture<T = Json>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8')) as T;
}

/** A delivery signed with the sandbox secret (Slack's documented example secret), timestamped `at` (now). */
export function signed(
  body: string,
  contentType = JSON_TYPE,
  extra: Record<string, string> = {},
  at = new Date(),
): HttpEvent {
  const timestamp = Math.floor(at.getTime() / 1000);
  return httpEvent(PATH, body, {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackBody(SLACK_SANDBOX.signingSecret, timestamp, body),
    ...extra,
  });
}

/** A documented event payload as a distinct delivery: its own event_id and, for messages, its own ts. */
export function variant(name: string, suffix: string): Json {
  const payload = fixture(name);
  const event = { ...payload.event } as Record<string, unknown>;
  if (typeof event.ts === 'string') event.ts = `${event.ts.split('.')[0]}.00000${suffix}`;
  // A reaction is its message, member and emoji: another event is a reaction on another message.
  const item = event.item as Record<string, unknown> | undefined;
  if (typeof item?.ts === 'string') event.item = { ...item, ts: `${item.ts.split('.')[0]}.00000${suffix}` };
  return { ...payload, event, event_id: `Ev${name.replace(/\W/g, '').toUpperCase()}${suffix}` };
}

/**
 * The record key (after `<team>:`): team/channel/ts for messages, channel/message/member/emoji for reactions,
 * event_id for the rest.
 */
export function keyOf(payload: Json): string {
  const event = payload.event as Record<string, string>;
  if (event.type === 'message') return `T123ABC456/${event.channel}/${event.ts}`;
  const item = payload.event as { item?: { channel: string; ts: string } };
  if (event.type === 'reaction_added' && item.item) {
    const member = expectedMemberId('slack', event.user ?? '');
    return `reaction:${item.item.channel}/${item.item.ts}/${member}/${event.reaction}`;
  }
  return String(payload.event_id);
}

/** The records of one event, in whichever workspace it counted for (keys are `EVT#slack:<team>:<id>`). */
export function recordsOf(items: Item[], key: string): Item[] {
  return items.filter(
    (item) => /^EVT#slack:[^:]+:/.test(item.pk?.S ?? '') && item.pk?.S?.endsWith(`:${key}`),
  );
}

export interface Delivery {
  readonly event: HttpEvent;
  readonly triggerId: string;
  /** The interaction's `response_url`, as Slack sends it. */
  readonly responseUrl: string;
  /** Where that `response_url` lands on the fake Slack. */
  readonly hookPath: string;
}

function delivery(body: string, triggerId: string, responseUrl: string, at?: Date): Delivery {
  const event = signed(body, FORM, {}, at);
  return { event, triggerId, responseUrl, hookPath: new URL(responseUrl).pathname };
}

/** Where an interaction comes from and when: the first sandbox workspace, now, unless said otherwise. */
export interface Origin {
  /** A workspace of the sandbox (its team id and domain); the documented example's domain when left out. */
  readonly workspace?: SandboxWorkspace;
  /** When it is signed (and, for a press, its `action_ts`). */
  readonly at?: Date;
}

/**
 * `/community <text>` from the documented slash command form. `expired`: its `response_url` is one the
 * fake Slack refuses as expired (the answer must find another private way).
 */
export function command(
  text: string,
  {
    user = 'UALICE',
    channel = 'CGENERAL',
    expired = false,
    workspace,
    at,
  }: { user?: string; channel?: string; expired?: boolean } & Origin = {},
): Delivery {
  const team = workspace?.teamId ?? TEAM;
  const triggerId = freshId(text || 'help');
  const responseUrl = `https://hooks.slack.com/commands/${team}/${expired ? 'expired/' : ''}${sequence}/cmd`;
  const fields = {
    ...fixture<Record<string, string>>('slash-command.json'),
    team_id: team,
    ...(workspace ? { team_domain: workspace.teamDomain } : {}),
    channel_id: channel,
    user_id: user,
    command: '/community',
    text,
    trigger_id: triggerId,
    response_url: responseUrl,
  };
  return delivery(new URLSearchParams(fields).toString(), triggerId, responseUrl, at);
}

/**
 * A press on a button the bot drew (the documented block_actions payload, our action and value); on an
 * ephemeral message (a slash command's private answer) when `ephemeral`.
 */
export function press(
  button: { readonly actionId: string; readonly value?: string },
  {
    user,
    channel,
    messageTs,
    ephemeral = false,
    workspace = SLACK_SANDBOX,
    at = new Date(),
  }: { user: string; channel: string; messageTs?: string; ephemeral?: boolean } & Origin,
): Delivery {
  const documented = fixture<Record<string, unknown>>('block-actions.json');
  const triggerId = freshId(button.actionId);
  const team = workspace.teamId;
  const responseUrl = `https://hooks.slack.com/actions/${team}/${sequence}/press`;
  const payload = {
    ...documented,
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    team: { id: team, domain: workspace.teamDomain },
    channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'general' },
    container: {
      type: 'message',
      message_ts: messageTs ?? '1700000000.000001',
      channel_id: channel,
      ...(ephemeral ? { is_ephemeral: true } : {}),
    },
    trigger_id: triggerId,
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Press', emoji: true },
        ...(button.value !== undefined ? { value: button.value } : {}),
        action_ts: `${Math.floor(at.getTime() / 1000)}.000100`,
      },
    ],
  };
  return delivery(
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    triggerId,
    responseUrl,
    at,
  );
}

/**
 * A submission of a modal the bot opened (the `view` it sent to views.open, as Slack echoes it), with
 * `values` typed into its plain text inputs.
 */
export function submission(
  opened: ReceivedRequest,
  values: Readonly<Record<string, string>>,
  { user }: { user: string },
): { event: HttpEvent; viewId: string } {
  const view = JSON.parse(String((opened.payload as { view: string }).view)) as Record<string, unknown>;
  const viewId = `V${freshId('view').replace(/\W/g, '').slice(-12)}`;
  const payload = {
    ...fixture<Record<string, unknown>>('view-submission.json'),
    team: { id: TEAM, domain: 'sandbox' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    trigger_id: freshId('submit'),
    view: {
      ...view,
      id: viewId,
      team_id: TEAM,
      state: {
        values: Object.fromEntries(
          Object.entries(values).map(([field, value]) => [
            field,
            { [field]: { type: 'plain_text_input', value } },
          ]),
        ),
      },
    },
  };
  return {
    event: signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM),
    viewId,
  };
}

/** The JSON body of a webhook answer (a slash command's acknowledgement), or undefined when empty. */
export function ackBody(result: HttpResult): Record<string, unknown> | undefined {
  return result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined;
}

/** What the fake Slack received at `path` (a hook, or `/api/<method>`), oldest first. */
export function received(api: FakeServer, path: string): ReceivedRequest[] {
  return api.requests.filter((request) => request.path === path);
}

/** Posts the bot made in a member's DM with the app (chat.postMessage to their user id). */
export function dmsTo(api: FakeServer, user: string): ReceivedRequest[] {
  return received(api, '/api/chat.postMessage').filter(
    (request) => (request.payload as { channel?: string }).channel === user,
  );
}

/** The Block Kit buttons of a message the bot sent through the Web API. */
export function buttonsOf(request: ReceivedRequest): { action_id: string; value?: string }[] {
  const blocks = JSON.parse(String((request.payload as { blocks?: string }).blocks ?? '[]')) as {
    type: string;
    elements?: { action_id: string; value?: string }[];
  }[];
  return blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

/** A payload field of a fake Slack request, as text. */
export function field(request: ReceivedRequest | undefined, name: string): string | undefined {
  const value = (request?.payload as Record<string, unknown> | undefined)?.[name];
  return value === undefined ? undefined : String(value);
}

/** Sends `/community feedback <note>` as UALICE and returns the Mark as read button moderator UMODLEA got. */
export async function deliveredNote(
  bot: BotUnderTest,
  note: string,
): Promise<{ actionId: string; value: string }> {
  await bot.handler(command(`feedback ${note}`, { user: 'UALICE' }).event);
  await bot.lambda.idle();
  const dm = dmsTo(bot.api, 'UMODLEA').find((request) => field(request, 'text')?.includes(note));
  const button = dm ? buttonsOf(dm)[0] : undefined;
  if (!button?.value) throw new Error('no Mark as read button');
  return { actionId: button.action_id, value: button.value };
}
