import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SpaceDataStore } from '../core/communities/model.js';
import type { Space } from '../core/events.js';
import { type Item, readString, toItem } from './attributes.js';
import { dayPartition, rollupPartition } from './engagement-repository.js';
import { notePartition } from './feedback-repository.js';
import { spacePartition } from './keys.js';
import { pendingPartition } from './pending-repository.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

/** How many day partitions are read at once. */
const DAY_CONCURRENCY = 6;

const { byDay } = TABLE.indexes;

/**
 * Everything the table holds under one space's keys, erased (`/community spaces forget`): its engagement
 * records (found day by day through the byDay index), then its rollups (last, so none rebuilt from records
 * not yet deleted survives), its deep-link answers and feedback notes, who was welcomed and what its channels' budgets
 * counted. The space's directory item, installation, welcome text and channel settings stay: the bot keeps serving the space.
 */
export class SpaceDataRepository implements SpaceDataStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async eraseSpace(space: Space, days: readonly string[]): Promise<{ records: number; other: number }> {
    let records = 0;
    for (let start = 0; start < days.length; start += DAY_CONCURRENCY) {
      const batch = days.slice(start, start + DAY_CONCURRENCY);
      const keys = (await Promise.all(batch.map((day) => this.recordKeys(space, day)))).flat();
      records += await deleteAll(this.client, this.tableName, keys);
    }
    // Not the answers ledger: the erasing job's own claim is there, and claims expire within two days.
    const partitions = [
      rollupPartition(space),
      pendingPartition(space.platform, space.id),
      notePartition(space),
    ];
    // In the space's own partition: who was welcomed, what the budgets counted and the library posts' feedback
    // (not its settings: channel roles and schedules stay, as a moderator set them).
    const own = spacePartition(space);
    const other = (
      await Promise.all([
        ...partitions.map((pk) => this.partitionKeys(pk)),
        this.partitionKeys(own, 'WELCOMED#'),
        this.partitionKeys(own, 'SPEND#'),
        this.partitionKeys(own, 'POST#'),
      ])
    ).flat();
    return { records, other: await deleteAll(this.client, this.tableName, other) };
  }

  /** The table keys of a space-day's engagement records (the index projects them). */
  private async recordKeys(space: Space, day: string): Promise<Item[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byDay.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byDay.partitionKey, '#key': TABLE.partitionKey },
      ExpressionAttributeValues: toItem({ ':pk': dayPartition(space, day) }),
      ProjectionExpression: '#key',
    });
    return items.map((item) => tableKey(readString(item, TABLE.partitionKey), 'EVT'));
  }

  private async partitionKeys(partition: string, prefix?: string): Promise<Item[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem(
        prefix ? { ':pk': partition, ':prefix': prefix } : { ':pk': partition },
      ),
      ProjectionExpression: '#pk, #sk',
    });
    return items.map((item) =>
      tableKey(readString(item, TABLE.partitionKey), readString(item, TABLE.sortKey)),
    );
  }
}

function tableKey(pk: string | undefined, sk: string | undefined): Item {
  return toItem({ [TABLE.partitionKey]: pk, [TABLE.sortKey]: sk });
}
