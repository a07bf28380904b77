import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** How often the SDK tries one call before the store reports a StoreError. */
export const MAX_ATTEMPTS = 3;

/** Where the table is. In AWS only `tableName` is set; locally `endpoint` points at embedded dynalite. */
export interface StoreConfig {
  readonly tableName: string;
  /** DYNAMODB_ENDPOINT: a local DynamoDB-compatible engine. Unset in AWS. */
  readonly endpoint?: string;
}

/**
 * A DynamoDB client for the table. Creating it does no network call; credentials and region resolve on
 * first use (in Lambda, from the function's environment).
 */
export function createDynamoClient(config: StoreConfig): DynamoDBClient {
  // Three attempts, not the SDK's newer default of four: a webhook must answer within seconds (Slack gives
  // up after 3 s), and a failed delivery is cheap to repeat because recording is idempotent.
  if (!config.endpoint) return new DynamoDBClient({ maxAttempts: MAX_ATTEMPTS });
  return new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    endpoint: config.endpoint,
    region: 'local',
    // dynalite accepts any credentials; fixed ones keep local runs independent of ~/.aws.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
