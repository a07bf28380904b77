/**
 * What the bot offers in channels, in the space's partition: a channel's schedule (`SCHEDULE#<channel>`, in
 * the due index) and its posts (`POST#<channel>#<slot ISO>`, kept {@link POST_KEPT_DAYS} days).
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ChannelPost,
  type ChannelSchedule,
  POST_KEPT_DAYS,
  type PostCounter,
  type PostReception,
  type Weekday,
} from '../core/content/model.js';
import type { Space } from '../core/events.js';
import { epochSeconds, type Item, readNumber, readString, toItem } from './attributes.js';
import { memberOf, readBoolean, readStringList, stringList, tableKey } from './content-items.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { spacePartition } from './keys.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';

const DAY_SECONDS = 24 * 3600;
const { byMember: dueIndex } = TABLE.indexes;
/** The due index's partition of channel schedules. */
const SCHEDULES = 'SCHEDULES';

/** The counters a member's action moves on a post, as stored. */
const POST_COUNTERS: Record<PostCounter, string> = {
  helpful: 'helpful',
  notForMe: 'notForMe',
  shared: 'shared',
  mutes: 'mutes',
};

function scheduleKey(space: Space, channelId: string): Item {
  return tableKey(spacePartition(space), `SCHEDULE#${channelId}`);
}

export function postKeyOf(post: Pick<ChannelPost, 'space' | 'channelId' | 'slotAt'>): Item {
  return tableKey(spacePartition(post.space), `POST#${post.channelId}#${post.slotAt}`);
}

/**
 * The items of one due partition whose `nextAt` is at or before `now`, earliest first, at most `limit`. The
 * index holds keys only, and may lag a write: each item is read (consistently) and decides for itself.
 */
export async function dueQuery(
  client: DynamoDBClient,
  tableName: string,
  partition: string,
  now: Date,
  limit: number,
): Promise<Item[]> {
  const found: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          IndexName: dueIndex.name,
          KeyConditionExpression: '#pk = :pk AND #sk <= :until',
          ExpressionAttributeNames: { '#pk': dueIndex.partitionKey, '#sk': dueIndex.sortKey },
          // Every sort key due at `now` is `<now>#...`, and `~` sorts after what follows the `#`.
          ExpressionAttributeValues: toItem({ ':pk': partition, ':until': `${now.toISOString()}#~` }),
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      )
      .catch(storeError('Query'));
    const keys = (page.Items ?? []).map((entry) =>
      tableKey(readString(entry, TABLE.partitionKey) ?? '', readString(entry, TABLE.sortKey) ?? ''),
    );
    const items = keys.length > 0 ? await getAll(client, tableName, keys, true) : [];
    found.push(...items.filter((item) => (readString(item, 'nextAt') ?? '~') <= now.toISOString()));
    startKey = page.LastEvaluatedKey;
  } while (found.length < limit && startKey);
  return found
    .sort((a, b) =>
      (readString(a, dueIndex.sortKey) ?? '').localeCompare(readString(b, dueIndex.sortKey) ?? ''),
    )
    .slice(0, limit);
}

export class ContentChannels {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async schedule(space: Space, channelId: string): Promise<ChannelSchedule | undefined> {
    const item = await this.read(scheduleKey(space, channelId));
    return item ? fromScheduleItem(item) : undefined;
  }

  async schedules(space: Space): Promise<ChannelSchedule[]> {
    const items = await this.prefixed(space, 'SCHEDULE#');
    return items.map(fromScheduleItem);
  }

