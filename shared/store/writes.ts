/** Writes that take more than one call: deleting many items, 25 per BatchWriteItem (its limit). */
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';
import { storeError } from './errors.js';

/** Pause before asking again for what DynamoDB left unprocessed (it throttled part of the batch). */
const UNPROCESSED_PAUSE_MS = 50;

/** Deletes the items of these keys (missing ones are fine); returns how many keys it was given. */
export async function deleteAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
): Promise<number> {
  for (let start = 0; start < keys.length; start += 25) {
    let batch = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
    while (batch.length > 0) {
      const result = await client
        .send(new BatchWriteItemCommand({ RequestItems: { [tableName]: batch } }))
        .catch(storeError('BatchWriteItem'));
      batch = (result.UnprocessedItems?.[tableName] ?? []) as typeof batch;
      if (batch.length > 0) await new Promise((resolve) => setTimeout(resolve, UNPROCESSED_PAUSE_MS));
    }
  }
  return keys.length;
}
