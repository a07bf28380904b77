import { CommunityError } from '../core/errors.js';

/** The table could not be read or written. The edge answers 500 so the platform delivers again. */
export class StoreError extends CommunityError {
  override readonly name = 'StoreError';

  constructor(operation: string, options: { cause: unknown }) {
    super('store_unavailable', `DynamoDB ${operation} failed`, options);
  }
}

/** True for the SDK's "your condition did not hold" error, which is an answer, not a failure. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A `.catch` handler that reports a failed call as a StoreError naming the operation. */
export function storeError(operation: string) {
  return (error: unknown): never => {
    throw new StoreError(operation, { cause: error });
  };
}
