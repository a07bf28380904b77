import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SpaceRecord, SpaceStatus, SpaceStore } from '../core/communities/model.js';
import type { Platform, Space } from '../core/events.js';
import { type Item, readNumber, readString, readStringSet, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { INSTALLATION_ITEM, SPACE_ITEM, spacePartition } from './keys.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';

const { byDay: group, byMember: directory } = TABLE.indexes;

/**
 * Every space item also sits in one sparse partition of the byMember index (keys only): the daily rollup
 * lists spaces from it without scanning the table. Its sort key names the space.
 */
const DIRECTORY_PARTITION = 'SPACES';

/**
 * The space directory: one item per space (`SPACE#<platform>:<id>` / `SPACE`) naming its community. The item
 * is also what lists a community's spaces: its grouping-index key is `SPACES#<community>`, so moving a space
 * to another community is one UpdateItem of this one item (DynamoDB has no cross-item transaction in the
 * local engine, and none is needed). No record is ever moved.
 */
export class SpaceRepository implements SpaceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async find(space: Space): Promise<SpaceRecord | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: spaceKey(space), ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item ? fromSpaceItem(Item) : undefined;
  }

  async register(
    space: Space,
    registration: { readonly status: 'active' | 'pending'; readonly name?: string },
    now: Date,
  ): Promise<{ record: SpaceRecord; created: boolean }> {
    const record: SpaceRecord = {
      platform: space.platform,
      id: space.id,
      communityId: newCommunityId(),
      status: registration.status,
      ...(registration.name ? { name: registration.name } : {}),
      formerIds: [],
      registeredAt: now.toISOString(),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toSpaceItem(record),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    const existing = await this.find(space);
    if (!existing) throw new StoreError('PutItem', { cause: new Error('space vanished after a failed put') });
    // Our own put may have landed and only its answer was lost (the SDK retried it).
    return { record: existing, created: existing.communityId === record.communityId };
  }

  async rename(space: Space, name: string): Promise<void> {
    await this.update(space, 'SET #name = :name', { ':name': name });
  }

  async setRetention(space: Space, days: number): Promise<void> {
    await this.update(space, 'SET retentionDays = :days', { ':days': days });
  }

  async markNoticed(space: Space, now: Date): Promise<void> {
    await this.update(space, 'SET noticedAt = :at', { ':at': now.toISOString() });
  }

  async deactivate(space: Space, now: Date): Promise<SpaceRecord | undefined> {
    const record = await this.setStatus(space, 'inactive', now);
    // The tokens go with the bot; the directory entry and every record stay.
    await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: toItem({ [TABLE.partitionKey]: spacePartition(space), [TABLE.sortKey]: INSTALLATION_ITEM }),
        }),
      )
      .catch(storeError('DeleteItem'));
    return record;
  }

  activate(space: Space, now: Date): Promise<SpaceRecord | undefined> {
    return this.setStatus(space, 'active', now);
  }

  async migrate(from: Space, to: Space, now: Date): Promise<SpaceRecord | undefined> {
    const old = await this.find(from);
    const current = await this.find(to);
    // The old group was never registered: there is nothing to carry over.
    if (!old) return current;
    if (old.status === 'moved' && current) return current;
    const moved: SpaceRecord = {
      ...old,
      id: to.id,
      // An event of the new supergroup may have registered it first: its records are kept (they are under
      // its own id), and it takes over the old space's community, status and history.
      formerIds: [...new Set([...old.formerIds, old.id, ...(current?.formerIds ?? [])])],
      ...(current?.noticedAt || old.noticedAt ? { noticedAt: old.noticedAt ?? current?.noticedAt } : {}),
    };
    // New id first: a crash before the old one is marked leaves both pointing at one community, and the
    // next migration message (Telegram sends two) finishes it.
    await this.client
      .send(new PutItemCommand({ TableName: this.tableName, Item: toSpaceItem(moved) }))
      .catch(storeError('PutItem'));
    await this.update(from, 'SET #status = :moved, movedTo = :to, changedAt = :at', {
      ':moved': 'moved',
      ':to': to.id,
      ':at': now.toISOString(),
    });
    return moved;
  }

  async move(space: Space, communityId: string | undefined, now: Date): Promise<SpaceRecord> {
    const target = communityId ?? newCommunityId();
    const { Attributes } = await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: spaceKey(space),
          UpdateExpression: 'SET communityId = :community, #gpk = :group, changedAt = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#gpk': group.partitionKey },
          ExpressionAttributeValues: toItem({
            ':community': target,
            ':group': groupPartition(target),
            ':at': now.toISOString(),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch(storeError('UpdateItem'));
    if (!Attributes) throw new StoreError('UpdateItem', { cause: new Error('no attributes returned') });
    return fromSpaceItem(Attributes);
  }

  async all(): Promise<SpaceRecord[]> {
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: directory.name,
      KeyConditionExpression: '#pk = :all',
      ExpressionAttributeNames: { '#pk': directory.partitionKey },
      ExpressionAttributeValues: toItem({ ':all': DIRECTORY_PARTITION }),
    });
    const keys = entries.map((item) => ({
      [TABLE.partitionKey]: item[TABLE.partitionKey] as AttributeValue,
      [TABLE.sortKey]: item[TABLE.sortKey] as AttributeValue,
    }));
    return (await getAll(this.client, this.tableName, keys)).map(fromSpaceItem);
  }

  async spacesOf(communityId: string): Promise<SpaceRecord[]> {
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: group.name,
      KeyConditionExpression: '#gpk = :group',
      ExpressionAttributeNames: { '#gpk': group.partitionKey },
      ExpressionAttributeValues: toItem({ ':group': groupPartition(communityId) }),
    });
    const keys = entries.flatMap((item) => {
      const pk = item[TABLE.partitionKey];
      const sk = item[TABLE.sortKey];
      return pk && sk ? [{ [TABLE.partitionKey]: pk, [TABLE.sortKey]: sk }] : [];
    });
    // The index is eventually consistent; the items themselves are read consistently, and a space that
    // moved away since is left out.
    const records = (await getAll(this.client, this.tableName, keys, true)).map(fromSpaceItem);
    return records
      .filter((record) => record.communityId === communityId && record.status !== 'moved')
      .sort((a, b) => `${a.platform}:${a.id}`.localeCompare(`${b.platform}:${b.id}`));
  }

  private async setStatus(space: Space, status: SpaceStatus, now: Date): Promise<SpaceRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: spaceKey(space),
          UpdateExpression: 'SET #status = :status, changedAt = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: toItem({ ':status': status, ':at': now.toISOString() }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromSpaceItem(Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  private async update(
    space: Space,
    expression: string,
    values: Record<string, string | number>,
  ): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: spaceKey(space),
          UpdateExpression: expression,
          ExpressionAttributeNames: attributeNames(expression),
          ExpressionAttributeValues: toItem(values),
        }),
      )
      .catch(storeError('UpdateItem'));
  }
}

