import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { readString, toItem } from './attributes.js';
import { StoreError } from './errors.js';
import { TABLE } from './table.js';

/**
 * Short-lived answers from the platforms (for example "is this member a Telegram chat admin?"), shared by
 * every Lambda instance. Entries carry the table's TTL attribute; DynamoDB deletes expired items lazily
 * (and dynalite never does), so a read also ignores anything past its expiry.
 */
export class CacheRepository {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(name: string, key: string, now: Date): Promise<string | undefined> {
    const result = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: cacheKey(name, key) }))
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    const expiresAt = Number(result.Item?.[TABLE.timeToLiveAttribute]?.N ?? 0);
    return expiresAt * 1000 > now.getTime() ? readString(result.Item, 'value') : undefined;
  }

  async put(name: string, key: string, value: string, ttlSeconds: number, now: Date): Promise<void> {
    const expiresAt = Math.ceil(now.getTime() / 1000) + ttlSeconds;
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...cacheKey(name, key), ...toItem({ value, [TABLE.timeToLiveAttribute]: expiresAt }) },
        }),
      )
      .catch((error: unknown) => {
        throw new StoreError('PutItem', { cause: error });
      });
  }
}

function cacheKey(name: string, key: string) {
  return toItem({ [TABLE.partitionKey]: `CACHE#${name}`, [TABLE.sortKey]: key });
}
