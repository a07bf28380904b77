import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  ChannelPost,
  ChannelSchedule,
  ContentCounts,
  ContentItem,
  ContentStore,
  ContentVote,
  DigestSubscription,
  LibraryMeta,
  PostCounter,
  PostReception,
  VoteOutcome,
} from '../core/content/model.js';
import type { Space } from '../core/events.js';
import { type Item, readNumber, readString, toItem } from './attributes.js';
import { ContentChannels } from './content-channels.js';
import {
  COUNT_ATTRIBUTES,
  fromContentItem,
  ITEM_PREFIX,
  itemAttributes,
  itemKey,
  libraryPartition,
  metaKey,
  OPTIONAL_ITEM_ATTRIBUTES,
  queuePartition,
  readStringList,
  stringList,
  tableKey,
} from './content-items.js';
import { ContentMembers } from './content-members.js';
import { setAndRemove, transact } from './content-transact.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';

/**
 * Item ids are base-36: `items()` reads these ranges of the library partition at once (the bench cold-starts
 * `find` on a 5,000-item library; one query paging 7 MB alone takes several round trips in a row).
 */
const ID_RANGES = ['05', '6b', 'ch', 'in', 'ot', 'uz'] as const;
/** How often `setTopic` tries again when an item save moved the version under it. */
const TOPIC_ATTEMPTS = 5;

const { byDay } = TABLE.indexes;

/**
 * The content library in the table: items in their community's library partition (`LIBRARY#<c>` /
 * `ITEM#<id>`), the library's topics and version in the community's partition (`LIBRARY`), and through
 * {@link ContentMembers} and {@link ContentChannels} what members did and what channels were offered.
 */
