import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Space } from '../core/events.js';
import type { Welcome, WelcomeStore } from '../core/outbox/model.js';
import { type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { spacePartition } from './keys.js';
import { getAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

/**
 * A space's welcome (`SPACE#<platform>:<space>` / `WELCOME`) and who was welcomed there
 * (`WELCOMED#<member id>`, the opaque id, with no expiry: a member is welcomed once, ever).
 */
export class WelcomeRepository implements WelcomeStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async welcome(space: Space): Promise<Welcome | undefined> {
    const item = await this.getItem(welcomeKey(space));
    const text = readString(item, 'text');
    return text === undefined ? undefined : { text, setAt: readString(item, 'setAt') ?? '' };
  }

  async setWelcome(space: Space, welcome: Welcome | undefined): Promise<void> {
    if (!welcome) {
      await this.client
        .send(new DeleteItemCommand({ TableName: this.tableName, Key: welcomeKey(space) }))
        .catch(storeError('DeleteItem'));
      return;
    }
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...welcomeKey(space), ...toItem({ text: welcome.text, setAt: welcome.setAt }) },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async markWelcomed(space: Space, memberId: string, now: Date): Promise<boolean> {
    const token = Math.random().toString(36).slice(2);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...welcomedKey(space, memberId),
            ...toItem({ memberId, welcomedAt: now.toISOString(), putToken: token }),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    // The SDK retries a put whose answer was lost; its own first attempt then fails the condition.
    return readString(await this.getItem(welcomedKey(space, memberId)), 'putToken') === token;
  }

  async wasWelcomed(space: Space, memberId: string): Promise<boolean> {
    return (await this.getItem(welcomedKey(space, memberId))) !== undefined;
  }

  async eraseMember(spaces: readonly Space[], memberIds: readonly string[]): Promise<number> {
    const keys = spaces.flatMap((space) => memberIds.map((id) => welcomedKey(space, id)));
    const found = await getAll(this.client, this.tableName, keys, true);
    return deleteAll(
      this.client,
      this.tableName,
      found.map((item) =>
        toItem({
          [TABLE.partitionKey]: readString(item, TABLE.partitionKey),
          [TABLE.sortKey]: readString(item, TABLE.sortKey),
        }),
      ),
    );
  }

  private async getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }
}

function welcomeKey(space: Space): Item {
  return toItem({ [TABLE.partitionKey]: spacePartition(space), [TABLE.sortKey]: 'WELCOME' });
}

function welcomedKey(space: Space, memberId: string): Item {
  return toItem({ [TABLE.partitionKey]: spacePartition(space), [TABLE.sortKey]: `WELCOMED#${memberId}` });
}
