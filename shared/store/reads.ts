/** Reads that take more than one call: every page of a query, every batch of a BatchGetItem. */
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';
import { storeError } from './errors.js';

/** Every item a query matches, page after page. */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client
      .send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))
      .catch(storeError('Query'));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** BatchGetItem calls in flight at once for one read. */
const BATCHES_AT_ONCE = 4;

/**
 * The items of the given keys that exist, in any order: 100 keys per BatchGetItem (its limit), a few batches
 * at once, and the keys DynamoDB leaves unprocessed asked for again.
 */
export async function getAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
  consistent = false,
): Promise<Item[]> {
  const batches: Item[][] = [];
  for (let start = 0; start < keys.length; start += 100) batches.push(keys.slice(start, start + 100));
  const found: Item[] = [];
  const readBatches = async () => {
    for (let next = batches.shift(); next; next = batches.shift()) {
      let batch: Item[] = next;
      while (batch.length > 0) {
        const result: BatchGetItemCommandOutput = await client
          .send(
            new BatchGetItemCommand({
              RequestItems: { [tableName]: { Keys: batch, ...(consistent ? { ConsistentRead: true } : {}) } },
            }),
          )
          .catch(storeError('BatchGetItem'));
        found.push(...(result.Responses?.[tableName] ?? []));
        batch = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_AT_ONCE, batches.length) }, readBatches));
  return found;
}