export class ContentRepository implements ContentStore {
  private readonly members: ContentMembers;
  private readonly channels: ContentChannels;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.members = new ContentMembers(client, tableName);
    this.channels = new ContentChannels(client, tableName);
  }

  async meta(communityId: string): Promise<LibraryMeta> {
    const item = await this.read(metaKey(communityId));
    return {
      communityId,
      topics: readStringList(item, 'topics'),
      version: readNumber(item, 'version'),
    };
  }

  async setTopic(
    communityId: string,
    topic: string,
    on: boolean,
  ): Promise<{ readonly meta: LibraryMeta; readonly changed: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      const meta = await this.meta(communityId);
      if (meta.topics.includes(topic) === on) return { meta, changed: false };
      const topics = on ? [...meta.topics, topic] : meta.topics.filter((known) => known !== topic);
      const next = { communityId, topics, version: meta.version + 1 };
      // The version read is the lock: a save or another topic change in between moves it, and this tries again.
      if (await this.writeMeta(next, meta.version)) return { meta: next, changed: true };
      if (attempt >= TOPIC_ATTEMPTS)
        throw new StoreError('UpdateItem', { cause: 'library version kept moving' });
    }
  }

  async items(communityId: string): Promise<ContentItem[]> {
    const ranges = await Promise.all(
      ID_RANGES.map(([first, last]) =>
        queryAll(this.client, {
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          // `~` sorts after every base-36 character.
          ExpressionAttributeValues: toItem({
            ':pk': libraryPartition(communityId),
            ':from': `${ITEM_PREFIX}${first}`,
            ':to': `${ITEM_PREFIX}${last}~`,
          }),
          ConsistentRead: true,
        }),
      ),
    );
    return ranges.flat().map(fromContentItem);
  }

  async get(communityId: string, id: string): Promise<ContentItem | undefined> {
    const item = await this.read(itemKey(communityId, id));
    return item ? fromContentItem(item) : undefined;
  }

  async save(
    item: ContentItem,
    mode: { readonly kind: 'new' } | { readonly kind: 'replace'; readonly expectedUpdatedAt: string },
  ): Promise<'written' | 'exists' | 'conflict'> {
    const outcome = await transact(this.client, [
      mode.kind === 'new'
        ? { Put: this.newItem(item) }
        : { Update: this.replacement(item, mode.expectedUpdatedAt) },
      { Update: this.versionBump(item.communityId) },
    ]);
    if (outcome.kind === 'written') return 'written';
    return mode.kind === 'new' ? 'exists' : 'conflict';
  }

  async count(communityId: string, id: string, change: Partial<ContentCounts>): Promise<void> {
    const moves = Object.entries(change).filter(([, by]) => by !== undefined && by !== 0) as [
      keyof ContentCounts,
      number,
    ][];
    if (moves.length === 0) return;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(communityId, id),
          UpdateExpression: `ADD ${moves.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
          // Never an item made of counts alone: an item that is gone stays gone.
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            ...Object.fromEntries(moves.map(([name], index) => [`#c${index}`, COUNT_ATTRIBUTES[name]])),
          },
          ExpressionAttributeValues: toItem(
            Object.fromEntries(moves.map(([, by], index) => [`:c${index}`, by])),
          ),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
    }
  }

  async queue(communityId: string): Promise<ContentItem[]> {
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byDay.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byDay.partitionKey },
      ExpressionAttributeValues: toItem({ ':pk': queuePartition(communityId) }),
    });
    const keys = entries.map((entry) =>
      tableKey(readString(entry, TABLE.partitionKey) ?? '', readString(entry, TABLE.sortKey) ?? ''),
    );
    // The index may lag a review: the item itself decides.
    const items = (await getAll(this.client, this.tableName, keys, true)).map(fromContentItem);
    return items
      .filter((item) => item.review?.state === 'pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  vote(vote: ContentVote, post?: ChannelPost): Promise<VoteOutcome> {
    return this.members.vote(vote, post);
  }

  shownTo(communityId: string, persons: readonly string[], now: Date): Promise<Set<string>> {
    return this.members.shownTo(communityId, persons, now);
  }

  markShown(communityId: string, person: string, itemIds: readonly string[], now: Date): Promise<void> {
    return this.members.markShown(communityId, person, itemIds, now);
  }

  schedule(space: Space, channelId: string): Promise<ChannelSchedule | undefined> {
    return this.channels.schedule(space, channelId);
  }

  schedules(space: Space): Promise<ChannelSchedule[]> {
    return this.channels.schedules(space);
  }

  saveSchedule(schedule: ChannelSchedule): Promise<void> {
    return this.channels.saveSchedule(schedule);
  }

  deleteSchedule(space: Space, channelId: string): Promise<boolean> {
    return this.channels.deleteSchedule(space, channelId);
  }

  dueSchedules(now: Date, limit: number): Promise<ChannelSchedule[]> {
    return this.channels.dueSchedules(now, limit);
  }

  addPost(post: ChannelPost): Promise<{ readonly added: boolean; readonly post: ChannelPost }> {
    return this.channels.addPost(post);
  }

  posts(space: Space, channelId: string, since: Date, limit: number): Promise<ChannelPost[]> {
    return this.channels.posts(space, channelId, since, limit);
  }

  post(space: Space, channelId: string, postId: string): Promise<ChannelPost | undefined> {
    return this.channels.post(space, channelId, postId);
  }

  countPost(post: ChannelPost, counter: PostCounter, by: number): Promise<void> {
    return this.channels.countPost(post, counter, by);
  }

  settlePost(post: ChannelPost, feedback: PostReception): Promise<boolean> {
    return this.channels.settlePost(post, feedback);
  }

  digest(communityId: string, person: string): Promise<DigestSubscription | undefined> {
    return this.members.digest(communityId, person);
  }

  saveDigest(subscription: DigestSubscription): Promise<void> {
    return this.members.saveDigest(subscription);
  }

  deleteDigest(communityId: string, person: string): Promise<boolean> {
    return this.members.deleteDigest(communityId, person);
  }

  dueDigests(now: Date, limit: number): Promise<DigestSubscription[]> {
    return this.members.dueDigests(now, limit);
  }

  async eraseMember(communityId: string, persons: readonly string[], now: Date): Promise<number> {
    const erased = await this.members.eraseMember(communityId, persons, now);
    // Uncredited or deleted items change what a cached index shows.
    if (erased.items > 0) await this.bumpVersion(communityId);
    return erased.total;
  }

  countMember(communityId: string, persons: readonly string[]): Promise<number> {
    return this.members.countMember(communityId, persons);
  }

  /** A new item: whole, with counts at zero. */
  private newItem(item: ContentItem) {
    return {
      TableName: this.tableName,
      Item: {
        ...itemKey(item.communityId, item.id),
        ...itemAttributes(item),
        ...toItem(Object.fromEntries(Object.values(COUNT_ATTRIBUTES).map((name) => [name, 0]))),
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    };
  }

  /** Every attribute but the counts (votes may have moved them since the caller read the item). */
  private replacement(item: ContentItem, expectedUpdatedAt: string) {
    const update = setAndRemove(itemAttributes(item), OPTIONAL_ITEM_ATTRIBUTES);
    return {
      TableName: this.tableName,
      Key: itemKey(item.communityId, item.id),
      ...update,
      ConditionExpression: '#updatedAtNow = :expectedUpdatedAt',
      ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#updatedAtNow': 'updatedAt' },
      ExpressionAttributeValues: {
        ...update.ExpressionAttributeValues,
        ...toItem({ ':expectedUpdatedAt': expectedUpdatedAt }),
      },
    };
  }

  private versionBump(communityId: string) {
    return {
      TableName: this.tableName,
      Key: metaKey(communityId),
      UpdateExpression: 'ADD #version :one',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: toItem({ ':one': 1 }),
    };
  }

  private async bumpVersion(communityId: string): Promise<void> {
    await this.client
      .send(new UpdateItemCommand(this.versionBump(communityId)))
      .catch(storeError('UpdateItem'));
  }

  /** Writes the meta if its version is still `expected` (0: none stored); false when it moved. */
  private async writeMeta(meta: LibraryMeta, expected: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...metaKey(meta.communityId),
            ...toItem({ communityId: meta.communityId, version: meta.version }),
            topics: stringList(meta.topics),
          },
          ConditionExpression:
            expected === 0
              ? 'attribute_not_exists(#version) OR #version = :expected'
              : '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: toItem({ ':expected': expected }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError('PutItem', { cause: error });
    }
  }

  private async read(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }
}
