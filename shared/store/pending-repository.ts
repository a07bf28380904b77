import { randomBytes } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PENDING_FOR_SECONDS, type PendingAnswerStore } from '../core/answers.js';
import type { Member, Space } from '../core/events.js';
import type { OutboundMessage } from '../core/messenger.js';
import { epochSeconds, readNumber, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

/**
 * Private answers waiting behind a deep link, keyed by their space (`PENDING#<platform>:<space>` /
 * `<random>`). The token is `<space id>_<random hex>`: only `[A-Za-z0-9_-]`, at most 64 characters (what a
 * Telegram `start` parameter allows), and it names the space, so the key can be found from it alone.
 */
export class PendingRepository implements PendingAnswerStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(space: Space, member: Member, message: OutboundMessage, now: Date): Promise<string> {
    const secret = randomBytes(12).toString('hex');
    const token = `${space.id}_${secret}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) {
      throw new Error(`A deep link token cannot carry space id ${space.id}`);
    }
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...(pendingKey(space.platform, token) ?? {}),
            ...toItem({
              memberId: member.id,
              message: JSON.stringify(message),
              [TABLE.timeToLiveAttribute]: epochSeconds(now) + PENDING_FOR_SECONDS,
            }),
          },
        }),
      )
      .catch((error: unknown) => {
        throw new StoreError('PutItem', { cause: error });
      });
    return token;
  }

  async peek(token: string, member: Member, now: Date): Promise<OutboundMessage | undefined> {
    const key = pendingKey(member.platform, token);
    if (!key) return undefined;
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    if (!Item || readString(Item, 'memberId') !== member.id) return undefined;
    if (readNumber(Item, TABLE.timeToLiveAttribute) <= epochSeconds(now)) return undefined;
    return JSON.parse(readString(Item, 'message') ?? '{}') as OutboundMessage;
  }

  async consume(token: string, member: Member): Promise<void> {
    const key = pendingKey(member.platform, token);
    if (!key) return;
    await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: 'memberId = :member',
          ExpressionAttributeValues: toItem({ ':member': member.id }),
        }),
      )
      .catch((error: unknown) => {
        if (isConditionalCheckFailed(error)) return;
        throw new StoreError('DeleteItem', { cause: error });
      });
  }

  async eraseMember(space: Space, member: Member): Promise<number> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: 'memberId = :member',
      ProjectionExpression: '#pk, #sk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({
        ':pk': pendingPartition(space.platform, space.id),
        ':member': member.id,
      }),
      ConsistentRead: true,
    });
    return deleteAll(this.client, this.tableName, items);
  }
}

export function pendingPartition(platform: string, spaceId: string): string {
  return `PENDING#${platform}:${spaceId}`;
}

function pendingKey(platform: string, token: string) {
  const split = token.lastIndexOf('_');
  if (split <= 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(token)) return undefined;
  return toItem({
    [TABLE.partitionKey]: pendingPartition(platform, token.slice(0, split)),
    [TABLE.sortKey]: token.slice(split + 1),
  });
}
