/**
 * What the library keeps about members, in their community's partition: votes (`VOTE#<person>#<item>`),
 * items shown (`SHOWN#<person>#<item>`, expiring), digest subscriptions (`DIGEST#<person>`, in the due index
 * while subscribed), and, through the byMember index, the items a person wrote (what `forget` uncredits).
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItem,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ChannelPost,
  type ContentVote,
  type DigestSubscription,
  SHOWN_KEPT_DAYS,
  type VoteOutcome,
  type VoteValue,
} from '../core/content/model.js';
import type { Member, Space } from '../core/events.js';
import { epochSeconds, type Item, readNumber, readString, toItem } from './attributes.js';
import { dueQuery, postKeyOf } from './content-channels.js';
import { authorPartition, COUNT_ATTRIBUTES, itemKey, memberOf, tableKey } from './content-items.js';
import { transact } from './content-transact.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { communityPartition } from './keys.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

const DAY_SECONDS = 24 * 3600;
const { byMember } = TABLE.indexes;
/** The due index's partition of digest subscriptions. */
const DIGESTS = 'DIGESTS';
/** What credits an item's author: removed by `forget` (the author's kind stays). */
const CREDIT_ATTRIBUTES = [
  'authorPerson',
  'authorMemberPlatform',
  'authorMemberId',
  'authorSpacePlatform',
  'authorSpaceId',
  byMember.partitionKey,
  byMember.sortKey,
] as const;

/** The count attribute a vote value moves, on the item and on a post (the same names). */
const COUNTER_OF: Record<VoteValue, string> = {
  helpful: COUNT_ATTRIBUTES.helpful,
  not_for_me: COUNT_ATTRIBUTES.notForMe,
};

export function voteKey(communityId: string, person: string, itemId: string): Item {
  return tableKey(communityPartition(communityId), `VOTE#${person}#${itemId}`);
}

function digestKey(communityId: string, person: string): Item {
  return tableKey(communityPartition(communityId), `DIGEST#${person}`);
}

export class ContentMembers {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async vote(vote: ContentVote, post?: ChannelPost, retried = false): Promise<VoteOutcome> {
    const key = voteKey(vote.communityId, vote.person, vote.itemId);
    const old = readString(await this.read(key), 'value') as VoteValue | undefined;
    if (old === vote.value) return { kind: 'same' };
    const moves = { [COUNTER_OF[vote.value]]: 1, ...(old ? { [COUNTER_OF[old]]: -1 } : {}) };
    const outcome = await transact(this.client, [
      { Put: this.votePut(vote, old) },
      { Update: this.counts(itemKey(vote.communityId, vote.itemId), moves) },
      ...(post ? [{ Update: this.counts(postKeyOf(post), moves) }] : []),
    ]);
    if (outcome.kind === 'written') return old ? { kind: 'changed', from: old } : { kind: 'new' };
    // The item or the post is gone: nothing moved, nothing to count.
    if (outcome.index > 0) return { kind: 'same' };
    // Another press of the same member raced this one: it won; look again, once.
    if (retried) throw new StoreError('TransactWriteItems', { cause: 'the vote kept changing' });
    return this.vote(vote, post, true);
  }

  async shownTo(communityId: string, persons: readonly string[], now: Date): Promise<Set<string>> {
    const found = await Promise.all(persons.map((person) => this.prefixed(communityId, `SHOWN#${person}#`)));
    // DynamoDB removes an expired item within days, not at once.
    const live = found
      .flat()
      .filter((item) => readNumber(item, TABLE.timeToLiveAttribute) > epochSeconds(now));
    return new Set(live.map((item) => readString(item, 'itemId') ?? ''));
  }

