import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Claim } from '../core/answers.js';
import type { RecordOutcome } from '../core/engagement.js';
import { type Item, readNumber, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError } from './errors.js';
import { TABLE } from './table.js';

/**
 * An interaction's answer, claimed on its engagement record (`EVT#...`): `answer` is IN_PROGRESS (until
 * `answerUntil`), COMPLETED or RELEASED. The first delivery records and claims in one conditional put; a
 * redelivery reads the state and, when the claim was released or abandoned, takes it over with a
 * conditional update (of concurrent takers, one wins).
 */
const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';
const RELEASED = 'RELEASED';

export interface ClaimContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The record item as EngagementRepository writes it, with this delivery's stamp. */
  readonly item: Item;
  readonly key: Item;
  readonly delivery: string;
}

export async function recordAndClaim(
  context: ClaimContext,
  now: Date,
  inProgressMs: number,
  completedAtOnce: boolean,
): Promise<{ outcome: RecordOutcome; claim: Claim }> {
  const { client, tableName, item, key, delivery } = context;
  const claimed = claimAttributes(now, inProgressMs, completedAtOnce);
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...item, ...claimed },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      }),
    );
    return { outcome: 'recorded', claim: 'claimed' };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) {
      // The put may have landed with its answers lost: give up what may be ours, so a redelivery answers.
      await release(context, delivery).catch(() => undefined);
      throw new StoreError('PutItem', { cause: error });
    }
  }
  const { Item: stored } = await client
    .send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))
    .catch((error: unknown) => {
      throw new StoreError('GetItem', { cause: error });
    });
  // The SDK retried a put whose answer was lost and met its own write: recorded and claimed by us.
  if (readString(stored, 'delivery') === delivery) return { outcome: 'recorded', claim: 'claimed' };
  return { outcome: 'duplicate', claim: await takeOver(context, stored, now, claimed) };
}

function claimAttributes(now: Date, inProgressMs: number, completedAtOnce: boolean): Item {
  return completedAtOnce
    ? toItem({ answer: COMPLETED })
    : toItem({ answer: IN_PROGRESS, answerUntil: now.getTime() + inProgressMs });
}

/** A redelivery: answered, being answered, or free to answer (released, or abandoned past its window). */
async function takeOver(
  context: ClaimContext,
  stored: Item | undefined,
  now: Date,
  claimed: Item,
): Promise<Claim> {
  const state = readString(stored, 'answer');
  const until = readNumber(stored, 'answerUntil');
  // No state: recorded before answers were claimed here; it was answered then.
  if (state === undefined || state === COMPLETED) return 'completed';
  if (state === IN_PROGRESS && until > now.getTime()) return 'in_progress';
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: context.key,
        UpdateExpression: claimed.answerUntil
          ? 'SET answer = :answer, answerUntil = :until, delivery = :delivery'
          : 'SET answer = :answer, delivery = :delivery REMOVE answerUntil',
        // Exactly the state that was read: of two redeliveries taking over, one wins.
        ConditionExpression:
          'answer = :seen AND (attribute_not_exists(answerUntil) OR answerUntil = :seenUntil)',
        ExpressionAttributeValues: {
          ':answer': claimed.answer as NonNullable<Item[string]>,
          ...(claimed.answerUntil ? { ':until': claimed.answerUntil } : {}),
          ...toItem({ ':delivery': context.delivery, ':seen': state, ':seenUntil': until }),
        },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'in_progress';
    throw new StoreError('UpdateItem', { cause: error });
  }
}

export async function completeClaim(client: DynamoDBClient, tableName: string, key: Item): Promise<void> {
  await client
    .send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET answer = :completed REMOVE answerUntil',
        ExpressionAttributeValues: toItem({ ':completed': COMPLETED }),
      }),
    )
    .catch((error: unknown) => {
      throw new StoreError('UpdateItem', { cause: error });
    });
}

/** Releases the claim; with `delivery`, only if that delivery holds it. */
export async function release(
  context: Pick<ClaimContext, 'client' | 'tableName' | 'key'>,
  delivery?: string,
): Promise<void> {
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: context.key,
        UpdateExpression: 'SET answer = :released REMOVE answerUntil',
        ConditionExpression: delivery ? 'delivery = :delivery' : 'attribute_exists(answer)',
        ExpressionAttributeValues: toItem({
          ':released': RELEASED,
          ...(delivery ? { ':delivery': delivery } : {}),
        }),
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
  }
}