  async saveSchedule(schedule: ChannelSchedule): Promise<void> {
    const { space, channelId } = schedule;
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...scheduleKey(space, channelId),
            ...toItem({
              communityId: schedule.communityId,
              platform: space.platform,
              spaceId: space.id,
              channelId,
              time: schedule.time,
              setBy: schedule.setBy,
              setAt: schedule.setAt,
              pace: schedule.pace,
              credit: schedule.credit,
              postsSincePaceChange: schedule.postsSincePaceChange,
              nextAt: schedule.nextAt,
              starvedSlots: schedule.starvedSlots,
              starvedNoticeAt: schedule.starvedNoticeAt,
              [dueIndex.partitionKey]: SCHEDULES,
              [dueIndex.sortKey]: `${schedule.nextAt}#${space.platform}:${space.id}#${channelId}`,
            }),
            days: stringList(schedule.days),
            topics: stringList(schedule.topics),
          },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async deleteSchedule(space: Space, channelId: string): Promise<boolean> {
    const { Attributes } = await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: scheduleKey(space, channelId),
          ReturnValues: 'ALL_OLD',
        }),
      )
      .catch(storeError('DeleteItem'));
    return Attributes !== undefined;
  }

  async dueSchedules(now: Date, limit: number): Promise<ChannelSchedule[]> {
    const items = await dueQuery(this.client, this.tableName, SCHEDULES, now, limit);
    return items.map(fromScheduleItem);
  }

  async addPost(post: ChannelPost): Promise<{ readonly added: boolean; readonly post: ChannelPost }> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toPostItem(post),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return { added: true, post };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    const stored = await this.read(postKeyOf(post));
    return { added: false, post: stored ? fromPostItem(stored) : post };
  }

  async posts(space: Space, channelId: string, since: Date, limit: number): Promise<ChannelPost[]> {
    const found: ChannelPost[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client
        .send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: toItem({
              ':pk': spacePartition(space),
              ':from': `POST#${channelId}#${since.toISOString()}`,
              // `~` sorts after every character of an ISO time.
              ':to': `POST#${channelId}#~`,
            }),
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        )
        .catch(storeError('Query'));
      found.push(...(page.Items ?? []).map(fromPostItem));
      startKey = page.LastEvaluatedKey;
    } while (found.length < limit && startKey);
    return found.slice(0, limit);
  }

  async post(space: Space, channelId: string, postId: string): Promise<ChannelPost | undefined> {
    // A channel keeps at most 100 days of posts (a few dozen): one short query, filtered.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: 'postId = :postId',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({
        ':pk': spacePartition(space),
        ':prefix': `POST#${channelId}#`,
        ':postId': postId,
      }),
      ConsistentRead: true,
    });
    return items[0] ? fromPostItem(items[0]) : undefined;
  }

  async countPost(post: ChannelPost, counter: PostCounter, by: number): Promise<void> {
    await this.updatePost(
      post,
      'ADD #counter :by',
      { '#counter': POST_COUNTERS[counter] },
      toItem({ ':by': by }),
    );
  }

  async settlePost(post: ChannelPost, feedback: PostReception): Promise<boolean> {
    return this.updatePost(
      post,
      'SET #reactions = :reactions, #replies = :replies, #settled = :settled',
      { '#reactions': 'reactions', '#replies': 'replies', '#settled': 'settled' },
      {
        ...toItem({ ':reactions': feedback.reactions, ':replies': feedback.replies }),
        ':settled': { BOOL: true },
      },
      '#settled = :unsettled',
    );
  }

  /**
   * Changes a stored post (and `false` when it did not): a post that is gone (expired, its space forgotten) is
   * left gone, and `condition` must hold too when given.
   */
  private async updatePost(
    post: ChannelPost,
    expression: string,
    names: Record<string, string>,
    values: Item,
    condition?: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: postKeyOf(post),
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(#pk)${condition ? ` AND ${condition}` : ''}`,
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, ...names },
          ExpressionAttributeValues: condition ? { ...values, ':unsettled': { BOOL: false } } : values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
      return false;
    }
  }

  private prefixed(space: Space, prefix: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({ ':pk': spacePartition(space), ':prefix': prefix }),
      ConsistentRead: true,
    });
  }

  private async read(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }
}

function spaceOf(item: Item): Space {
  return memberOf(readString(item, 'platform'), readString(item, 'spaceId')) as Space;
}

function fromScheduleItem(item: Item): ChannelSchedule {
  const starvedNoticeAt = readString(item, 'starvedNoticeAt');
  return {
    communityId: readString(item, 'communityId') ?? '',
    space: spaceOf(item),
    channelId: readString(item, 'channelId') ?? '',
    days: readStringList(item, 'days') as Weekday[],
    time: readString(item, 'time') ?? '',
    topics: readStringList(item, 'topics'),
    setBy: readString(item, 'setBy') ?? '',
    setAt: readString(item, 'setAt') ?? '',
    pace: readNumber(item, 'pace'),
    credit: readNumber(item, 'credit'),
    postsSincePaceChange: readNumber(item, 'postsSincePaceChange'),
    nextAt: readString(item, 'nextAt') ?? '',
    starvedSlots: readNumber(item, 'starvedSlots'),
    ...(starvedNoticeAt ? { starvedNoticeAt } : {}),
  };
}

function toPostItem(post: ChannelPost): Item {
  return {
    ...postKeyOf(post),
    ...toItem({
      communityId: post.communityId,
      platform: post.space.platform,
      spaceId: post.space.id,
      channelId: post.channelId,
      slotAt: post.slotAt,
      postId: post.postId,
      itemId: post.itemId,
      outboxId: post.outboxId,
      helpful: post.helpful,
      notForMe: post.notForMe,
      shared: post.shared,
      mutes: post.mutes,
      reactions: post.reactions,
      replies: post.replies,
      [TABLE.timeToLiveAttribute]: epochSeconds(new Date(post.slotAt)) + POST_KEPT_DAYS * DAY_SECONDS,
    }),
    topics: stringList(post.topics),
    promotional: { BOOL: post.promotional },
    settled: { BOOL: post.settled },
  };
}

function fromPostItem(item: Item): ChannelPost {
  return {
    communityId: readString(item, 'communityId') ?? '',
    space: spaceOf(item),
    channelId: readString(item, 'channelId') ?? '',
    slotAt: readString(item, 'slotAt') ?? '',
    postId: readString(item, 'postId') ?? '',
    itemId: readString(item, 'itemId') ?? '',
    topics: readStringList(item, 'topics'),
    promotional: readBoolean(item, 'promotional'),
    outboxId: readString(item, 'outboxId') ?? '',
    helpful: readNumber(item, 'helpful'),
    notForMe: readNumber(item, 'notForMe'),
    shared: readNumber(item, 'shared'),
    mutes: readNumber(item, 'mutes'),
    reactions: readNumber(item, 'reactions'),
    replies: readNumber(item, 'replies'),
    settled: readBoolean(item, 'settled'),
  };
}
