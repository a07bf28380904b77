import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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
  if (!config.endpoint) return new DynamoDBClient({});
  return new DynamoDBClient({
    endpoint: config.endpoint,
    region: 'local',
    // dynalite accepts any credentials; fixed ones keep local runs independent of ~/.aws.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
