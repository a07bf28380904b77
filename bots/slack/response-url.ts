import { CommunityError } from '../../shared/core/errors.js';
import { SLACK_HOOKS_ORIGIN } from './config.js';

/**
 * Answers through an interaction's `response_url`: Slack's way to answer a command, a press or a modal's
 * opener after the 3-second acknowledgement (up to five times within 30 minutes), ephemerally where the
 * member asked, even in a channel the bot is not in.
 *
 * The URL comes in a signed payload, but it is still only posted to when it is one of Slack's hooks
 * (`https://hooks.slack.com/commands|actions|app/...`), and never with the bot token: a `response_url`
 * needs no credentials, so a mistaken URL can never carry one away.
 */

/** The paths Slack's `response_url`s take: slash commands, interactions (`actions`), shortcuts and workflows. */
const HOOK_PATHS = ['/commands/', '/actions/', '/app/'];

/** A hook call gets as long as a Web API call: inside a request the 3-second window is shared. */
const HOOK_TIMEOUT_MS = 2000;

/** Longest refusal text kept for a log line. */
const REASON_LIMIT = 80;

/** Slack answered a `response_url` with a transient failure (429, 5xx) or not at all: worth a retry. */
export class SlackHookError extends CommunityError {
  override readonly name = 'SlackHookError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('slack_hook_failed', message, options);
  }
}

/** What became of a post to a `response_url`. */
export type HookResult =
  | { readonly kind: 'sent' }
  /** Slack refused it for good (`expired_url`, `used_url`, `invalid_payload`, ...): try another way. */
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * The URL to post to for a `response_url`: its path on `hooksUrl` (Slack's own hooks origin unless
 * SLACK_HOOKS_URL maps it), or `undefined` when the URL is not one of Slack's hooks. The path is read after
 * URL normalisation, so `/commands/../api` does not pass as a hook.
 */
export function hookTarget(responseUrl: string, hooksUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return undefined;
  }
  if (url.origin !== SLACK_HOOKS_ORIGIN || url.username || url.password) return undefined;
  if (!HOOK_PATHS.some((path) => url.pathname.startsWith(path))) return undefined;
  return `${hooksUrl}${url.pathname}${url.search}`;
}

/** Posts `body` as JSON to a hook URL from {@link hookTarget}, without credentials. */
export async function postToHook(target: string, body: object): Promise<HookResult> {
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
    });
  } catch (error) {
    throw new SlackHookError('The response_url did not answer', { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { kind: 'sent' };
  if (response.status === 429 || response.status >= 500) {
    throw new SlackHookError(`The response_url answered ${response.status}`);
  }
  return { kind: 'refused', reason: `${response.status} ${refusalOf(text)}` };
}

/** Slack answers a refused hook with a bare code (`expired_url`) or, lately, JSON with `error`. */
function refusalOf(text: string): string {
  let reason = text.trim();
  try {
    const parsed = JSON.parse(reason) as { error?: unknown };
    if (typeof parsed?.error === 'string') reason = parsed.error;
  } catch {
    // A bare code, as documented.
  }
  return reason.slice(0, REASON_LIMIT) || 'no reason given';
}
