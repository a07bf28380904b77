import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { WorkerLease } from '../core/outbox/model.js';
import { readNumber, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { conditionalUpdate } from './outbox-repository.js';
import { TABLE } from './table.js';

/** The lease's item: the one outbox item without a community, because it is the worker's and names nobody. */
const LEASE_KEY = toItem({ [TABLE.partitionKey]: 'OUTBOX#WORKER', [TABLE.sortKey]: 'LEASE' });

/** The worker's lease (`OUTBOX#WORKER` / `LEASE`): an owner, until when, and a count of wake-ups. */
export class WorkerLeaseRepository implements WorkerLease {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async acquire(owner: string, now: Date, until: Date): Promise<number | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: 'SET #owner = :me, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(#owner) OR leaseUntil < :now',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: toItem({
            ':me': owner,
            ':until': until.toISOString(),
            ':now': now.toISOString(),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readNumber(Attributes, 'wakes');
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  async renew(owner: string, until: Date): Promise<number | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: toItem({ ':me': owner, ':until': until.toISOString() }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readNumber(Attributes, 'wakes');
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  release(owner: string, wakesSeen: number): Promise<boolean> {
    return conditionalUpdate(this.client, {
      TableName: this.tableName,
      Key: LEASE_KEY,
      UpdateExpression: 'REMOVE #owner, leaseUntil',
      // A wake-up since the worker read the count means something new is due: it drains on instead.
      ConditionExpression: '#owner = :me AND (attribute_not_exists(wakes) OR wakes = :seen)',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: toItem({ ':me': owner, ':seen': wakesSeen }),
    });
  }

  async wake(): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: 'ADD wakes :one',
          ExpressionAttributeValues: toItem({ ':one': 1 }),
        }),
      )
      .catch(storeError('UpdateItem'));
  }
}
