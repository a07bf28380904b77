import type { SpacesMode } from '../../shared/core/communities/model.js';
import { ConfigError } from '../../shared/core/errors.js';
import type { Pseudonyms } from '../../shared/core/members/pseudonyms.js';
import { type Env, loadSpacesMode, loadStoreConfig, requireEnv, urlEnv } from '../../shared/lambda/env.js';
import { type LaterConfig, loadLaterConfig } from '../../shared/lambda/later-queue.js';
import { loadPseudonyms } from '../../shared/lambda/member-key.js';
import { loadWakeConfig, type WakeConfig } from '../../shared/lambda/wake.js';
import type { PlatformSetting } from '../../shared/platform/descriptor.js';
import type { StoreConfig } from '../../shared/store/client.js';
import type { BotIdentity } from './parse.js';
import { type SlackSecrets, slackSecretSource } from './secrets.js';

/** Slack's Web API root; the WebClient appends the method name (`users.info`). */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * Where Slack's `response_url`s live. The bot posts only to URLs on this origin (never with the bot token);
 * SLACK_HOOKS_URL maps it elsewhere, the way SLACK_API_URL maps the Web API.
 */
export const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';

/** The Slack bot's environment and where each value lives in AWS (its descriptor publishes this list). */
export const SLACK_SETTINGS = [
  { name: 'SLACK_SIGNING_SECRET', source: 'secret', description: 'signing secret of the Slack app' },
  {
    name: 'SLACK_BOT_TOKEN',
    source: 'secret',
    description:
      '`xoxb-` bot token of the one workspace served; empty to serve every workspace that installs the app',
  },
  {
    name: 'SLACK_BOT_ID',
    source: 'parameter',
    description: 'Slack bot id (B...) with SLACK_BOT_TOKEN, given to Bolt so it never calls auth.test',
    // Empty when the bot serves many workspaces: each installation carries its own ids.
    parameter: { id: 'SlackBotId', pattern: '^(B[A-Z0-9]+)?$' },
  },
  {
    name: 'SLACK_BOT_USER_ID',
    source: 'parameter',
    description: "Slack bot's user id (U... or W...) with SLACK_BOT_TOKEN; its own events are never recorded",
    parameter: { id: 'SlackBotUserId', pattern: '^([UW][A-Z0-9]+)?$' },
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
   * SLACK_BOT_ID and SLACK_BOT_USER_ID: the one workspace's bot (`B...`, `U...`), handed to Bolt so it never
   * calls `auth.test`; its own messages and events are never recorded. Required with SLACK_BOT_TOKEN; unused
   * when the bot serves many workspaces (each installation carries its own ids).
   */
  readonly bot?: BotIdentity;
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
   * SLACK_SIGNING_SECRET and (one workspace) SLACK_BOT_TOKEN from the environment or, with only
   * SLACK_SECRET_ARN set, from Secrets Manager through the Lambda secrets extension on the first invocation
   * (never at cold start). No bot token: every workspace that installed the app is served with its own.
   */
  readonly secrets: () => Promise<SlackSecrets>;
  /** AWS_LAMBDA_FUNCTION_NAME and, locally, LAMBDA_ENDPOINT: where later work (stats, feedback) is handed. */
  readonly later: LaterConfig;
  /** SPACES_MODE: whether a new workspace is served at once (`open`) or once linked or approved. */
  readonly spacesMode: SpacesMode;
  /**
   * MEMBER_KEY, or in AWS the secret named by MEMBERS_SECRET_ARN: the key of opaque member ids, shared by the
   * three bots (shared/lambda/member-key.ts). Read on the first event, never at start.
   */
  readonly pseudonyms: () => Promise<Pseudonyms>;
  /** OUTBOX_FUNCTION_NAME and, locally, LAMBDA_ENDPOINT: the outbox worker a message due now wakes. */
  readonly wake: WakeConfig;
}

/**
 * What the outbox worker's Slack transport (outbox.ts) needs of the same settings: where the Web API is and
 * which bot speaks where (SLACK_BOT_TOKEN's one workspace, or every installation in the table).
 */
export type SlackOutboxConfig = Pick<SlackConfig, 'bot' | 'apiUrl' | 'secrets'>;

/** Reads the settings the outbox transport needs; like {@link loadSlackConfig}, nothing is fetched yet. */
export function loadSlackOutboxConfig(env: Env): SlackOutboxConfig {
  const bot = loadBotIdentity(env);
  return Object.freeze({
    ...(bot ? { bot } : {}),
    apiUrl: withTrailingSlash(urlEnv(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL)),
    secrets: slackSecretSource(env),
  });
}

/** Reads the Slack bot's settings; a missing or invalid one fails at start, naming the variable. */
export function loadSlackConfig(env: Env): SlackConfig {
  const bot = loadBotIdentity(env);
  return Object.freeze({
    ...(bot ? { bot } : {}),
    apiUrl: withTrailingSlash(urlEnv(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL)),
    hooksUrl: urlEnv(env, 'SLACK_HOOKS_URL', SLACK_HOOKS_ORIGIN).replace(/\/+$/, ''),
    store: loadStoreConfig(env),
    later: loadLaterConfig(env),
    secrets: slackSecretSource(env),
    spacesMode: loadSpacesMode(env),
    pseudonyms: loadPseudonyms(env),
    wake: loadWakeConfig(env),
  });
}

/**
 * The one workspace's bot ids. With SLACK_BOT_TOKEN in the environment they are required at once; in AWS the
 * token is only known once the secret is read, so there they are checked then ({@link requireBotIdentity}).
 */
function loadBotIdentity(env: Env): BotIdentity | undefined {
  if (env.SLACK_BOT_TOKEN?.trim()) {
    return { botId: requireEnv(env, 'SLACK_BOT_ID'), botUserId: requireEnv(env, 'SLACK_BOT_USER_ID') };
  }
  const botId = env.SLACK_BOT_ID?.trim();
  const botUserId = env.SLACK_BOT_USER_ID?.trim();
  return botId && botUserId ? { botId, botUserId } : undefined;
}

/** The one workspace's bot ids, which SLACK_BOT_TOKEN needs (it is never checked with `auth.test`). */
export function requireBotIdentity(config: Pick<SlackConfig, 'bot'>): BotIdentity {
  if (!config.bot) {
    throw new ConfigError(
      'Missing environment variable SLACK_BOT_ID or SLACK_BOT_USER_ID (needed with SLACK_BOT_TOKEN)',
    );
  }
  return config.bot;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
