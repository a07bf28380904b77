import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Member, Space } from '../core/events.js';
import {
  FEEDBACK_KEPT_SECONDS,
  type FeedbackNote,
  type FeedbackStore,
  type MarkRead,
} from '../core/feedback/store.js';
import { epochSeconds, type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { TABLE } from './table.js';

const UNREAD = 'unread';
const READ = 'read';

/**
 * Feedback notes, keyed by their community (`FEEDBACK#<platform>:<space>` / `<note id>`). The text is the
 * one piece of member-written text the bot keeps, and only until a moderator marks the note read (the
 * text is removed then) or it expires unread.
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
    const readBy = readString(Item, 'readBy');
    return readBy ? { kind: 'already', readBy } : { kind: 'missing' };
  }
}

function noteKey(space: Space, id: string) {
  return toItem({ [TABLE.partitionKey]: `FEEDBACK#${space.platform}:${space.id}`, [TABLE.sortKey]: id });
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
