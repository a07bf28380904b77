import { ConfigError } from '../../shared/core/errors.js';
import type { Env } from '../../shared/lambda/env.js';
import { type SecretReader, secretSource } from '../../shared/lambda/secrets.js';

/**
 * The Slack events function's secret values. The signing secret is always needed; the bot token only when
 * the bot serves one workspace. Without one (unset, or empty in the secret) it serves every workspace that
 * installed the app, each with the token its installation stored (workspaces.ts).
 */
export interface SlackSecrets {
  /** SLACK_SIGNING_SECRET: checks that a request comes from Slack. */
  readonly signingSecret: string;
  /** SLACK_BOT_TOKEN: the one workspace's `xoxb-` token; undefined when the bot serves many. */
  readonly botToken?: string;
}

/** The variable that names the secret in AWS. */
export const SLACK_SECRET_ARN = 'SLACK_SECRET_ARN';

/**
 * Where the secret values come from (shared/lambda/secrets.ts `secretSource`: the environment locally, the
 * JSON secret SLACK_SECRET_ARN names in AWS, read on first use and kept), with the bot token optional: its
 * absence means "many workspaces". From the environment a placeholder token fails at start.
 */
export function slackSecretSource(env: Env, read?: SecretReader): () => Promise<SlackSecrets> {
  const source = secretSource(env, ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'], SLACK_SECRET_ARN, read, [
    'SLACK_BOT_TOKEN',
  ]);
  if (env.SLACK_SIGNING_SECRET?.trim()) {
    const values = readValues({
      SLACK_SIGNING_SECRET: env.SLACK_SIGNING_SECRET,
      SLACK_BOT_TOKEN: env.SLACK_BOT_TOKEN,
    });
    return () => Promise.resolve(values);
  }
  return async () => readValues(await source());
}

/** The values, checked: a signing secret, and a bot token only if it is one (`xoxb-`). */
function readValues(values: Record<string, unknown>): SlackSecrets {
  const signingSecret = values.SLACK_SIGNING_SECRET;
  if (typeof signingSecret !== 'string' || !signingSecret.trim()) {
    throw new ConfigError(`Secret ${SLACK_SECRET_ARN} has no value for SLACK_SIGNING_SECRET`);
  }
  const token = typeof values.SLACK_BOT_TOKEN === 'string' ? values.SLACK_BOT_TOKEN.trim() : '';
  // A placeholder such as the stack's `set-me` would otherwise be taken for a token and fail every call.
  if (token && !token.startsWith('xoxb-')) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is not a bot token (xoxb-...): set the workspace bot token, or leave it empty to serve ' +
        'every workspace that installs the app',
    );
  }
  return Object.freeze({ signingSecret: signingSecret.trim(), ...(token ? { botToken: token } : {}) });
}
