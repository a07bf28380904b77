/**
 * Socket Mode's settings for `npm run dev` (infra/local/slack-socket.ts opens the socket): named here, with
 * the rest of the Slack adapter's settings.
 */
import { ConfigError } from '../../shared/core/errors.js';
import { type Env, requireEnv, urlEnv } from '../../shared/lambda/env.js';
import { DEFAULT_SLACK_API_URL } from './config.js';

/** What Socket Mode needs, read once from the environment `npm run dev` gives the Slack bot. */
export interface SlackSocketConfig {
  /** SLACK_APP_TOKEN: the app-level token (`xapp-`, scope `connections:write`) that opens the socket. */
  readonly appToken: string;
  /** SLACK_SIGNING_SECRET: the secret the dev handler verifies with, so each relayed request is signed with it. */
  readonly signingSecret: string;
  /** SLACK_API_URL: where `apps.connections.open` is called (a fake on loopback in the tests). */
  readonly apiUrl: string;
}

/** Reads the Socket Mode settings: `undefined` without SLACK_APP_TOKEN, an error naming a wrong one. */
export function loadSlackSocketConfig(env: Env): SlackSocketConfig | undefined {
  const appToken = env.SLACK_APP_TOKEN?.trim();
  if (!appToken) return undefined;
  // A bot token here is the usual slip: Slack would answer `not_allowed_token_type`, said better now.
  if (!appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN must be an app-level token (xapp-...; Basic Information > App-Level Tokens, scope connections:write)',
    );
  }
  const apiUrl = urlEnv(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL);
  return Object.freeze({
    appToken,
    signingSecret: requireEnv(env, 'SLACK_SIGNING_SECRET'),
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
  });
}
