import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable, startEmbeddedDynamo } from '../../infra/local/dynamo.js';
import type { Item } from '../../shared/store/attributes.js';
import { createStore, type Store } from '../../shared/store/index.js';

/** A fresh table in an in-memory dynalite, per test file. */
export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly store: Store;
  readonly client: DynamoDBClient;
  /** Every engagement record item in the table (pk starting with `EVT#`). */
  engagementItems(): Promise<Item[]>;
  close(): Promise<void>;
}

export async function startTestTable(tableName = 'community-test'): Promise<TestTable> {
  const dynamo = await startEmbeddedDynamo();
  const store = createStore({ tableName, endpoint: dynamo.endpoint });
  await ensureTable(store.client, tableName);
  return {
    endpoint: dynamo.endpoint,
    tableName,
    store,
    client: store.client,
    async engagementItems() {
      const items: Item[] = [];
      let startKey: Item | undefined;
      do {
        const page = await store.client.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
        );
        items.push(...(page.Items ?? []).filter((item) => item.pk?.S?.startsWith('EVT#')));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async close() {
      store.client.destroy();
      await dynamo.close();
    },
  };
}
