import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QuietHours } from '../core/outbox/model.js';

/** How often the SDK tries one call before the store reports a StoreError. */
export const MAX_ATTEMPTS = 3;

/** Where the table is. In AWS only `tableName` is set; locally `endpoint` points at embedded dynalite. */
export interface StoreConfig {
  readonly tableName: string;
  /** DYNAMODB_ENDPOINT: a local DynamoDB-compatible engine. Unset in AWS. */
  readonly endpoint?: string;
  /**
   * DEFAULT_QUIET_HOURS: the quiet hours of a community that never set its own (`HH:MM-HH:MM` or `off`).
   * Unset: 21:00-08:00. `npm run dev` and the tests turn them off, so the sandbox speaks whatever the hour.
   */
  readonly quietHours?: QuietHours | 'off';
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
