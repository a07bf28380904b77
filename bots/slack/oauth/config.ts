import type { SpacesMode } from '../../../shared/core/communities/model.js';
import { ConfigError } from '../../../shared/core/errors.js';
import { type Env, loadSpacesMode, loadStoreConfig, urlEnv } from '../../../shared/lambda/env.js';
import { type SecretSource, secretSource } from '../../../shared/lambda/secrets.js';
import type { PlatformSetting } from '../../../shared/platform/descriptor.js';
import type { StoreConfig } from '../../../shared/store/client.js';
import { DEFAULT_SLACK_API_URL } from '../config.js';
import { SLACK_SECRET_ARN } from '../secrets.js';

/** Slack's authorize page, where `/slack/install` sends the installer. */
export const DEFAULT_SLACK_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

/** Where the installation flow is served, in AWS and in `npm run dev`. */
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/**
 * The bot scopes an installation asks for: what the events handler reads and says, and what the outbox
 * needs to check a DM before a resend (`im:write` for conversations.open, `im:history` to read it). The
 * same list as the README's single-workspace set-up.
 */
export const SLACK_BOT_SCOPES = [
  'channels:history',
  'groups:history',
  'im:history',
  'reactions:read',
  'channels:read',
  'groups:read',
  'users:read',
  'commands',
  'chat:write',
  'im:write',
] as const;

/** The state secret signs the `state` parameter (a JWT): anything shorter is guessable. */
export const MIN_STATE_SECRET_LENGTH = 32;

/** The secret values the OAuth function needs, in the Slack secret beside the events function's. */
export type SlackOAuthSecretName = 'SLACK_CLIENT_SECRET' | 'SLACK_STATE_SECRET';

/** The OAuth function's environment and where each value lives in AWS. */
export const SLACK_OAUTH_SETTINGS = [
  {
    name: 'SLACK_CLIENT_ID',
    source: 'parameter',
    description: 'client id of the Slack app (Basic Information); empty: installation is not offered',
    parameter: { id: 'SlackClientId', pattern: '^([0-9]+\\.[0-9]+)?$' },
  },
  { name: 'SLACK_CLIENT_SECRET', source: 'secret', description: 'client secret of the Slack app' },
  {
    name: 'SLACK_STATE_SECRET',
    source: 'secret',
    description: `signs the OAuth \`state\`: at least ${MIN_STATE_SECRET_LENGTH} random characters`,
  },
  {
    name: 'SLACK_REDIRECT_URI',
    source: 'optional',
    description:
      'the OAuth redirect URL registered with Slack; the stack sets it to its `/slack/oauth_redirect`',
  },
  {
    name: 'SLACK_AUTHORIZE_URL',
    source: 'optional',
    description: "Slack's authorize page, default `https://slack.com/oauth/v2/authorize`",
  },
  {
    name: 'SLACK_API_URL',
    source: 'optional',
    description: 'Web API base (`oauth.v2.access`, `auth.test`), default `https://slack.com/api/`',
  },
] as const satisfies readonly PlatformSetting[];

/** What the OAuth function needs, read once per cold start. */
export interface SlackOAuthConfig {
  /**
   * SLACK_CLIENT_ID and the secret values: undefined when SLACK_CLIENT_ID is unset (a deployment that serves
   * one workspace), and then both routes say installation is not offered here.
   */
  readonly app?: {
    readonly clientId: string;
    /**
     * SLACK_CLIENT_SECRET and SLACK_STATE_SECRET from the environment or, with only SLACK_SECRET_ARN set,
     * from Secrets Manager through the Lambda extension on first use.
     */
    readonly secrets: SecretSource<SlackOAuthSecretName>;
  };
  /** SLACK_REDIRECT_URI: where Slack sends the installer back; must be registered in the app's OAuth settings. */
  readonly redirectUri?: string;
  /** SLACK_AUTHORIZE_URL: Slack's authorize page (the sandbox points it at the fake Slack). */
  readonly authorizeUrl: string;
  /** SLACK_API_URL: the Web API root, for `oauth.v2.access` and `auth.test`. */
  readonly apiUrl: string;
  /** TABLE_NAME and, locally, DYNAMODB_ENDPOINT. */
  readonly store: StoreConfig;
  /** SPACES_MODE: whether a workspace that installs the app is served at once or once approved. */
  readonly spacesMode: SpacesMode;
}

/** Reads the OAuth function's settings; an invalid one fails at start, naming the variable. */
export function loadSlackOAuthConfig(env: Env): SlackOAuthConfig {
  const clientId = env.SLACK_CLIENT_ID?.trim();
  if (clientId && !/^[0-9]+\.[0-9]+$/.test(clientId)) {
    throw new ConfigError('SLACK_CLIENT_ID is not a Slack client id (digits.digits)');
  }
  const redirectUri = env.SLACK_REDIRECT_URI?.trim();
  const apiUrl = urlEnv(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL);
  return Object.freeze({
    ...(clientId
      ? {
          app: {
            clientId,
            secrets: secretSource<SlackOAuthSecretName>(
              env,
              ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'],
              SLACK_SECRET_ARN,
            ),
          },
        }
      : {}),
    ...(redirectUri ? { redirectUri: urlEnv(env, 'SLACK_REDIRECT_URI', redirectUri) } : {}),
    authorizeUrl: urlEnv(env, 'SLACK_AUTHORIZE_URL', DEFAULT_SLACK_AUTHORIZE_URL),
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    store: loadStoreConfig(env),
    spacesMode: loadSpacesMode(env),
  });
}

/** The state secret, refused when it is a placeholder or too short to be unguessable. */
export function checkStateSecret(secret: string): string {
  if (secret.length < MIN_STATE_SECRET_LENGTH) {
    throw new ConfigError(
      `SLACK_STATE_SECRET must be at least ${MIN_STATE_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  }
  return secret;
}