  async markShown(communityId: string, person: string, itemIds: readonly string[], now: Date): Promise<void> {
    const expiresAt = epochSeconds(now) + SHOWN_KEPT_DAYS * DAY_SECONDS;
    await Promise.all(
      itemIds.map((itemId) =>
        this.client
          .send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: {
                ...tableKey(communityPartition(communityId), `SHOWN#${person}#${itemId}`),
                ...toItem({
                  itemId,
                  person,
                  shownAt: now.toISOString(),
                  [TABLE.timeToLiveAttribute]: expiresAt,
                }),
              },
            }),
          )
          .catch(storeError('PutItem')),
      ),
    );
  }

  async digest(communityId: string, person: string): Promise<DigestSubscription | undefined> {
    const item = await this.read(digestKey(communityId, person));
    return item ? fromDigestItem(item) : undefined;
  }

  async saveDigest(subscription: DigestSubscription): Promise<void> {
    const { communityId, person } = subscription;
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...digestKey(communityId, person),
            ...toItem({
              communityId,
              person,
              spacePlatform: subscription.space.platform,
              spaceId: subscription.space.id,
              memberPlatform: subscription.member.platform,
              memberId: subscription.member.id,
              since: subscription.since,
              nextAt: subscription.nextAt,
              [byMember.partitionKey]: DIGESTS,
              [byMember.sortKey]: `${subscription.nextAt}#${communityId}#${person}`,
            }),
          },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async deleteDigest(communityId: string, person: string): Promise<boolean> {
    const { Attributes } = await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: digestKey(communityId, person),
          ReturnValues: 'ALL_OLD',
        }),
      )
      .catch(storeError('DeleteItem'));
    return Attributes !== undefined;
  }

  async dueDigests(now: Date, limit: number): Promise<DigestSubscription[]> {
    const items = await dueQuery(this.client, this.tableName, DIGESTS, now, limit);
    return items.map(fromDigestItem);
  }

  /**
   * Votes (each taken off its item's counts with its deletion, in one transaction), items shown, the digest,
   * pending suggestions (deleted) and the credit on items written. `items`: library items changed.
   */
  async eraseMember(
    communityId: string,
    persons: readonly string[],
    now: Date,
  ): Promise<{ total: number; items: number }> {
    let total = 0;
    let items = 0;
    for (const person of persons) {
      for (const vote of await this.prefixed(communityId, `VOTE#${person}#`)) {
        if (await this.eraseVote(communityId, vote)) total += 1;
      }
      const shown = await this.prefixed(communityId, `SHOWN#${person}#`);
      total += await deleteAll(this.client, this.tableName, shown.map(keyOf));
      if (await this.deleteDigest(communityId, person)) total += 1;
      for (const key of await this.authored(communityId, person)) {
        if (await this.uncredit(key, person, now)) items += 1;
      }
    }
    return { total: total + items, items };
  }

  async countMember(communityId: string, persons: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      persons.map(async (person) => {
        const [votes, shown, digest, authored] = await Promise.all([
          this.prefixed(communityId, `VOTE#${person}#`),
          this.prefixed(communityId, `SHOWN#${person}#`),
          this.read(digestKey(communityId, person)),
          this.authored(communityId, person),
        ]);
        return votes.length + shown.length + (digest ? 1 : 0) + authored.length;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Deletes a vote and takes it off its item's counts; false when another run already did. */
  private async eraseVote(communityId: string, vote: Item): Promise<boolean> {
    const value = readString(vote, 'value') as VoteValue;
    const remove: TransactWriteItem = {
      Delete: {
        TableName: this.tableName,
        Key: keyOf(vote),
        ConditionExpression: '#value = :value',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: toItem({ ':value': value }),
      },
    };
    const item = itemKey(communityId, readString(vote, 'itemId') ?? '');
    const outcome = await transact(this.client, [
      remove,
      { Update: this.counts(item, { [COUNTER_OF[value]]: -1 }) },
    ]);
    if (outcome.kind === 'written') return true;
    if (outcome.index === 0) return false;
    // The item is gone (a deleted suggestion): there are no counts to take it off.
    return (await transact(this.client, [remove])).kind === 'written';
  }

  /**
   * A pending suggestion is deleted; any other item keeps its text and loses who wrote it (the kind stays),
   * and counts as changed (`updatedAt`), so a moderator's edit read before it cannot write the credit back.
   * False when the item no longer names the person.
   */
  private async uncredit(key: Item, person: string, now: Date): Promise<boolean> {
    const item = await this.read(key);
    if (readString(item, 'authorPerson') !== person) return false;
    const names = { '#person': 'authorPerson' };
    const values = toItem({ ':person': person });
    try {
      if (readString(item, 'reviewState') === 'pending') {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: key,
            ConditionExpression: '#person = :person',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      }
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET #updated = :now REMOVE ${CREDIT_ATTRIBUTES.map((_, index) => `#r${index}`).join(', ')}`,
          ConditionExpression: '#person = :person',
          ExpressionAttributeNames: {
            ...names,
            '#updated': 'updatedAt',
            ...Object.fromEntries(CREDIT_ATTRIBUTES.map((name, index) => [`#r${index}`, name])),
          },
          ExpressionAttributeValues: { ...values, ...toItem({ ':now': now.toISOString() }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  /** The keys of the items a person wrote (the byMember index holds keys only). */
  private async authored(communityId: string, person: string): Promise<Item[]> {
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: byMember.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byMember.partitionKey },
      ExpressionAttributeValues: toItem({ ':pk': authorPartition(communityId, person) }),
    });
    return entries.map(keyOf);
  }

  private prefixed(communityId: string, prefix: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({ ':pk': communityPartition(communityId), ':prefix': prefix }),
      ConsistentRead: true,
    });
  }

  private votePut(vote: ContentVote, old: VoteValue | undefined) {
    return {
      TableName: this.tableName,
      Item: {
        ...voteKey(vote.communityId, vote.person, vote.itemId),
        ...toItem({
          communityId: vote.communityId,
          itemId: vote.itemId,
          person: vote.person,
          value: vote.value,
          at: vote.at,
        }),
      },
      // What was read still holds: a concurrent press fails this instead of counting twice.
      ConditionExpression: old ? '#value = :old' : 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: (old ? { '#value': 'value' } : { '#pk': TABLE.partitionKey }) as Record<
        string,
        string
      >,
      ...(old ? { ExpressionAttributeValues: toItem({ ':old': old }) } : {}),
    };
  }

  /** ADD on counters of an item or a post that exists (never one made of counts alone). */
  private counts(key: Item, moves: Record<string, number>) {
    const entries = Object.entries(moves);
    return {
      TableName: this.tableName,
      Key: key,
      UpdateExpression: `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: {
        '#pk': TABLE.partitionKey,
        ...Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name])),
      },
      ExpressionAttributeValues: toItem(
        Object.fromEntries(entries.map(([, by], index) => [`:c${index}`, by])),
      ),
    };
  }

  private async read(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }
}

function keyOf(item: Item): Item {
  return tableKey(readString(item, TABLE.partitionKey) ?? '', readString(item, TABLE.sortKey) ?? '');
}

function fromDigestItem(item: Item): DigestSubscription {
  return {
    communityId: readString(item, 'communityId') ?? '',
    person: readString(item, 'person') ?? '',
    space: memberOf(readString(item, 'spacePlatform'), readString(item, 'spaceId')) as Space,
    member: memberOf(readString(item, 'memberPlatform'), readString(item, 'memberId')) as Member,
    since: readString(item, 'since') ?? '',
    nextAt: readString(item, 'nextAt') ?? '',
  };
}
