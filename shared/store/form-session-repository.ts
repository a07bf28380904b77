import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Member } from '../core/events.js';
import { FORM_SESSION_SECONDS, type FormSession, type FormSessionStore } from '../core/forms.js';
import { epochSeconds, readNumber, readString, toItem } from './attributes.js';
import { StoreError } from './errors.js';
import { TABLE } from './table.js';

/**
 * Guided forms in progress, one per member, keyed by the member's private chat with the bot
 * (`FORM#<platform>:<member id>`, which on Telegram is that chat's id: the space the replies arrive in).
 * The answers so far are kept only until the form is submitted, cancelled or expires.
 */
export class FormSessionRepository implements FormSessionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(member: Member, session: FormSession, now: Date): Promise<void> {
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...sessionKey(member),
            ...toItem({
              session: JSON.stringify(session),
              [TABLE.timeToLiveAttribute]: epochSeconds(now) + FORM_SESSION_SECONDS,
            }),
          },
        }),
      )
      .catch((error: unknown) => {
        throw new StoreError('PutItem', { cause: error });
      });
  }

  async get(member: Member, now: Date): Promise<FormSession | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: sessionKey(member), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw new StoreError('GetItem', { cause: error });
      });
    if (!Item || readNumber(Item, TABLE.timeToLiveAttribute) <= epochSeconds(now)) return undefined;
    return JSON.parse(readString(Item, 'session') ?? '{}') as FormSession;
  }

  async delete(member: Member): Promise<void> {
    await this.client
      .send(new DeleteItemCommand({ TableName: this.tableName, Key: sessionKey(member) }))
      .catch((error: unknown) => {
        throw new StoreError('DeleteItem', { cause: error });
      });
  }
}

function sessionKey(member: Member) {
  return toItem({ [TABLE.partitionKey]: `FORM#${member.platform}:${member.id}`, [TABLE.sortKey]: 'FORM' });
}
