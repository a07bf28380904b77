import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type AnswerLedger, type Claim, COMPLETED_FOR_SECONDS } from '../core/answers.js';
import type { Member, Space } from '../core/events.js';
import { epochSeconds, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';

/**
 * The answer ledger in the table: one item per answer, keyed by its space (`ONCE#<platform>:<space>` /
 * `<key>`), with Powertools idempotency's two states. A claim is one conditional put; completing it one
 * update; a failure deletes the claim (only while it is still in progress). Erasing a member deletes the claims
 * whose key names them (`feedback:<note>:to:<member>`), whatever their state.
 */
export class LedgerRepository implements AnswerLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async begin(space: Space, key: string, now: Date, inProgressMs: number): Promise<Claim> {
    // The owner stamp tells our own SDK retry (whose first attempt did land) from someone else's claim.
    const owner = `${now.toISOString()}#${Math.random().toString(36).slice(2)}`;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...ledgerKey(space, key),
            ...toItem({
              status: IN_PROGRESS,
              owner,
              inProgressUntil: now.getTime() + inProgressMs,
              // Bounds an abandoned claim's life in the table too.
              [TABLE.timeToLiveAttribute]: epochSeconds(now) + COMPLETED_FOR_SECONDS,
            }),
          },
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :inProgress AND #until < :now) OR #expires < :nowSeconds',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#status': 'status',
            '#until': 'inProgressUntil',
            '#expires': TABLE.timeToLiveAttribute,
          },
          ExpressionAttributeValues: toItem({
            ':inProgress': IN_PROGRESS,
            ':now': now.getTime(),
            ':nowSeconds': epochSeconds(now),
          }),
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    const { Item } = await this.client
      .send(
        new GetItemCommand({ TableName: this.tableName, Key: ledgerKey(space, key), ConsistentRead: true }),
      )
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    if (readString(Item, 'owner') === owner && readString(Item, 'status') === IN_PROGRESS) return 'claimed';
    return readString(Item, 'status') === COMPLETED ? 'completed' : 'in_progress';
  }

  async complete(space: Space, key: string, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: ledgerKey(space, key),
          UpdateExpression: 'SET #status = :completed, #expires = :expires REMOVE inProgressUntil',
          ExpressionAttributeNames: { '#status': 'status', '#expires': TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: toItem({
            ':completed': COMPLETED,
            ':expires': epochSeconds(now) + COMPLETED_FOR_SECONDS,
          }),
        }),
      )
      .catch((error: unknown) => {
        throw new StoreError('UpdateItem', { cause: error });
      });
  }

  async release(space: Space, key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: ledgerKey(space, key),
          // Never forget a completed answer: only a claim still in progress is given up.
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({ ':inProgress': IN_PROGRESS }),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('DeleteItem', { cause: error });
    }
  }

  async eraseMember(space: Space, member: Member): Promise<number> {
    // An empty id would make every `…:to:` key look like the member's.
    if (!member.id) throw new Error('Cannot erase a member without an id');
    const suffix = `:to:${member.id}`;
    // A filter expression cannot name the sort key (and DynamoDB has no ends_with), so every key of the space's
    // claims is read (they expire within days) and the suffix is checked here.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ProjectionExpression: '#pk, #sk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({ ':pk': ledgerPartition(space) }),
      ConsistentRead: true,
    });
    const claims = items.filter((item) => readString(item, TABLE.sortKey)?.endsWith(suffix));
    return deleteAll(this.client, this.tableName, claims);
  }
}

export function ledgerPartition(space: Space): string {
  return `ONCE#${space.platform}:${space.id}`;
}

function ledgerKey(space: Space, key: string) {
  return toItem({ [TABLE.partitionKey]: ledgerPartition(space), [TABLE.sortKey]: key });
}
