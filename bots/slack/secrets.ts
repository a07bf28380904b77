import { ConfigError } from '../../shared/core/errors.js';
import type { Env } from '../../shared/lambda/env.js';
import { readFromLambdaExtension, type SecretReader } from '../../shared/lambda/secrets.js';

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
 * Where the secret values come from: the environment when SLACK_SIGNING_SECRET is set (locally, in tests),
 * otherwise the JSON secret SLACK_SECRET_ARN names, read through the Lambda extension on first use (never at
 * cold start), then kept for the life of the instance; a failed read is tried again by the next call.
 *
 * Unlike shared/lambda/secrets.ts `secretSource`, one value may be missing: the bot token, whose absence
 * means "many workspaces".
 */
export function slackSecretSource(env: Env, read?: SecretReader): () => Promise<SlackSecrets> {
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  if (signingSecret) {
    const values = readValues({ SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: env.SLACK_BOT_TOKEN });
    return () => Promise.resolve(values);
  }
  const arn = env[SLACK_SECRET_ARN]?.trim();
  if (!arn) {
    throw new ConfigError(
      `Missing environment variable SLACK_SIGNING_SECRET (or ${SLACK_SECRET_ARN} in AWS)`,
    );
  }
  const readSecret = read ?? readFromLambdaExtension(env);
  let pending: Promise<SlackSecrets> | undefined;
  return () => {
    pending ??= readSecret(arn)
      .then((text) => readValues(parseSecret(text)))
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

function parseSecret(text: string): Record<string, unknown> {
  try {
    const secret: unknown = JSON.parse(text);
    if (typeof secret === 'object' && secret !== null) return secret as Record<string, unknown>;
  } catch {
    // The parser's message would quote part of the secret.
  }
  throw new ConfigError(`Secret ${SLACK_SECRET_ARN} is not a JSON object`);
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
