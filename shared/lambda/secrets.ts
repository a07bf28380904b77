import { request } from 'node:http';
import { CommunityError, ConfigError } from '../core/errors.js';
import type { Env } from './env.js';

/** Resolves a bot's secret values; the first call may read Secrets Manager, later calls are cached. */
export type SecretSource<Name extends string> = () => Promise<Readonly<Record<Name, string>>>;

/** Reads the text of one secret (a JSON object of values) by its ARN. */
export type SecretReader = (arn: string) => Promise<string>;

/**
 * The secret could not be read (the extension or Secrets Manager failed or did not answer). The
 * invocation fails with a 500, the platform delivers again, and the next invocation reads again.
 */
export class SecretReadError extends CommunityError {
  override readonly name = 'SecretReadError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('secret_unavailable', message, options);
  }
}

/** Where the AWS Parameters and Secrets Lambda Extension listens unless told otherwise. */
export const EXTENSION_DEFAULT_PORT = 2773;

/**
 * The extension answers from its cache in a millisecond, or asks Secrets Manager once per cold start; a
 * webhook must answer within about 3 s (Slack), so a hung read gives up well before that.
 */
export const EXTENSION_TIMEOUT_MS = 2000;

/**
 * Where a bot's secrets come from.
 *
 * - Locally and in tests, straight from the environment (`SLACK_SIGNING_SECRET=...`).
 * - In AWS, the stack sets only `<PREFIX>_SECRET_ARN`; the secret is a JSON object with the same names as
 *   keys. It is read on the first invocation, never at init (no network call at cold start), then cached
 *   for the life of the instance. A failed read is retried by the next invocation. By default it is read
 *   through the Parameters and Secrets Lambda Extension ({@link readFromLambdaExtension}); scripts that run
 *   outside Lambda pass another `read` (see secrets-sdk.ts).
 *
 * `optional` names may be missing or empty, in the environment and in the secret alike: they read as `''`.
 */
export function secretSource<Name extends string>(
  env: Env,
  names: readonly Name[],
  arnVariable: string,
  read?: SecretReader,
  optional: readonly Name[] = [],
): SecretSource<Name> {
  const fromEnv = names.map((name) => [name, env[name]?.trim() ?? ''] as const);
  const isRequired = (name: Name) => !optional.includes(name);
  if (fromEnv.every(([name, value]) => value || !isRequired(name))) {
    const values = Object.freeze(Object.fromEntries(fromEnv)) as Record<Name, string>;
    return () => Promise.resolve(values);
  }
  const arn = env[arnVariable]?.trim();
  if (!arn) {
    const missing = fromEnv.filter(([name, value]) => !value && isRequired(name)).map(([name]) => name);
    throw new ConfigError(`Missing environment variable ${missing.join(', ')} (or ${arnVariable} in AWS)`);
  }
  const readSecret = read ?? readFromLambdaExtension(env);
  let pending: Promise<Record<Name, string>> | undefined;
  return () => {
    pending ??= readSecret(arn)
      .then((text) => pickValues(text, names, arnVariable, optional))
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

/** The named string values of the secret's JSON object; a missing or empty one is named in the error. */
function pickValues<Name extends string>(
  text: string,
  names: readonly Name[],
  arnVariable: string,
  optional: readonly Name[],
): Record<Name, string> {
  let secret: unknown;
  try {
    secret = JSON.parse(text);
  } catch {
    // The parser's message would quote part of the secret.
    throw new ConfigError(`Secret ${arnVariable} is not a JSON object`);
  }
  const values = {} as Record<Name, string>;
  for (const name of names) {
    const value = (secret as Record<string, unknown> | null)?.[name];
    if (typeof value === 'string' && value) values[name] = value;
    else if (optional.includes(name)) values[name] = '';
    else throw new ConfigError(`Secret ${arnVariable} has no value for ${name}`);
  }
  return values;
}

/**
 * Reads secrets through the AWS Parameters and Secrets Lambda Extension (a layer on each bot function, see
 * infra/bot-function.ts): `GET /secretsmanager/get?secretId=<arn>` on loopback, authenticated with the
 * function's session token, answering Secrets Manager's GetSecretValue JSON. No SDK client is bundled or
 * loaded for it, and Node's `http` is already loaded by the DynamoDB client (`fetch` would load undici).
 *
 * The port is the extension's own setting, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT (2773 by default).
 */
export function readFromLambdaExtension(env: Env, timeoutMs = EXTENSION_TIMEOUT_MS): SecretReader {
  const port = Number(env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT?.trim() || EXTENSION_DEFAULT_PORT);
  const token = env.AWS_SESSION_TOKEN?.trim();
  return async (arn) => {
    if (!token) {
      throw new ConfigError(
        'Missing environment variable AWS_SESSION_TOKEN: secrets are read through the Lambda extension, ' +
          'which only runs in Lambda (set the secret values themselves to run elsewhere)',
      );
    }
    const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`;
    const { status, body } = await httpGet(url, { 'X-Aws-Parameters-Secrets-Token': token }, timeoutMs);
    if (status !== 200) {
      // The extension's error text names the failing call (e.g. AccessDenied), never a secret value.
      throw new SecretReadError(`Secrets extension answered ${status}: ${body.slice(0, 200)}`);
    }
    const secretString = readSecretString(body);
    if (secretString === undefined) {
      throw new SecretReadError('Secrets extension answered without a SecretString (a binary secret?)');
    }
    return secretString;
  };
}

/** GetSecretValue's `SecretString`, without ever putting the answer (it holds the secret) in an error. */
function readSecretString(body: string): string | undefined {
  try {
    const { SecretString } = JSON.parse(body) as { SecretString?: unknown };
    return typeof SecretString === 'string' ? SecretString : undefined;
  } catch {
    return undefined;
  }
}

function httpGet(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown) =>
      reject(new SecretReadError(`Secrets extension unreachable: ${(cause as Error).message}`, { cause }));
    const outgoing = request(url, { headers, timeout: timeoutMs }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', fail);
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', fail);
    outgoing.end();
  });
}
