import { type Env, loadStoreConfig, requireEnv, urlEnv } from '../../shared/lambda/env.js';
import { type LaterConfig, loadLaterConfig } from '../../shared/lambda/later-queue.js';
import { type SecretSource, secretSource } from '../../shared/lambda/secrets.js';
import type { PlatformSetting } from '../../shared/platform/descriptor.js';
import type { StoreConfig } from '../../shared/store/client.js';

/** Slack's Web API root; the WebClient appends the method name (`users.info`). */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * Where Slack's `response_url`s live. The bot posts only to URLs on this origin (never with the bot token);
 * SLACK_HOOKS_URL maps it elsewhere, the way SLACK_API_URL maps the Web API.
 */
export const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';

/** The secret values the Slack bot needs; locally from the environment, in AWS from SLACK_SECRET_ARN. */
export type SlackSecretName = 'SLACK_SIGNING_SECRET' | 'SLACK_BOT_TOKEN';

/** The Slack bot's environment and where each value lives in AWS (its descriptor publishes this list). */
export const SLACK_SETTINGS = [
  { name: 'SLACK_SIGNING_SECRET', source: 'secret', description: 'signing secret of the Slack app' },
  { name: 'SLACK_BOT_TOKEN', source: 'secret', description: '`xoxb-` bot token' },
  {
    name: 'SLACK_BOT_ID',
    source: 'parameter',
    description: 'Slack bot id (B...), given to Bolt so it never calls auth.test',
    parameter: { id: 'SlackBotId', pattern: '^B[A-Z0-9]+$' },
  },
  {
    name: 'SLACK_BOT_USER_ID',
    source: 'parameter',
    description: "Slack bot's user id (U... or W...); its own events are never recorded",
    parameter: { id: 'SlackBotUserId', pattern: '^[UW][A-Z0-9]+$' },
  },
  {
    name: 'SLACK_API_URL',
    source: 'optional',
    description: 'Web API base, default `https://slack.com/api/`',
  },
  {
    name: 'SLACK_HOOKS_URL',
    source: 'optional',
    description: "where `response_url`s on `https://hooks.slack.com` are posted, default Slack's own",
  },
] as const satisfies readonly PlatformSetting[];

/** What the Slack Events API / slash command / interactivity endpoint needs, read once per cold start. */
export interface SlackConfig {
  /**
   * SLACK_BOT_ID: the bot's id (`B...`), handed to Bolt so it never calls `auth.test` to learn it. Bot
   * messages carrying it are our own and are never recorded.
   */
  readonly botId: string;
  /** SLACK_BOT_USER_ID: the bot's user id (`U...`); events by this user are the bot's own, never recorded. */
  readonly botUserId: string;
  /**
   * SLACK_API_URL: the Web API root, `https://slack.com/api/` unless set (tests and the sandbox point it at a
   * fake server on loopback). Always ends with a slash, as the WebClient expects.
   */
  readonly apiUrl: string;
  /**
   * SLACK_HOOKS_URL: where a `response_url` on {@link SLACK_HOOKS_ORIGIN} is posted, that origin unless set
   * (tests and the sandbox point it at the fake server). Never ends with a slash.
   */
  readonly hooksUrl: string;
  /** TABLE_NAME and, locally, DYNAMODB_ENDPOINT. */
  readonly store: StoreConfig;
  /**
   * SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN from the environment or, with only SLACK_SECRET_ARN set, from
   * Secrets Manager through the Lambda secrets extension on the first invocation (never at cold start).
   */
  readonly secrets: SecretSource<SlackSecretName>;
  /** AWS_LAMBDA_FUNCTION_NAME and, locally, LAMBDA_ENDPOINT: where later work (stats, feedback) is handed. */
  readonly later: LaterConfig;
}

/** Reads the Slack bot's settings; a missing or invalid one fails at start, naming the variable. */
export function loadSlackConfig(env: Env): SlackConfig {
  return Object.freeze({
    botId: requireEnv(env, 'SLACK_BOT_ID'),
    botUserId: requireEnv(env, 'SLACK_BOT_USER_ID'),
    apiUrl: withTrailingSlash(urlEnv(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL)),
    hooksUrl: urlEnv(env, 'SLACK_HOOKS_URL', SLACK_HOOKS_ORIGIN).replace(/\/+$/, ''),
    store: loadStoreConfig(env),
    later: loadLaterConfig(env),
    secrets: secretSource<SlackSecretName>(
      env,
      ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'],
      'SLACK_SECRET_ARN',
    ),
  });
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
