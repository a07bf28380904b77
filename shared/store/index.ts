import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CacheRepository } from './cache-repository.js';
import { createDynamoClient, type StoreConfig } from './client.js';
import { EngagementRepository } from './engagement-repository.js';

export { CacheRepository } from './cache-repository.js';
export type { StoreConfig } from './client.js';
export { EngagementRepository } from './engagement-repository.js';
export { TABLE } from './table.js';

/** Everything a bot needs from the table, built once per cold start (no network call until first use). */
export interface Store {
  readonly client: DynamoDBClient;
  readonly engagement: EngagementRepository;
  readonly cache: CacheRepository;
}

export function createStore(config: StoreConfig): Store {
  const client = createDynamoClient(config);
  return {
    client,
    engagement: new EngagementRepository(client, config.tableName),
    cache: new CacheRepository(client, config.tableName),
  };
}
