import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Space } from '../core/events.js';
import type { RecordingReads } from '../core/members/model.js';
import { readString } from './attributes.js';
import { SPACE_ITEM } from './keys.js';
import { privacyItemKey, privacyStates } from './member-repository.js';
import { getAll } from './reads.js';
import { fromSpaceItem, spaceKey } from './space-repository.js';
import { TABLE } from './table.js';

/**
 * The recording path's one round trip: a consistent BatchGetItem of the space's item (when the instance has
 * not cached it) and the privacy markers of the people an event names. A second request in a fresh process
 * costs more than the read itself, so they travel together.
 */
export class RecordingReadRepository implements RecordingReads {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(space: Space | undefined, privacyKeys: readonly string[]) {
    const keys = [...(space ? [spaceKey(space)] : []), ...privacyKeys.map(privacyItemKey)];
    const items = await getAll(this.client, this.tableName, keys, true);
    const spaceItem = items.find((item) => readString(item, TABLE.sortKey) === SPACE_ITEM);
    return { ...(spaceItem ? { space: fromSpaceItem(spaceItem) } : {}), privacy: privacyStates(items) };
  }
}
