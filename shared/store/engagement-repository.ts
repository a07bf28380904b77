import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Claim } from '../core/answers.js';
import { COMPLETED_FOR_SECONDS } from '../core/answers.js';
import {
  COLUMN_OF_KIND,
  type DayTotals,
  type EngagementRecord,
  type EngagementStore,
  isEngagement,
  makesMemberSeen,
  type RecordOutcome,
} from '../core/engagement.js';
import type { InboundEventKind, Space } from '../core/events.js';
import { endOfDay } from '../core/time.js';
import { epochSeconds, type Item, readNumber, readString, readStringSet, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { completeClaim, recordAndClaim, release } from './interaction-claims.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';

/**
 * A day's records can still change until every delivery that arrived during it has been written. Lambda
 * runs at most 15 minutes, so 15 minutes after midnight UTC a day is closed and its rollup is final.
 */
export const DAY_CLOSES_AFTER_MS = 15 * 60 * 1000;

/** How many days are queried at once per platform when rollups are missing. */
const QUERY_CONCURRENCY = 6;

const { byDay } = TABLE.indexes;

/**
 * Engagement records in DynamoDB.
 *
 * Writing: one conditional PutItem per event, keyed by the platform's event identity, so the record is the
 * idempotency key too: a replay fails the condition and changes nothing, and there is no second write that
 * a crash could separate from the first. Reading: stats come from the `byDay` index; a closed day is
 * summed once into a rollup item that any later read can trust (and that can always be recomputed).
 */
export class EngagementRepository implements EngagementStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async record(record: EngagementRecord): Promise<RecordOutcome> {
    const delivery = `${record.recordedAt}#${Math.random().toString(36).slice(2)}`;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toRecordItem(record, delivery),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    // The SDK retries a put whose answer was lost; its own earlier attempt then fails the condition.
    // The delivery stamp tells that apart from a real duplicate (a read only on this rare path).
    return (await this.deliveryOf(record.key)) === delivery ? 'recorded' : 'duplicate';
  }

  recordInteraction(
    record: EngagementRecord,
    now: Date,
    inProgressMs: number,
    completedAtOnce: boolean,
  ): Promise<{ outcome: RecordOutcome; claim: Claim }> {
    const delivery = `${record.recordedAt}#${Math.random().toString(36).slice(2)}`;
    const context = {
      client: this.client,
      tableName: this.tableName,
      item: toRecordItem(record, delivery),
      key: recordKey(record.key),
      delivery,
    };
    return recordAndClaim(context, now, inProgressMs, completedAtOnce);
  }

  completeInteraction(key: string): Promise<void> {
    return completeClaim(this.client, this.tableName, recordKey(key));
  }

  releaseInteraction(key: string): Promise<void> {
    return release({ client: this.client, tableName: this.tableName, key: recordKey(key) });
  }

  async dayTotals(space: Space, days: readonly string[], now: Date): Promise<DayTotals[]> {
    const closed = days.filter((day) => endOfDay(day).getTime() + DAY_CLOSES_AFTER_MS <= now.getTime());
    const rollups = await this.readRollups(space, closed);
    const missing = days.filter((day) => !rollups.has(day));
    const computed = await mapLimited(missing, QUERY_CONCURRENCY, (day) => this.sumDay(space, day));
    const closedSet = new Set(closed);
    await mapLimited(
      computed.filter((totals) => closedSet.has(totals.day)),
      QUERY_CONCURRENCY,
      (totals) => this.writeRollup(totals),
    );
    const byDayName = new Map([...rollups, ...computed.map((totals) => [totals.day, totals] as const)]);
    return days.map((day) => byDayName.get(day) ?? emptyTotals(space, day));
  }

  private async deliveryOf(key: string): Promise<string | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: recordKey(key), ConsistentRead: true }),
      );
      return readString(Item, 'delivery');
    } catch (error) {
      throw new StoreError('GetItem', { cause: error });
    }
  }

  /** Sums one space-day from the index. */
  private async sumDay(space: Space, day: string): Promise<DayTotals> {
    const totals = { messages: 0, replies: 0, reactions: 0, joins: 0 };
    const members = new Set<string>();
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byDay.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byDay.partitionKey, '#sk': byDay.sortKey, '#m': 'memberId' },
      ExpressionAttributeValues: { ':pk': { S: dayPartition(space, day) } },
      ProjectionExpression: '#sk, #m',
    });
    for (const item of items) {
      const kind = readString(item, byDay.sortKey)?.split('#')[0] as InboundEventKind;
      const column = COLUMN_OF_KIND[kind];
      if (column) totals[column] += 1;
      const member = readString(item, 'memberId');
      if (member && makesMemberSeen(kind)) members.add(member);
    }
    return { platform: space.platform, spaceId: space.id, day, ...totals, members: [...members].sort() };
  }

  private async readRollups(space: Space, days: readonly string[]): Promise<Map<string, DayTotals>> {
    const keys = days.map((day) =>
      toItem({ [TABLE.partitionKey]: rollupPartition(space), [TABLE.sortKey]: day }),
    );
    // 30 days fit in one BatchGetItem; keys left unprocessed are asked for again (reads.ts).
    const items = await getAll(this.client, this.tableName, keys);
    return new Map(
      items.map((item) => {
        const day = readString(item, TABLE.sortKey) ?? '';
        return [day, fromRollupItem(space, day, item)] as const;
      }),
    );
  }

  private async writeRollup(totals: DayTotals): Promise<void> {
    // Deterministic content: two readers rolling up the same closed day write the same item.
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            [TABLE.partitionKey]: rollupPartition({ platform: totals.platform, id: totals.spaceId }),
            [TABLE.sortKey]: totals.day,
            messages: totals.messages,
            replies: totals.replies,
            reactions: totals.reactions,
            joins: totals.joins,
            members: totals.members,
          }),
        }),
      )
      .catch((error: unknown) => {
        throw new StoreError('PutItem', { cause: error });
      });
  }
}

