import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Claim } from '../core/answers.js';
import { COMPLETED_FOR_SECONDS } from '../core/answers.js';
import {
  ANONYMOUS,
  type ChangeOutcome,
  COLUMN_OF_KIND,
  type DayTotals,
  type Edge,
  type EngagementRecord,
  type EngagementStore,
  isEngagement,
  keyInSpace,
  type MemberActivity,
  makesMemberSeen,
  REACTIONS_COUNTED,
  type RecordChange,
  type RecordOutcome,
} from '../core/engagement.js';
import type { InboundEventKind, Space } from '../core/events.js';
import { endOfDay } from '../core/time.js';
import { epochSeconds, type Item, readNumber, readString, readStringSet, toItem } from './attributes.js';
import { applyChange, type DayEntry, type DayOverride } from './engagement-changes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { completeClaim, recordAndClaim, release } from './interaction-claims.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

/**
 * A day's records can still change until every delivery that arrived during it has been written. Lambda
 * runs at most 15 minutes, so 15 minutes after midnight UTC a day is closed and its rollup is final.
 */
export const DAY_CLOSES_AFTER_MS = 15 * 60 * 1000;

/** How many days are queried at once per platform when rollups are missing. */
const QUERY_CONCURRENCY = 6;

/**
 * What a rollup's columns mean. A rollup of another version is recomputed from the records rather than read
 * (a column added later would otherwise read as 0). 2: members are opaque ids.
 */
export const ROLLUP_VERSION = 2;

/** The byDay sort key's stand-in when a record is addressed to nobody. */
const NO_TARGET = '-';

