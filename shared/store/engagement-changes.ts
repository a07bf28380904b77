/**
 * Changes to stored engagement (engagement-repository.ts): a reaction put on or taken back, a message deleted
 * or edited, a message's anonymous reaction count. Each is one conditional write keyed by the record, ordered by
 * the change's `seq`: a change older than the last applied fails its condition and changes nothing, so replays
 * and reordered deliveries end in the latest state. A record that stops counting leaves the byDay index (stats
 * are a count of that index) and stays, marked `gone`, until its TTL, as the fence against late deliveries.
 */
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ANONYMOUS,
  type ChangeOutcome,
  type EngagementRecord,
  REACTIONS_COUNTED,
  type RecordChange,
  type Tombstone,
} from '../core/engagement.js';
import { utcDay } from '../core/time.js';
import { epochSeconds, type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { TABLE } from './table.js';

const { byDay, byMember } = TABLE.indexes;

/** A record's entry in a day's count, as the byDay index holds it. */
export interface DayEntry {
  readonly kind: string;
  readonly memberId?: string;
  readonly to?: string;
  readonly count: number;
}

/** What a day's recount must take as true for one record, whatever the (eventually consistent) index says. */
export interface DayOverride {
  readonly key: string;
  /** The record's entry now, or nothing when it no longer counts. */
  readonly entry?: DayEntry;
}

/** A change that touched a record of an earlier day: that day's rollup must be rebuilt. */
export interface Touched {
  readonly outcome: ChangeOutcome;
  readonly day?: string;
  readonly override?: DayOverride;
}

export interface ChangeContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The item a new record is stored as (engagement-repository.ts). */
  readonly toItem: (record: EngagementRecord) => Item;
}

/** The names every change's expressions use. */
const NAMES = {
  '#pk': TABLE.partitionKey,
  '#gone': 'gone',
  '#seq': 'seq',
} as const;

/** Applies one change; returns what it did, and the earlier day it took a record out of (or changed). */
export async function applyChange(context: ChangeContext, change: RecordChange, now: Date): Promise<Touched> {
  switch (change.type) {
    case 'react':
      return react(context, change.record, change.sequence);
    case 'withdraw':
      return withdraw(context, change.key, change.sequence, change.tombstone, now);
    case 'amend':
      return amend(context, change.key, change.sequence, change.textLength);
    case 'count':
      return count(context, change.record, change.sequence, change.count);
  }
}

/** A reaction on: new, or back after it was taken back by an older change. It counts on the day it came back. */
async function react(context: ChangeContext, record: EngagementRecord, sequence: number): Promise<Touched> {
  const Item = { ...context.toItem(record), seq: { N: String(sequence) } };
  if (await put(context, Item, 'attribute_not_exists(#pk)', {})) return { outcome: 'applied' };
  const restored = await put(context, Item, '#gone = :true AND (attribute_not_exists(#seq) OR #seq < :seq)', {
    ':true': { BOOL: true },
    ':seq': { N: String(sequence) },
  });
  return { outcome: restored ? 'applied' : 'unchanged' };
}

/** A reaction taken back or a message deleted: out of the byDay index, marked gone. */
async function withdraw(
  context: ChangeContext,
  key: string,
  sequence: number,
  tombstone: Tombstone,
  now: Date,
): Promise<Touched> {
  const old = await update(context, key, {
    UpdateExpression: 'SET #gone = :true, #seq = :seq REMOVE #dpk, #dsk',
    ConditionExpression:
      'attribute_exists(#pk) AND attribute_not_exists(#gone) AND (attribute_not_exists(#seq) OR #seq < :seq)',
    ExpressionAttributeNames: { ...NAMES, '#dpk': byDay.partitionKey, '#dsk': byDay.sortKey },
    ExpressionAttributeValues: { ':true': { BOOL: true }, ':seq': { N: String(sequence) } },
  });
  if (old) {
    const day = readString(old, 'day');
    return { outcome: 'applied', ...(day ? { day, override: { key } } : {}) };
  }
  if (
    await put(context, tombstoneItem(key, sequence, tombstone, utcDay(now)), 'attribute_not_exists(#pk)', {})
  ) {
    return { outcome: 'absent' };
  }
  // Already gone: keep the latest sequence, so an add older than this removal stays out.
  await update(context, key, {
    UpdateExpression: 'SET #seq = :seq',
    ConditionExpression: '#gone = :true AND #seq < :seq',
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: { ':true': { BOOL: true }, ':seq': { N: String(sequence) } },
  });
  return { outcome: 'unchanged' };
}

/** A message edited: its new length, unless it is gone or a later edit came first. */
async function amend(
  context: ChangeContext,
  key: string,
  sequence: number,
  textLength: number,
): Promise<Touched> {
  const old = await update(context, key, {
    UpdateExpression: 'SET #len = :len, #seq = :seq',
    // A message's record (its length may be unknown until now), still counted, and no later edit applied.
    ConditionExpression:
      'attribute_exists(#msg) AND attribute_not_exists(#gone) AND (attribute_not_exists(#seq) OR #seq < :seq)',
    ExpressionAttributeNames: { ...NAMES, '#len': 'textLength', '#msg': 'messageId' },
    ExpressionAttributeValues: { ':len': { N: String(textLength) }, ':seq': { N: String(sequence) } },
  });
  return { outcome: old ? 'applied' : 'unchanged' };
}

/**
 * A message's anonymous reactions of one emoji: one record whose count is the latest one. It keeps the day it
 * was first counted on; a later count that changes it rebuilds that day when it is closed.
 */
