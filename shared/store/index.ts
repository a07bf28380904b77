import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CoreStores } from '../core/feature.js';
import { CacheRepository } from './cache-repository.js';
import { createDynamoClient, type StoreConfig } from './client.js';
import { EngagementRepository } from './engagement-repository.js';
import { loadedOnFirstCall } from './lazy.js';
import { MemberRepository } from './member-repository.js';
import { RecordingReadRepository } from './recording-reads.js';
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
  readonly core: CoreStores;
}

export function createStore(config: StoreConfig): Store {
  const client = createDynamoClient(config);
  const { tableName } = config;
  const engagement = new EngagementRepository(client, tableName);
  let loading: ReturnType<typeof loadInteractionStores> | undefined;
  const interactionStores = () => {
    loading ??= loadInteractionStores(client, tableName);
    return loading;
  };
  return {
    client,
    tableName: config.tableName,
    engagement,
    cache: new CacheRepository(client, config.tableName),
    core: {
      engagement,
      spaces: new SpaceRepository(client, tableName),
      recording: new RecordingReadRepository(client, tableName),
      // Only interactions use these: one chunk, loaded on the first call to any of them (lazy.ts).
      ledger: loadedOnFirstCall(async () => (await interactionStores()).ledger),
      pending: loadedOnFirstCall(async () => (await interactionStores()).pending),
      forms: loadedOnFirstCall(async () => (await interactionStores()).forms),
      feedback: loadedOnFirstCall(async () => (await interactionStores()).feedback),
      communities: loadedOnFirstCall(async () => (await interactionStores()).communities),
      spaceData: loadedOnFirstCall(async () => (await interactionStores()).spaceData),
      // Small, and the recording path already needs its item mappers.
      members: new MemberRepository(client, tableName),
    },
  };
}

async function loadInteractionStores(client: DynamoDBClient, tableName: string) {
  return (await import('./interaction-stores.js')).createInteractionStores(client, tableName);
}
