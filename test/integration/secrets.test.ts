import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/core/errors.js';
import {
  readFromLambdaExtension,
  SecretReadError,
  type SecretSource,
  secretSource,
} from '../../shared/lambda/secrets.js';
import { readWithSecretsManagerSdk } from '../../shared/lambda/secrets-sdk.js';
import { type FakeResponse, type FakeServer, startFakeServer } from '../../shared/platform/fake-server.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-AbCdEf';
const SESSION_TOKEN = 'session-token-of-the-function-role';
const NAMES = ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'] as const;
const VALUES = { SLACK_SIGNING_SECRET: 'signing-secret', SLACK_BOT_TOKEN: 'xoxb-token' };

/** What the Parameters and Secrets extension answers: Secrets Manager's GetSecretValue JSON. */
function getSecretValue(secret: unknown): FakeResponse {
  return {
    body: {
      ARN,
      Name: 'slack',
      SecretString: typeof secret === 'string' ? secret : JSON.stringify(secret),
      VersionId: '00000000-0000-0000-0000-000000000001',
      VersionStages: ['AWSCURRENT'],
      // Secrets Manager's JSON protocol writes timestamps as epoch seconds.
      CreatedDate: 1_767_225_600,
    },
  };
}

// The fake extension answers whatever the test last put here.
let answer: () => FakeResponse | Promise<FakeResponse> = () => getSecretValue(VALUES);
let extension: FakeServer;

beforeAll(async () => {
  extension = await startFakeServer('secrets-extension', () => answer());
});

afterEach(() => {
  extension.requests.length = 0;
  answer = () => getSecretValue(VALUES);
});

afterAll(async () => {
  await extension.close();
});

/** The environment of a Lambda function with the extension listening on the fake's port. */
function lambdaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_SECRET_ARN: ARN,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(extension.url).port,
    ...extra,
  };
}

function slackSecrets(env: Record<string, string>): SecretSource<(typeof NAMES)[number]> {
  return secretSource(env, NAMES, 'SLACK_SECRET_ARN');
}

describe('secretSource from the environment', () => {
  it('takes the values from the environment and never calls the extension', async () => {
    const secrets = slackSecrets({ ...lambdaEnv(), ...VALUES });

    expect(await secrets()).toEqual(VALUES);
    expect(extension.requests).toHaveLength(0);
  });

  it('fails at start naming the missing values and the ARN variable when neither is set', () => {
    expect(() => slackSecrets({ SLACK_SIGNING_SECRET: 'x' })).toThrow(ConfigError);
    expect(() => slackSecrets({ SLACK_SIGNING_SECRET: 'x' })).toThrow(
      'Missing environment variable SLACK_BOT_TOKEN (or SLACK_SECRET_ARN in AWS)',
    );
  });
});

describe('secretSource through the Lambda extension', () => {
  it('reads nothing at start, then asks the extension once with the session token', async () => {
    // Prepare
    const secrets = slackSecrets(lambdaEnv());
    expect(extension.requests).toHaveLength(0);

    // Act
    const first = await secrets();
    const second = await secrets();

    // Assess
    expect(first).toEqual(VALUES);
    expect(second).toBe(first);
    expect(extension.requests).toHaveLength(1);
    const [request] = extension.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/secretsmanager/get');
    expect(request?.query.get('secretId')).toBe(ARN);
    expect(request?.headers['x-aws-parameters-secrets-token']).toBe(SESSION_TOKEN);
  });

  it('names the key the secret lacks, and reads again on the next call', async () => {
    // Prepare
    answer = () => getSecretValue({ SLACK_SIGNING_SECRET: 'signing-secret' });
    const secrets = slackSecrets(lambdaEnv());

    // Act
    const failed = secrets();
    await expect(failed).rejects.toThrow(ConfigError);
    await expect(failed).rejects.toThrow('Secret SLACK_SECRET_ARN has no value for SLACK_BOT_TOKEN');
    answer = () => getSecretValue(VALUES);
    const retried = await secrets();

    // Assess
    expect(retried).toEqual(VALUES);
    expect(extension.requests).toHaveLength(2);
  });

  it('fails with the status when the extension refuses, and reads again on the next call', async () => {
    // Prepare
    answer = () => ({ status: 400, body: 'AccessDeniedException: not authorized' });
    const secrets = slackSecrets(lambdaEnv());

    // Act
    const failed = secrets();
    await expect(failed).rejects.toThrow(SecretReadError);
    await expect(failed).rejects.toThrow(/answered 400: AccessDeniedException/);
    answer = () => getSecretValue(VALUES);

    // Assess
    expect(await secrets()).toEqual(VALUES);
    expect(extension.requests).toHaveLength(2);
  });

  it('never puts a secret that is not JSON into the error', async () => {
    answer = () => getSecretValue('xoxb-not-json');
    const secrets = slackSecrets(lambdaEnv());

    const error = await secrets().then(
      () => new Error('expected a failure'),
      (caught: unknown) => caught as Error,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('Secret SLACK_SECRET_ARN is not a JSON object');
    expect(error.message).not.toContain('xoxb');
  });

  it('fails naming AWS_SESSION_TOKEN outside Lambda, without calling the extension', async () => {
    const { AWS_SESSION_TOKEN: _token, ...withoutToken } = lambdaEnv();
    const secrets = slackSecrets(withoutToken);

    await expect(secrets()).rejects.toThrow(/Missing environment variable AWS_SESSION_TOKEN/);
    expect(extension.requests).toHaveLength(0);
  });

  it('fails with SecretReadError when nothing listens on the extension port', async () => {
    // Prepare
    const closed = await startFakeServer('closed', () => ({}));
    const port = new URL(closed.url).port;
    await closed.close();

    // Act
    const read = readFromLambdaExtension(lambdaEnv({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port }));

    // Assess
    await expect(read(ARN)).rejects.toThrow(/Secrets extension unreachable/);
  });

  it('gives up on an extension that does not answer', async () => {
    // Prepare
    let release: () => void = () => {};
    answer = () =>
      new Promise<FakeResponse>((resolve) => {
        release = () => resolve(getSecretValue(VALUES));
      });
    const read = readFromLambdaExtension(lambdaEnv(), 100);

    // Act
    const result = read(ARN);

    // Assess
    await expect(result).rejects.toThrow(SecretReadError);
    await expect(result).rejects.toThrow('no answer within 100 ms');
    release();
  });
});

describe('readWithSecretsManagerSdk (scripts outside Lambda)', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the secret with GetSecretValue through the real SDK client', async () => {
    // Prepare: the SDK's own per-service endpoint setting points it at a fake Secrets Manager.
    const secretsManager = await startFakeServer('secrets-manager', () => getSecretValue(VALUES));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
    });

    // Act
    const secrets = secretSource(
      { SLACK_SECRET_ARN: ARN },
      NAMES,
      'SLACK_SECRET_ARN',
      readWithSecretsManagerSdk,
    );
    const values = await secrets();
    await secretsManager.close();

    // Assess
    expect(values).toEqual(VALUES);
    expect(secretsManager.requests).toHaveLength(1);
    expect(secretsManager.requests[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(secretsManager.requests[0]?.payload).toEqual({ SecretId: ARN });
  });
});
