import type { Platform } from '../core/events.js';
import type { FakeResponse, FakeServer, ReceivedRequest } from './fake-server.js';

/**
 * What a member does in the sandbox. `user` and `channel` are short names (`alice`, `general`); each
 * platform turns them into ids of its own shape. Ids are deterministic, so saying the same thing twice
 * with the same `messageId` is a redelivery, not a new event. `space` picks the workspace, server or
 * group: `a` (the default) or another short name such as `b`, for trying two communities side by side.
 */
export type SandboxAction = SandboxActivity & { readonly space?: string };

type SandboxActivity =
  | {
      readonly kind: 'message';
      readonly user: string;
      readonly channel: string;
      readonly text: string;
      readonly threadOf?: string;
      readonly messageId?: string;
    }
  | {
      readonly kind: 'reaction';
      readonly user: string;
      readonly channel: string;
      readonly messageId: string;
      readonly emoji: string;
    }
  | { readonly kind: 'join'; readonly user: string; readonly channel: string }
  | { readonly kind: 'command'; readonly user: string; readonly channel: string; readonly text: string }
  | {
      /** A press on a button the bot rendered: its action id and value, as `--press` names them. */
      readonly kind: 'press';
      readonly user: string;
      readonly channel: string;
      readonly actionId: string;
      readonly value?: string;
      /** The message the button sits on, when the platform needs it (Telegram edits that message). */
      readonly messageId?: string;
    };

/** A button as a sandbox member presses it. */
export interface SandboxButton {
  readonly actionId: string;
  readonly value?: string;
}

/** Between the action id and the value in a press string (`link.join:<value>`); the value may hold more. */
const PRESS_SEPARATOR = ':';

/** `<actionId>[:<value>]`: what `npm run say -- --press` takes, and what the sandbox prints under a button. */
export function pressString(button: SandboxButton): string {
  return button.value === undefined ? button.actionId : `${button.actionId}${PRESS_SEPARATOR}${button.value}`;
}

/** A press string read back: split at the first `:`, so a value may itself hold one. */
export function readPressString(text: string): SandboxButton {
  const at = text.indexOf(PRESS_SEPARATOR);
  return at < 0 ? { actionId: text } : { actionId: text.slice(0, at), value: text.slice(at + 1) };
}

/**
 * A button under a message, as the sandbox's `describe` lines show it: its label and what to pass to
 * `npm run say` to press it (`[Join] --press link.join:1f2e…/-2000…`), plus `--id` when the press must name
 * the message (Telegram).
 */
export function describeButton(label: string, button: SandboxButton, messageId?: string): string {
  const id = messageId === undefined ? '' : ` --id ${messageId}`;
  return `[${label}] --press ${pressString(button)}${id}`;
}

/** A request exactly as the platform would send it to our webhook: signed, with its headers. */
export interface SignedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One platform in the sandbox: the webhook path, the fake platform API, the test secrets, and how to
 * produce correctly signed deliveries. Used by `npm run dev`, `npm run say`, the tests and the bench.
 */
export interface PlatformSandbox {
  readonly platform: Platform;
  /** The webhook route, same as in AWS: `/slack/events`, `/discord/interactions`, `/telegram/webhook`. */
  readonly path: string;
  /** Environment for the bot in sandbox mode (documented test secrets), with its API URL set to `apiUrl`. */
  env(apiUrl: string): Record<string, string>;
  /** Starts the fake platform API (see fake-server.ts). */
  startFakeApi(options?: {
    port?: number;
    onRequest?: (request: ReceivedRequest, response: FakeResponse) => void;
  }): Promise<FakeServer>;
  /** One human line saying what the bot did through this API call, or `undefined` for bookkeeping calls. */
  describe(request: ReceivedRequest): string | undefined;
  /**
   * What the bot said in the webhook's own HTTP answer (Slack and Discord answer commands inline), as one
   * human line, or `undefined` when the answer says nothing to a member.
   */
  describeAnswer?(body: string): string | undefined;
  /**
   * Shows the fake platform a delivery signed elsewhere (by `npm run say`, another process), so it knows
   * what a member did that the real platform would know (e.g. that they started the Telegram bot).
   */
  noteDelivery?(body: string): void;
  /** Builds a delivery of `action` signed with the sandbox secrets, timestamped `now`. */
  sign(action: SandboxAction, now?: Date): SignedRequest;
}

/**
 * Sandbox members whose name starts with `mod` are moderators (Slack admin, Discord Manage Server,
 * Telegram administrator), so the refusal and the moderator path can both be tried without an account.
 */
export function isSandboxModerator(user: string): boolean {
  return user.toLowerCase().startsWith('mod');
}
