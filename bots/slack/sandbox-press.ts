import { createHash } from 'node:crypto';
import { describeButton, type SandboxAction } from '../../shared/platform/sandbox.js';
import { SLACK_HOOKS_ORIGIN } from './config.js';
import {
  type SandboxWorkspace,
  SLACK_SANDBOX,
  sandboxChannelId,
  sandboxTs,
  sandboxUserId,
} from './sandbox.js';

/**
 * TEST ONLY. Button presses in the Slack sandbox (`npm run say -- --press <actionId>[:<value>]`): the
 * `block_actions` interaction payload Slack posts when a member presses a Block Kit button, form-encoded as
 * `payload=<json>` as Slack sends it; and, for the sandbox's describe lines, each button of a message the
 * bot sent with the press string that presses it.
 */

type SandboxPress = Extract<SandboxAction, { kind: 'press' }>;

/** The sandbox channel name of a member's DM with the app. */
const DM_CHANNEL = 'dm';

/**
 * The `block_actions` payload for `press`, as Slack's interactivity reference documents it: who pressed
 * (user, team), where (channel, container), which button (actions[0]: action_id, value, type `button`),
 * and how to answer (a `response_url` on Slack's hooks origin, which SLACK_HOOKS_URL maps to the fake
 * Slack; a `trigger_id`, which is also the press's id: the same press in the same second is a redelivery).
 * A press in `dm` is one in the member's DM with the app (`D...`, where the fake posts DMs).
 */
export function slackPressDelivery(
  press: SandboxPress,
  workspace: SandboxWorkspace,
  now: Date,
): { body: string; contentType: string } {
  const user = sandboxUserId(press.user);
  const inDm = press.channel === DM_CHANNEL;
  const channel = inDm ? `D${user.slice(1)}` : sandboxChannelId(press.channel);
  const seconds = Math.floor(now.getTime() / 1000);
  const trigger = digest(`press/${workspace.teamId}/${JSON.stringify(press)}/${seconds}`);
  const payload = {
    type: 'block_actions',
    user: { id: user, username: press.user, name: press.user, team_id: workspace.teamId },
    api_app_id: SLACK_SANDBOX.appId,
    token: 'sandbox-verification-token',
    // Without a message id the button sits on a private (ephemeral) answer, where the bot's buttons are.
    container: {
      type: 'message',
      message_ts: press.messageId ? sandboxTs(press.messageId) : `${seconds}.000100`,
      channel_id: channel,
      is_ephemeral: !press.messageId,
    },
    trigger_id: `${seconds}.${parseInt(trigger.slice(0, 8), 16)}.${trigger.slice(8, 40)}`,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    is_enterprise_install: false,
    channel: { id: channel, name: inDm ? 'directmessage' : press.channel },
    response_url: `${SLACK_HOOKS_ORIGIN}/actions/${workspace.teamId}/${seconds}/${trigger.slice(40, 56)}`,
    actions: [
      {
        action_id: press.actionId,
        block_id: 'sandbox',
        text: { type: 'plain_text', text: press.actionId, emoji: true },
        ...(press.value === undefined ? {} : { value: press.value }),
        type: 'button',
        action_ts: `${seconds}.${String(now.getTime() % 1000).padStart(3, '0')}000`,
      },
    ],
  };
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

/**
 * A describe line with the buttons of the message it describes, each with what `npm run say` takes to
 * press it (` [Join] --press link.join:…`). `message`: what the bot sent (Web API arguments, a
 * `response_url` body or an acknowledgement), whose `blocks` are a list or, as the Web API form sends
 * them, JSON text.
 */
export function withPressStrings(line: string | undefined, message: unknown): string | undefined {
  if (line === undefined) return undefined;
  const buttons = buttonsOf((message as { blocks?: unknown } | undefined)?.blocks);
  return `${line}${buttons.map((button) => ` ${button}`).join('')}`;
}

interface BlockButton {
  readonly type?: string;
  readonly action_id?: string;
  readonly value?: string;
  readonly text?: { readonly text?: string };
}

function buttonsOf(blocks: unknown): string[] {
  const list = typeof blocks === 'string' ? parseJson(blocks) : blocks;
  if (!Array.isArray(list)) return [];
  return (list as { type?: string; elements?: BlockButton[] }[])
    .flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []))
    .filter((element) => element.type === 'button' && typeof element.action_id === 'string')
    .map((element) =>
      describeButton(element.text?.text ?? '', {
        actionId: String(element.action_id),
        ...(element.value === undefined ? {} : { value: element.value }),
      }),
    );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
