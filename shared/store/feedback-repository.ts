import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ERASED_MEMBER_ID } from '../core/communities/model.js';
import type { Member, Space } from '../core/events.js';
import {
  FEEDBACK_KEPT_SECONDS,
  type FeedbackNote,
  type FeedbackStore,
  type MarkRead,
} from '../core/feedback/store.js';
import { epochSeconds, type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

const UNREAD = 'unread';
const READ = 'read';

/**
 * Feedback notes, keyed by their community (`FEEDBACK#<platform>:<space>` / `<note id>`). The text is the
 * one piece of member-written text the bot keeps, and only until a moderator marks the note read (the
 * text is removed then) or it expires unread. Erasing a member deletes the notes they wrote and, where they
 * marked a note read, names {@link ERASED_MEMBER_ID} as its reader.
 */
export class FeedbackRepository implements FeedbackStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async add(note: FeedbackNote, now: Date): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...noteKey(note.space, note.id),
            ...toItem({
              fromId: note.from.id,
              text: note.text,
              createdAt: note.createdAt,
              status: UNREAD,
              [TABLE.timeToLiveAttribute]: epochSeconds(now) + FEEDBACK_KEPT_SECONDS,
            }),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
  }

  async get(space: Space, id: string): Promise<FeedbackNote | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: noteKey(space, id), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    return Item && readString(Item, 'status') === UNREAD ? fromItem(space, id, Item) : undefined;
  }

  async markRead(space: Space, id: string, by: Member, now: Date): Promise<MarkRead> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: noteKey(space, id),
          UpdateExpression: 'SET #status = :read, readBy = :by, readAt = :at REMOVE #text',
          ConditionExpression: '#status = :unread',
          ExpressionAttributeNames: { '#status': 'status', '#text': 'text' },
          ExpressionAttributeValues: toItem({
            ':read': READ,
            ':unread': UNREAD,
            ':by': by.id,
            ':at': now.toISOString(),
          }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { kind: 'read', note: fromItem(space, id, Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
    }
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: noteKey(space, id), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    if (readString(Item, 'status') !== READ) return { kind: 'missing' };
    return { kind: 'already', readBy: readString(Item, 'readBy') ?? ERASED_MEMBER_ID };
  }

  async unread(space: Space, now: Date): Promise<FeedbackNote[]> {
    // A community's notes are few (each expires within 90 days): one partition, filtered, sorted here.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#status = :unread AND #ttl > :now',
      ExpressionAttributeNames: {
        '#pk': TABLE.partitionKey,
        '#status': 'status',
        '#ttl': TABLE.timeToLiveAttribute,
      },
      ExpressionAttributeValues: toItem({
        ':pk': notePartition(space),
        ':unread': UNREAD,
        ':now': epochSeconds(now),
      }),
    });
    return items
      .map((item) => fromItem(space, readString(item, TABLE.sortKey) ?? '', item))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async eraseMember(space: Space, member: Member): Promise<number> {
    const notes = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: 'fromId = :member OR readBy = :member',
      ProjectionExpression: '#pk, #sk, fromId, readBy',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({ ':pk': notePartition(space), ':member': member.id }),
      ConsistentRead: true,
    });
    const written: Item[] = [];
    let changed = 0;
    for (const note of notes) {
      const id = readString(note, TABLE.sortKey) ?? '';
      if (readString(note, 'fromId') === member.id) written.push(noteKey(space, id));
      else if (await this.forgetReader(space, id, member)) changed += 1;
    }
    return changed + (await deleteAll(this.client, this.tableName, written));
  }

  /** The note stays read, by nobody in particular; false when it no longer names `member` (or is gone). */
  private async forgetReader(space: Space, id: string, member: Member): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: noteKey(space, id),
          UpdateExpression: 'SET readBy = :erased',
          ConditionExpression: 'readBy = :member',
          ExpressionAttributeValues: toItem({ ':erased': ERASED_MEMBER_ID, ':member': member.id }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }
}

export function notePartition(space: Space): string {
  return `FEEDBACK#${space.platform}:${space.id}`;
}

function noteKey(space: Space, id: string) {
  return toItem({ [TABLE.partitionKey]: notePartition(space), [TABLE.sortKey]: id });
}

function fromItem(space: Space, id: string, item: Item): FeedbackNote {
  return {
    space,
    id,
    from: { platform: space.platform, id: readString(item, 'fromId') ?? '' },
    text: readString(item, 'text') ?? '',
    createdAt: readString(item, 'createdAt') ?? '',
  };
}