function recordKey(key: string): Item {
  return toItem({ [TABLE.partitionKey]: `EVT#${key}`, [TABLE.sortKey]: 'EVT' });
}

/**
 * Written attribute by attribute, so renaming a field of the record never changes what is stored. Only
 * engagement enters the byDay index; an interaction's item is its answer's claim, and expires with it.
 */
function toRecordItem(record: EngagementRecord, delivery: string): Item {
  const engagement = isEngagement(record.kind);
  const space = { platform: record.platform, id: record.spaceId };
  return {
    ...recordKey(record.key),
    ...toItem({
      [byDay.partitionKey]: engagement ? dayPartition(space, record.day) : undefined,
      [byDay.sortKey]: engagement ? `${record.kind}#${record.key}` : undefined,
      key: record.key,
      platform: record.platform,
      kind: record.kind,
      spaceId: record.spaceId,
      channelId: record.channelId,
      memberId: record.memberId,
      occurredAt: record.occurredAt,
      recordedAt: record.recordedAt,
      day: record.day,
      messageId: record.messageId,
      replyToId: record.replyToId,
      textLength: record.textLength,
      reaction: record.reaction,
      delivery,
      [TABLE.timeToLiveAttribute]: engagement
        ? undefined
        : epochSeconds(new Date(record.recordedAt)) + COMPLETED_FOR_SECONDS,
    }),
  };
}

/** A space's records of one day, in the byDay index: the key names the space, so reads stay inside it. */
function dayPartition(space: Space, day: string): string {
  return `DAY#${space.platform}:${space.id}#${day}`;
}

function rollupPartition(space: Space): string {
  return `ROLLUP#${space.platform}:${space.id}`;
}

function fromRollupItem(space: Space, day: string, item: Item): DayTotals {
  return {
    platform: space.platform,
    spaceId: space.id,
    day,
    messages: readNumber(item, 'messages'),
    replies: readNumber(item, 'replies'),
    reactions: readNumber(item, 'reactions'),
    joins: readNumber(item, 'joins'),
    members: readStringSet(item, 'members'),
  };
}

function emptyTotals(space: Space, day: string): DayTotals {
  return {
    platform: space.platform,
    spaceId: space.id,
    day,
    messages: 0,
    replies: 0,
    reactions: 0,
    joins: 0,
    members: [],
  };
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
