import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CoreStores } from '../core/feature.js';
import { CacheRepository } from './cache-repository.js';
import { createDynamoClient, type StoreConfig } from './client.js';
import { CommunityRepository } from './community-repository.js';
import { EngagementRepository } from './engagement-repository.js';
import { FeedbackRepository } from './feedback-repository.js';
import { FormSessionRepository } from './form-session-repository.js';
import { LedgerRepository } from './ledger-repository.js';
import { PendingRepository } from './pending-repository.js';
import { SpaceRepository } from './space-repository.js';

export { CacheRepository } from './cache-repository.js';
export type { StoreConfig } from './client.js';
export { EngagementRepository } from './engagement-repository.js';
export { TABLE } from './table.js';

/** Everything a bot needs from the table, built once per cold start (no network call until first use). */
export interface Store {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly engagement: EngagementRepository;
  readonly cache: CacheRepository;
  /** Every store port the core uses. */
  readonly core: CoreStores & { readonly ledger: LedgerRepository };
}

export function createStore(config: StoreConfig): Store {
  const client = createDynamoClient(config);
  const engagement = new EngagementRepository(client, config.tableName);
  return {
    client,
    tableName: config.tableName,
    engagement,
    cache: new CacheRepository(client, config.tableName),
    core: {
      engagement,
      ledger: new LedgerRepository(client, config.tableName),
      pending: new PendingRepository(client, config.tableName),
      forms: new FormSessionRepository(client, config.tableName),
      feedback: new FeedbackRepository(client, config.tableName),
      spaces: new SpaceRepository(client, config.tableName),
      communities: new CommunityRepository(client, config.tableName),
    },
  };
}