/** The `#name` placeholders an update expression uses (`status` and `name` are DynamoDB reserved words). */
function attributeNames(expression: string): Record<string, string> | undefined {
  const names = Object.fromEntries(
    ['status', 'name'].filter((word) => expression.includes(`#${word}`)).map((word) => [`#${word}`, word]),
  );
  return Object.keys(names).length > 0 ? names : undefined;
}

/** A new community's id: random, never derived from a platform id. */
function newCommunityId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `c_${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export function spaceKey(space: Space): Item {
  return toItem({ [TABLE.partitionKey]: spacePartition(space), [TABLE.sortKey]: SPACE_ITEM });
}

/** The grouping-index partition that lists a community's spaces. */
function groupPartition(communityId: string): string {
  return `SPACES#${communityId}`;
}

/** Written attribute by attribute: renaming a field of {@link SpaceRecord} never changes what is stored. */
function toSpaceItem(record: SpaceRecord): Item {
  return {
    ...spaceKey(record),
    ...toItem({
      [group.partitionKey]: groupPartition(record.communityId),
      [group.sortKey]: `${record.platform}:${record.id}`,
      [directory.partitionKey]: DIRECTORY_PARTITION,
      [directory.sortKey]: `${record.platform}:${record.id}`,
      platform: record.platform,
      spaceId: record.id,
      communityId: record.communityId,
      status: record.status,
      name: record.name,
      formerIds: record.formerIds,
      registeredAt: record.registeredAt,
      noticedAt: record.noticedAt,
      movedTo: record.movedTo,
      retentionDays: record.retentionDays,
    }),
  };
}

export function fromSpaceItem(item: Item): SpaceRecord {
  const name = readString(item, 'name');
  const noticedAt = readString(item, 'noticedAt');
  const movedTo = readString(item, 'movedTo');
  return {
    platform: readString(item, 'platform') as Platform,
    id: readString(item, 'spaceId') ?? '',
    communityId: readString(item, 'communityId') ?? '',
    status: (readString(item, 'status') ?? 'pending') as SpaceStatus,
    ...(name ? { name } : {}),
    formerIds: readStringSet(item, 'formerIds'),
    registeredAt: readString(item, 'registeredAt') ?? '',
    ...(noticedAt ? { noticedAt } : {}),
    ...(movedTo ? { movedTo } : {}),
    ...(item.retentionDays ? { retentionDays: readNumber(item, 'retentionDays') } : {}),
  };
}
