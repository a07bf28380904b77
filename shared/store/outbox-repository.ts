import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  type AttemptClaim,
  type Ending,
  OUTBOX_KEPT_DAYS,
  type OutboxMessage,
  type OutboxStore,
} from '../core/outbox/model.js';
import { epochSeconds, type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { communityPartition } from './keys.js';
import {
  DUE_PARTITION,
  dueSortKey,
  fromOutboxItem,
  outboxKey,
  PERSONAL_ATTRIBUTES,
  toOutboxItem,
  WAITING,
} from './outbox-items.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

const { byMember: dueIndex } = TABLE.indexes;
const DAY_SECONDS = 24 * 3600;
/** `IN` takes at most 100 operands; an erasure's ids are a handful, but stay inside the limit anyway. */
const IN_LIMIT = 100;

/** Names every update below uses (`status` is a reserved word; the index keys are long to spell). */
const NAMES = { '#status': 'status', '#gpk': dueIndex.partitionKey, '#gsk': dueIndex.sortKey };

/**
 * The outbox in the table: one item per message in its community's partition (`OUTBOX#<id>`). While a message
 * waits (queued or sending) its item also sits in one small sparse partition of the byMember index (`OUTBOX`,
 * sorted by when it is due), which is all the worker reads to find work; the keys leave the index when the
 * message ends. The index projects keys only and lags the table, so every read of it is checked against the
 * items themselves (consistent reads).
 */
export class OutboxRepository implements OutboxStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async add(message: OutboxMessage): Promise<{ added: boolean; message: OutboxMessage }> {
    const token = Math.random().toString(36).slice(2);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toOutboxItem(message, token),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return { added: true, message };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    const existing = await this.getItem(outboxKey(message.communityId, message.id));
    if (!existing)
      throw new StoreError('PutItem', { cause: new Error('outbox item vanished after a failed put') });
    // The SDK retries a put whose answer was lost; its own first attempt then fails the condition.
    return { added: readString(existing, 'putToken') === token, message: fromOutboxItem(existing) };
  }

  async get(communityId: string, id: string): Promise<OutboxMessage | undefined> {
    const item = await this.getItem(outboxKey(communityId, id));
    return item ? fromOutboxItem(item) : undefined;
  }

  async due(
    now: Date,
    limit: number,
    known: ReadonlyMap<string, OutboxMessage> = new Map(),
  ): Promise<OutboxMessage[]> {
    const found: OutboxMessage[] = [];
    const held = new Map([...known.values()].map((message) => [dueKeyOf(message), message]));
    let listed = 0;
    let startKey: Item | undefined;
    do {
      const page = await this.client
        .send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: dueIndex.name,
            KeyConditionExpression: '#gpk = :due AND #gsk <= :until',
            ExpressionAttributeNames: { '#gpk': dueIndex.partitionKey, '#gsk': dueIndex.sortKey },
            // Every sort key of a message due at `now` starts with `now` and goes on with `#...`.
            ExpressionAttributeValues: toItem({
              ':due': DUE_PARTITION,
              ':until': `${now.toISOString()}\uffff`,
            }),
            Limit: limit - listed,
            ExclusiveStartKey: startKey,
          }),
        )
        .catch(storeError('Query'));
      const entries = page.Items ?? [];
      listed += entries.length;
      // A message the caller holds as it was when due at the listed time is not read again.
      const unknown: Item[] = [];
      for (const entry of entries) {
        const message = held.get(readString(entry, dueIndex.sortKey) ?? '');
        if (message) found.push(message);
        else unknown.push(tableKey(entry));
      }
      const items = unknown.length > 0 ? await getAll(this.client, this.tableName, unknown, true) : [];
      // The index may still list a message another run ended or moved on: the item itself decides.
      for (const item of items) {
        if (isWaiting(item) && (readString(item, 'dueAt') ?? '') <= now.toISOString()) {
          found.push(fromOutboxItem(item));
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (listed < limit && startKey);
    return found.sort((a, b) => compare(dueKeyOf(a), dueKeyOf(b)));
  }

  async nextDue(): Promise<Date | undefined> {
    const { Items } = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: dueIndex.name,
          KeyConditionExpression: '#gpk = :due',
          ExpressionAttributeNames: { '#gpk': dueIndex.partitionKey },
          ExpressionAttributeValues: toItem({ ':due': DUE_PARTITION }),
          Limit: 1,
        }),
      )
      .catch(storeError('Query'));
    // A lagging entry can only make this earlier than the truth: the worker looks once more for nothing.
    const first = readString(Items?.[0], dueIndex.sortKey);
    return first ? new Date(first.slice(0, first.indexOf('#'))) : undefined;
  }

  async hold(message: OutboxMessage, until: Date, reason: string, promisedAt?: Date): Promise<void> {
    await this.requeue(message, until, reason, promisedAt);
  }

  async claim(claim: AttemptClaim): Promise<boolean> {
    return this.update({
      Key: outboxKey(claim.communityId, claim.id),
      UpdateExpression:
        'SET #status = :sending, attempts = :next, firstAttemptAt = if_not_exists(firstAttemptAt, :at), ' +
        'dueAt = :lease, #gpk = :due, #gsk = :sk',
      ConditionExpression: 'attempts = :read AND #status IN (:queued, :sending)',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: toItem({
        ':sending': 'sending',
        ':queued': 'queued',
        ':read': claim.attempts,
        ':next': claim.attempts + 1,
        ':at': claim.at.toISOString(),
        ':lease': claim.leaseUntil.toISOString(),
        ':due': DUE_PARTITION,
        ':sk': dueSortKey(claim.leaseUntil, claim.communityId, claim.id),
      }),
    });
  }

  async retry(message: OutboxMessage, at: Date, reason: string): Promise<void> {
    await this.requeue(message, at, reason);
  }

  async end(message: OutboxMessage, ending: Ending, now: Date): Promise<void> {
    const sent = ending.status === 'sent';
    // A private message's channel is the member's own chat (on Telegram its id is the user's id): not kept.
    const posted =
      ending.status === 'sent' && message.audience.kind === 'channel' ? ending.posted : undefined;
    const set = ['#status = :status', 'endedAt = :now', '#ttl = :ttl'];
    if (posted) set.push('postedChannelId = :channel', 'postedMessageId = :posted');
    if (ending.status !== 'sent') set.push('reason = :reason');
    const remove = [...PERSONAL_ATTRIBUTES.map((_, index) => `#p${index}`), '#gpk', '#gsk', 'putToken'];
    if (sent) remove.push('reason');
    await this.update({
      Key: outboxKey(message.communityId, message.id),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      // A message ends once (a late second ending from another run changes nothing), and an item an erasure
      // deleted meanwhile is not brought back.
      ConditionExpression: '#status IN (:queued, :sending)',
      ExpressionAttributeNames: {
        ...NAMES,
        '#ttl': TABLE.timeToLiveAttribute,
        ...Object.fromEntries(PERSONAL_ATTRIBUTES.map((name, index) => [`#p${index}`, name])),
      },
      ExpressionAttributeValues: toItem({
        ':status': ending.status,
        ':queued': 'queued',
        ':sending': 'sending',
        ':now': now.toISOString(),
        ':ttl': epochSeconds(now) + OUTBOX_KEPT_DAYS * DAY_SECONDS,
        ':channel': posted?.channelId,
        ':posted': posted?.messageId,
        ':reason': ending.status === 'sent' ? undefined : ending.reason,
      }),
    });
  }

  async failed(communityId: string, limit: number): Promise<OutboxMessage[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :outbox)',
      FilterExpression: '#status = :failed',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, '#status': 'status' },
      ExpressionAttributeValues: toItem({
        ':pk': communityPartition(communityId),
        ':outbox': 'OUTBOX#',
        ':failed': 'failed',
      }),
    });
    return items
      .sort((a, b) => compare(readString(b, 'endedAt'), readString(a, 'endedAt')))
      .slice(0, limit)
      .map(fromOutboxItem);
  }

  async eraseMember(communityId: string, memberIds: readonly string[]): Promise<number> {
    let erased = 0;
    for (let start = 0; start < memberIds.length; start += IN_LIMIT) {
      const ids = memberIds.slice(start, start + IN_LIMIT);
      const list = ids.map((_, index) => `:m${index}`).join(', ');
      const items = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :outbox)',
        // Messages to the member, and messages they asked for (an announcement they made).
        FilterExpression: `memberId IN (${list}) OR requesterMemberId IN (${list})`,
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: toItem({
          ':pk': communityPartition(communityId),
          ':outbox': 'OUTBOX#',
          ...Object.fromEntries(ids.map((id, index) => [`:m${index}`, id])),
        }),
      });
      erased += await deleteAll(this.client, this.tableName, items.map(tableKey));
    }
    return erased;
  }

  /** Back to queued at `at`, unless the message ended or was erased meanwhile (then nothing changes). */
  private async requeue(message: OutboxMessage, at: Date, reason: string, promisedAt?: Date): Promise<void> {
    await this.update({
      Key: outboxKey(message.communityId, message.id),
      UpdateExpression: `SET #status = :queued, dueAt = :at, reason = :reason, #gpk = :due, #gsk = :sk${
        promisedAt ? ', promisedAt = :promised' : ''
      }`,
      ConditionExpression: '#status IN (:queued, :sending)',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: toItem({
        ':queued': 'queued',
        ':sending': 'sending',
        ':at': at.toISOString(),
        ':reason': reason,
        ':due': DUE_PARTITION,
        ':sk': dueSortKey(at, message.communityId, message.id),
        ':promised': promisedAt?.toISOString(),
      }),
    });
  }

  private async getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }

  /** A conditional update: `false` when the condition did not hold. */
  private update(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<boolean> {
    return conditionalUpdate(this.client, { ...input, TableName: this.tableName });
  }
}

/** A conditional update: `false` when the condition did not hold. */
export async function conditionalUpdate(
  client: DynamoDBClient,
  input: UpdateItemCommandInput,
): Promise<boolean> {
  try {
    await client.send(new UpdateItemCommand(input));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw new StoreError('UpdateItem', { cause: error });
  }
}

function dueKeyOf(message: OutboxMessage): string {
  return dueSortKey(message.dueAt, message.communityId, message.id);
}

function isWaiting(item: Item): boolean {
  return (WAITING as readonly string[]).includes(readString(item, 'status') ?? '');
}

function tableKey(item: Item): Item {
  return toItem({
    [TABLE.partitionKey]: readString(item, TABLE.partitionKey),
    [TABLE.sortKey]: readString(item, TABLE.sortKey),
  });
}

function compare(a: string | undefined, b: string | undefined): number {
  // Ordinal, not locale order: ISO times and keys sort as their code units do in DynamoDB.
  const [x, y] = [a ?? '', b ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}
