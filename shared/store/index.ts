import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CoreStores } from '../core/feature.js';
import type { WorkerLease } from '../core/outbox/model.js';
import { type AttentionSettings, DEFAULT_ATTENTION } from '../core/outbox/model.js';
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
  /** The outbox worker's lease and wake count (the worker drains under it; an enqueue bumps the count). */
  readonly lease: WorkerLease;
}

export function createStore(config: StoreConfig): Store {
  const client = createDynamoClient(config);
  const { tableName } = config;
  const engagement = new EngagementRepository(client, tableName);
  let loading: ReturnType<typeof loadInteractionStores> | undefined;
  const interactionStores = () => {
    loading ??= loadInteractionStores(client, tableName, attentionDefaults(config));
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
      // The outbox's: an enqueue comes from an interaction or a join, never from recording a message.
      outbox: loadedOnFirstCall(async () => (await interactionStores()).outbox),
      attention: loadedOnFirstCall(async () => (await interactionStores()).attention),
      welcomes: loadedOnFirstCall(async () => (await interactionStores()).welcomes),
      // The library's: commands, buttons and the scheduler; recording a message never reads it.
      content: loadedOnFirstCall(async () => (await interactionStores()).content),
      // Small, and the recording path already needs its item mappers.
      members: new MemberRepository(client, tableName),
    },
    lease: loadedOnFirstCall(async () => (await interactionStores()).lease),
  };
}

async function loadInteractionStores(client: DynamoDBClient, tableName: string, defaults: AttentionSettings) {
  return (await import('./interaction-stores.js')).createInteractionStores(client, tableName, defaults);
}

/** The attention defaults, with the deployment's default quiet hours (StoreConfig.quietHours). */
function attentionDefaults(config: StoreConfig): AttentionSettings {
  const { quietHours: base, ...rest } = DEFAULT_ATTENTION;
  const quiet = config.quietHours ?? base;
  return quiet === 'off' || quiet === undefined ? rest : { ...rest, quietHours: quiet };
}