async function count(
  context: ChangeContext,
  record: EngagementRecord,
  sequence: number,
  total: number,
): Promise<Touched> {
  const space = { platform: record.platform, id: record.spaceId };
  const values = toItem({
    ':dpk': `DAY#${space.platform}:${space.id}#${record.day}`,
    ':kind': REACTIONS_COUNTED,
    ':key': record.key,
    ':platform': record.platform,
    ':space': record.spaceId,
    ':channel': record.channelId,
    ':member': ANONYMOUS,
    ':message': record.messageId,
    ':reaction': record.reaction,
    ':count': total,
    // The sort key carries the count (the index projects only the member id besides its keys).
    ':dsk': `${REACTIONS_COUNTED}#-#${record.key}#${total}`,
    ':seq': sequence,
    ':day': record.day,
    ':at': record.recordedAt,
    ':occurred': record.occurredAt,
    ':ttl': record.expiresAt ? epochSeconds(new Date(record.expiresAt)) : undefined,
  });
  const old = await update(
    context,
    record.key,
    {
      UpdateExpression: [
        'SET #dpk = if_not_exists(#dpk, :dpk), #day = if_not_exists(#day, :day)',
        '#at = if_not_exists(#at, :at), #occurred = if_not_exists(#occurred, :occurred)',
        '#kind = :kind, #key = :key, #platform = :platform, #space = :space, #channel = :channel',
        '#member = :member, #message = :message, #reaction = :reaction, #count = :count, #seq = :seq',
        '#dsk = :dsk',
        ...(values[':ttl'] ? ['#ttl = if_not_exists(#ttl, :ttl)'] : []),
      ].join(', '),
      ConditionExpression: 'attribute_not_exists(#pk) OR #seq < :seq',
      ExpressionAttributeNames: {
        '#pk': TABLE.partitionKey,
        '#seq': 'seq',
        '#dpk': byDay.partitionKey,
        '#dsk': byDay.sortKey,
        '#day': 'day',
        '#at': 'recordedAt',
        '#occurred': 'occurredAt',
        '#kind': 'kind',
        '#key': 'key',
        '#platform': 'platform',
        '#space': 'spaceId',
        '#channel': 'channelId',
        '#member': 'memberId',
        '#message': 'messageId',
        '#reaction': 'reaction',
        '#count': 'count',
        ...(values[':ttl'] ? { '#ttl': TABLE.timeToLiveAttribute } : {}),
      },
      ExpressionAttributeValues: values,
    },
    true,
  );
  if (!old) return { outcome: 'unchanged' };
  const day = readString(old, 'day') ?? record.day;
  const before = readString(old, TABLE.partitionKey) ? Number(old.count?.N ?? 0) : undefined;
  if (before === undefined || before === total) return { outcome: 'applied' };
  return {
    outcome: 'applied',
    day,
    override: { key: record.key, entry: { kind: REACTIONS_COUNTED, memberId: ANONYMOUS, count: total } },
  };
}

/**
 * What stands for a record withdrawn before it was stored. It carries the member's byMember entry when known,
 * so `forget` erases it with the rest.
 */
function tombstoneItem(key: string, sequence: number, tombstone: Tombstone, day: string): Item {
  const space = `${tombstone.platform}:${tombstone.spaceId}`;
  return {
    ...recordKey(key),
    gone: { BOOL: true },
    ...toItem({
      seq: sequence,
      key,
      platform: tombstone.platform,
      spaceId: tombstone.spaceId,
      memberId: tombstone.memberId,
      ...(tombstone.memberId
        ? {
            [byMember.partitionKey]: `MEMBER#${space}#${tombstone.memberId}`,
            [byMember.sortKey]: `${day}#reaction_removed#${key}`,
          }
        : {}),
      [TABLE.timeToLiveAttribute]: epochSeconds(new Date(tombstone.expiresAt)),
    }),
  };
}

function recordKey(key: string): Item {
  return toItem({ [TABLE.partitionKey]: `EVT#${key}`, [TABLE.sortKey]: 'EVT' });
}

/** A conditional put: true when written, false when its condition did not hold. */
async function put(
  context: ChangeContext,
  Item: Item,
  ConditionExpression: string,
  values: Item,
): Promise<boolean> {
  try {
    await context.client.send(
      new PutItemCommand({
        TableName: context.tableName,
        Item,
        ConditionExpression,
        ExpressionAttributeNames: usedNames(NAMES, ConditionExpression),
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw new StoreError('PutItem', { cause: error });
  }
}

type UpdateInput = Pick<
  ConstructorParameters<typeof UpdateItemCommand>[0],
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/**
 * A conditional update: the item as it was before (`{}` when there was none and `upsert` allowed creating it),
 * or undefined when the condition did not hold.
 */
async function update(
  context: ChangeContext,
  key: string,
  input: UpdateInput,
  upsert = false,
): Promise<Item | undefined> {
  try {
    const { Attributes } = await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: recordKey(key),
        ...input,
        ExpressionAttributeNames: usedNames(
          input.ExpressionAttributeNames ?? {},
          `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`,
        ),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ?? (upsert ? {} : undefined);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw new StoreError('UpdateItem', { cause: error });
  }
}

/** DynamoDB refuses names an expression does not use. */
function usedNames(names: Record<string, string>, expressions: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(names).filter(([name]) => new RegExp(`${name}\\b`).test(expressions)),
  );
}