const { byDay, byMember } = TABLE.indexes;

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
    const closed = days.filter((day) => isClosed(day, now));
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

  async memberActivity(
    space: Space,
    memberIds: readonly string[],
    fromDay?: string,
  ): Promise<MemberActivity[]> {
    const found = await Promise.all(memberIds.map((id) => this.recordsOf(space, id, fromDay)));
    return found.flat().map(({ kind, day }) => ({ kind, day }));
  }

  async eraseMember(space: Space, memberIds: readonly string[], now: Date): Promise<number> {
    const records = (await Promise.all(memberIds.map((id) => this.recordsOf(space, id)))).flat();
    if (records.length === 0) return 0;
    // Rollups first, records second: a failure half-way leaves records that a retry finds again (and
    // rebuilds their days again, which changes nothing), never a day whose records went but whose rollup
    // still counts them.
    const erased = new Set(memberIds);
    const days = [...new Set(records.map((record) => record.day))].filter((day) => isClosed(day, now));
    await mapLimited(days, QUERY_CONCURRENCY, async (day) =>
      this.putRollup(await this.sumDay(space, day, erased), true),
    );
    return deleteAll(
      this.client,
      this.tableName,
      records.map((record) => record.key),
    );
  }

  async change(change: RecordChange, now: Date): Promise<ChangeOutcome> {
    const context = { client: this.client, tableName: this.tableName, toItem: toNewItem };
    const { outcome, day, override } = await applyChange(context, change, now);
    if (day && override && isClosed(day, now)) {
      const space = spaceOfChange(change);
      // The index may not show this change yet (it is eventually consistent): the override says what is true.
      await this.putRollup(await this.sumDay(space, day, undefined, override), true);
    }
    return outcome;
  }

  async dayEdges(space: Space, day: string): Promise<Edge[]> {
    const items = await this.dayItems(space, day);
    return items.flatMap(({ kind, to, memberId }) =>
      to && memberId && memberId !== ANONYMOUS
        ? [{ kind: kind as InboundEventKind, from: memberId, to }]
        : [],
    );
  }

  async reactionsOn(
    space: Space,
    channelId: string,
    messageId: string,
    days: readonly string[],
  ): Promise<number> {
    // A reaction's key names its message (`reaction:<channel>/<message>/<member>/<emoji>`); a withdrawn one
    // has left the index. Members are counted once whatever their emojis; anonymous counts add theirs.
    const needle = `#${keyInSpace(space, `reaction:${channelId}/${messageId}/`)}`;
    const kinds = ['reaction_added', REACTIONS_COUNTED];
    const found = await Promise.all(
      days.flatMap((day) => kinds.map((kind) => this.dayItemsOf(space, day, kind, needle))),
    );
    const members = new Set<string>();
    const counted = new Map<string, number>();
    for (const { kind, key, count, memberId } of found.flat()) {
      if (kind === REACTIONS_COUNTED) counted.set(key, count);
      else if (memberId && memberId !== ANONYMOUS) members.add(memberId);
    }
    return members.size + [...counted.values()].reduce((sum, count) => sum + count, 0);
  }

  async repliesTo(
    space: Space,
    channelId: string,
    messageId: string,
    days: readonly string[],
  ): Promise<number> {
    // Replies that name no member (to a bot, or to an author the payload did not say) are few; the index
    // holds only their keys, so their items tell which message each answered.
    const entries = await Promise.all(
      days.map((day) =>
        queryAll(this.client, {
          TableName: this.tableName,
          IndexName: byDay.name,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :untargeted)',
          ExpressionAttributeNames: {
            '#pk': byDay.partitionKey,
            '#sk': byDay.sortKey,
            '#tpk': TABLE.partitionKey,
            '#tsk': TABLE.sortKey,
          },
          ExpressionAttributeValues: toItem({
            ':pk': dayPartition(space, day),
            ':untargeted': `thread_reply#${NO_TARGET}#`,
          }),
          ProjectionExpression: '#tpk, #tsk',
        }),
      ),
    );
    const keys = entries.flat().map((entry) => ({
      [TABLE.partitionKey]: entry[TABLE.partitionKey] as Item[string],
      [TABLE.sortKey]: entry[TABLE.sortKey] as Item[string],
    }));
    const items = keys.length > 0 ? await getAll(this.client, this.tableName, keys) : [];
    const members = new Set<string>();
    let anonymous = 0;
    for (const item of items) {
      if (readString(item, 'channelId') !== channelId || readString(item, 'replyToId') !== messageId)
        continue;
      const member = readString(item, 'memberId');
      if (member && member !== ANONYMOUS) members.add(member);
      else anonymous += 1;
    }
    return members.size + anonymous;
  }

  /**
   * A space-day's records of one kind whose byDay sort key holds `needle`. Filtered here: DynamoDB filters
   * on no index key, and the index projects no other attribute naming the message.
   */
  private async dayItemsOf(space: Space, day: string, kind: string, needle: string) {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byDay.name,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :kind)',
      ExpressionAttributeNames: { '#pk': byDay.partitionKey, '#sk': byDay.sortKey, '#m': 'memberId' },
      ExpressionAttributeValues: toItem({ ':pk': dayPartition(space, day), ':kind': `${kind}#` }),
      ProjectionExpression: '#sk, #m',
    });
    return items
      .map((item) => ({
        sortKey: readString(item, byDay.sortKey) ?? '',
        memberId: readString(item, 'memberId'),
      }))
      .filter(({ sortKey }) => sortKey.includes(needle))
      .map(({ sortKey, memberId }) => fromDaySortKey(sortKey, memberId));
  }

  /** A member's records in a space (one opaque id), from the byMember index: keys, kind and day. */
  private async recordsOf(space: Space, memberId: string, fromDay?: string) {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byMember.name,
      KeyConditionExpression: fromDay ? '#pk = :pk AND #sk >= :from' : '#pk = :pk',
      ExpressionAttributeNames: {
        '#pk': byMember.partitionKey,
        ...(fromDay ? { '#sk': byMember.sortKey } : {}),
      },
      // An unused value (no `fromDay`) is a validation error.
      ExpressionAttributeValues: toItem({
        ':pk': memberPartition(space, memberId),
        ...(fromDay ? { ':from': fromDay } : {}),
      }),
    });
    return items.map((item) => {
      const [day = '', kind = ''] = (readString(item, byMember.sortKey) ?? '').split('#');
      return {
        key: toItem({ [TABLE.partitionKey]: readString(item, TABLE.partitionKey), [TABLE.sortKey]: 'EVT' }),
        day,
        kind: kind as InboundEventKind,
      };
    });
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

  /**
   * Sums one space-day from the index, leaving out the records of `leaveOut` (ids being erased), and taking
   * `override` as the truth for its record.
   */
  private async sumDay(
    space: Space,
    day: string,
    leaveOut?: ReadonlySet<string>,
    override?: DayOverride,
  ): Promise<DayTotals> {
    const totals = { messages: 0, replies: 0, reactions: 0, joins: 0 };
    const members = new Set<string>();
    const entries = (await this.dayItems(space, day)).filter((entry) => entry.key !== override?.key);
    for (const { kind, memberId, count } of override?.entry ? [...entries, override.entry] : entries) {
      if (memberId && leaveOut?.has(memberId)) continue;
      const column = COLUMN_OF_KIND[kind as InboundEventKind];
      if (column) totals[column] += count;
      if (memberId && memberId !== ANONYMOUS && makesMemberSeen(kind as InboundEventKind))
        members.add(memberId);
    }
    return { platform: space.platform, spaceId: space.id, day, ...totals, members: [...members].sort() };
  }

  /** A space-day's engagement records from the byDay index: kind, who, and to whom. */
  private async dayItems(space: Space, day: string) {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byDay.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byDay.partitionKey, '#sk': byDay.sortKey, '#m': 'memberId' },
      ExpressionAttributeValues: { ':pk': { S: dayPartition(space, day) } },
      ProjectionExpression: '#sk, #m',
    });
    return items.map((item) =>
      fromDaySortKey(readString(item, byDay.sortKey) ?? '', readString(item, 'memberId')),
    );
  }

  private async readRollups(space: Space, days: readonly string[]): Promise<Map<string, DayTotals>> {
    const keys = days.map((day) =>
      toItem({ [TABLE.partitionKey]: rollupPartition(space), [TABLE.sortKey]: day }),
    );
    // 30 days fit in one BatchGetItem; keys left unprocessed are asked for again (reads.ts).
    const items = await getAll(this.client, this.tableName, keys);
    return new Map(
      items
        .filter((item) => readNumber(item, 'version') === ROLLUP_VERSION)
        .map((item) => {
          const day = readString(item, TABLE.sortKey) ?? '';
          return [day, fromRollupItem(space, day, item)] as const;
        }),
    );
  }

  private writeRollup(totals: DayTotals): Promise<void> {
    return this.putRollup(totals, false);
  }

  /**
   * A reader writes a rollup only where none of this version exists: it must never put back a member an
   * erasure took out (its sum may have been read before the erasure). An erasure's rebuild always writes.
   */
  private async putRollup(totals: DayTotals, rebuild: boolean): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            [TABLE.partitionKey]: rollupPartition({ platform: totals.platform, id: totals.spaceId }),
            [TABLE.sortKey]: totals.day,
            version: ROLLUP_VERSION,
            messages: totals.messages,
            replies: totals.replies,
            reactions: totals.reactions,
            joins: totals.joins,
            members: totals.members,
          }),
          ...(rebuild
            ? {}
            : {
                ConditionExpression: 'attribute_not_exists(#pk) OR #version <> :version',
                ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#version': 'version' },
                ExpressionAttributeValues: toItem({ ':version': ROLLUP_VERSION }),
              }),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
  }
}

