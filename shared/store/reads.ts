/** Reads that take more than one call: every page of a query, every batch of a BatchGetItem. */
import {
  BatchGetItemCommand,
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

/**
 * The items of the given keys that exist, in any order: 100 keys per BatchGetItem (its limit), and the keys
 * DynamoDB leaves unprocessed asked for again.
 */
export async function getAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
  consistent = false,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let batch = keys.slice(start, start + 100);
    while (batch.length > 0) {
      const result = await client
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
  return found;
}
