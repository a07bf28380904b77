/** TransactWriteItems for the content library: an answer per action instead of an SDK error. */
import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';
import { StoreError } from './errors.js';

/**
 * `written`, or the index of the first action whose condition did not hold (DynamoDB wrote nothing then).
 * Any other failure is a StoreError.
 */
export type TransactOutcome =
  | { readonly kind: 'written' }
  | { readonly kind: 'failed'; readonly index: number };

export async function transact(
  client: DynamoDBClient,
  items: readonly TransactWriteItem[],
): Promise<TransactOutcome> {
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [...items] }));
    return { kind: 'written' };
  } catch (error) {
    const index = failedCondition(error);
    if (index === undefined) throw new StoreError('TransactWriteItems', { cause: error });
    return { kind: 'failed', index };
  }
}

function failedCondition(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const index = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  return index < 0 ? undefined : index;
}

/**
 * An UpdateItem that sets every given attribute and removes the named ones, as expression parts with
 * placeholders (`#a0`, `:a0`), so any attribute name is safe (`status`, `kind` and `link` are reserved words).
 */
export function setAndRemove(
  set: Item,
  remove: readonly string[],
): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
} {
  const names: Record<string, string> = {};
  const values: Item = {};
  const sets: string[] = [];
  Object.entries(set).forEach(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    sets.push(`#a${index} = :a${index}`);
  });
  const removes = remove
    .filter((name) => !(name in set))
    .map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
