import { SecretReadError, type SecretReader } from './secrets.js';

/**
 * Reads a secret with the Secrets Manager SDK client, for scripts run outside Lambda (a developer machine or
 * CI, with the usual AWS credentials and region), where the Lambda extension is not there. Pass it as
 * `secretSource`'s `read`. The handlers never use it: the client is loaded on first use only, so a bundle
 * that does not call it does not carry it.
 */
export const readWithSecretsManagerSdk: SecretReader = async (arn) => {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (SecretString === undefined) {
      throw new SecretReadError('Secrets Manager answered without a SecretString (a binary secret?)');
    }
    return SecretString;
  } catch (error) {
    if (error instanceof SecretReadError) throw error;
    throw new SecretReadError(`Secrets Manager refused to read the secret: ${(error as Error).name}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
};
