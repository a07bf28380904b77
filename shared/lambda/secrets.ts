import { ConfigError } from '../core/errors.js';
import type { Env } from './env.js';

/** Resolves a bot's secret values; the first call may read Secrets Manager, later calls are cached. */
export type SecretSource<Name extends string> = () => Promise<Readonly<Record<Name, string>>>;

/**
 * Where a bot's secrets come from.
 *
 * - Locally and in tests, straight from the environment (`SLACK_SIGNING_SECRET=...`).
 * - In AWS, the stack sets only `<PREFIX>_SECRET_ARN`; the secret is a JSON object with the same names as
 *   keys. It is read on the first invocation, never at init (no network call at cold start), then cached
 *   for the life of the instance. A failed read is retried by the next invocation.
 */
export function secretSource<Name extends string>(
  env: Env,
  names: readonly Name[],
  arnVariable: string,
): SecretSource<Name> {
  const fromEnv = names.map((name) => [name, env[name]?.trim()] as const);
  if (fromEnv.every(([, value]) => value)) {
    const values = Object.freeze(Object.fromEntries(fromEnv)) as Record<Name, string>;
    return () => Promise.resolve(values);
  }
  const arn = env[arnVariable]?.trim();
  if (!arn) {
    const missing = fromEnv.filter(([, value]) => !value).map(([name]) => name);
    throw new ConfigError(`Missing environment variable ${missing.join(', ')} (or ${arnVariable} in AWS)`);
  }
  let pending: Promise<Record<Name, string>> | undefined;
  return () => {
    pending ??= readSecret(arn, names, arnVariable).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function readSecret<Name extends string>(
  arn: string,
  names: readonly Name[],
  arnVariable: string,
): Promise<Record<Name, string>> {
  // Loaded only in AWS, on first use: local runs and cold starts never evaluate the Secrets Manager client.
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const secret = await getSecret<Record<string, unknown>>(arn, { transform: 'json', maxAge: 24 * 60 * 60 });
  const values = {} as Record<Name, string>;
  for (const name of names) {
    const value = secret?.[name];
    if (typeof value !== 'string' || !value) {
      throw new ConfigError(`Secret ${arnVariable} has no value for ${name}`);
    }
    values[name] = value;
  }
  return values;
}