/**
 * A record's entry in a day from its byDay sort key, `<kind>#<to>#<record key>`, with `#<count>` after the
 * key for anonymous reaction counts. A key may itself hold `#` (the keycap emoji `#️⃣`).
 */
function fromDaySortKey(sortKey: string, memberId: string | undefined): DayEntry & { key: string } {
  const [kind = '', to = NO_TARGET] = sortKey.split('#', 2);
  let key = sortKey.slice(kind.length + to.length + 2);
  let count = 1;
  if (kind === REACTIONS_COUNTED) {
    const cut = key.lastIndexOf('#');
    count = Number(key.slice(cut + 1)) || 0;
    key = key.slice(0, cut);
  }
  return { kind, key, count, ...(memberId ? { memberId } : {}), ...(to === NO_TARGET ? {} : { to }) };
}

/** The space a change belongs to. */
function spaceOfChange(change: RecordChange): Space {
  if (change.type === 'react' || change.type === 'count') {
    return { platform: change.record.platform, id: change.record.spaceId };
  }
  // `<platform>:<space id>:<id>`; a space id never holds ':' (Slack, Discord and Telegram ids do not).
  const [platform = '', id = ''] = change.key.split(':', 2);
  return { platform: platform as Space['platform'], id };
}

/** A new record's item, with a fresh delivery stamp. */
function toNewItem(record: EngagementRecord): Item {
  return toRecordItem(record, `${record.recordedAt}#${Math.random().toString(36).slice(2)}`);
}

function isClosed(day: string, now: Date): boolean {
  return endOfDay(day).getTime() + DAY_CLOSES_AFTER_MS <= now.getTime();
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
      [byDay.sortKey]: engagement
        ? `${record.kind}#${record.toMemberId ?? NO_TARGET}#${record.key}`
        : undefined,
      // What is done in the space's name is nobody's data.
      [byMember.partitionKey]:
        record.memberId === ANONYMOUS ? undefined : memberPartition(space, record.memberId),
      [byMember.sortKey]:
        record.memberId === ANONYMOUS ? undefined : `${record.day}#${record.kind}#${record.key}`,
      key: record.key,
      platform: record.platform,
      kind: record.kind,
      spaceId: record.spaceId,
      channelId: record.channelId,
      memberId: record.memberId,
      toMemberId: record.toMemberId,
      occurredAt: record.occurredAt,
      recordedAt: record.recordedAt,
      day: record.day,
      messageId: record.messageId,
      replyToId: record.replyToId,
      textLength: record.textLength,
      reaction: record.reaction,
      delivery,
      [TABLE.timeToLiveAttribute]: engagement
        ? record.expiresAt && epochSeconds(new Date(record.expiresAt))
        : epochSeconds(new Date(record.recordedAt)) + COMPLETED_FOR_SECONDS,
    }),
  };
}

/** A space's records of one day, in the byDay index: the key names the space, so reads stay inside it. */
export function dayPartition(space: Space, day: string): string {
  return `DAY#${space.platform}:${space.id}#${day}`;
}

/** One member's records in one space, in the byMember index: the key names the space too. */
function memberPartition(space: Space, memberId: string): string {
  return `MEMBER#${space.platform}:${space.id}#${memberId}`;
}

export function rollupPartition(space: Space): string {
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
