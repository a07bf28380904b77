import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { startDynamoProxy } from '../infra/local/dynamo-proxy.js';
import { TABLE } from '../shared/store/table.js';

/** What the bundles asked of DynamoDB while the meter was on. */
export interface DynamoUsage {
  readonly calls: Record<string, number>;
  readonly writeCalls: number;
  /** Write units the way DynamoDB bills them: per 1 KB of item, plus the index entry where one is written. */
  readonly writeUnits: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const KB = 1024;
/** DynamoDB adds this to every index entry's size. */
const INDEX_ENTRY_OVERHEAD = 100;

/**
 * A loopback proxy in front of dynalite that counts calls by operation and computes the write units each
 * write costs in DynamoDB (dynalite reports none for indexes). Conditional writes that fail still cost the
 * table's units, as in DynamoDB.
 */
export async function startDynamoMeter(target: string) {
  let usage = emptyUsage();
  const proxy = await startDynamoProxy(target, {
    afterForward(call, status) {
      usage = count(usage, call.operation, call.body, status);
      return undefined;
    },
  });
  return {
    endpoint: proxy.endpoint,
    /** Returns what was used since the last call and starts counting afresh. */
    take(): DynamoUsage {
      const taken = usage;
      usage = emptyUsage();
      return taken;
    },
    close: () => proxy.close(),
  };
}

function emptyUsage(): DynamoUsage {
  return { calls: {}, writeCalls: 0, writeUnits: 0 };
}

function count(usage: DynamoUsage, operation: string, body: string, status: number): DynamoUsage {
  const calls = { ...usage.calls, [operation]: (usage.calls[operation] ?? 0) + 1 };
  if (!WRITES.has(operation)) return { ...usage, calls };
  let units = 0;
  if (operation === 'PutItem') {
    const item = (JSON.parse(body) as { Item: Record<string, AttributeValue> }).Item;
    units = Math.ceil(itemSize(item) / KB);
    // A failed condition writes nothing to the indexes; each index an item enters costs its own units.
    if (status === 200) {
      for (const index of Object.values(TABLE.indexes)) {
        if (item[index.partitionKey] === undefined) continue;
        units += Math.ceil((indexEntrySize(item, index) + INDEX_ENTRY_OVERHEAD) / KB);
      }
    }
  }
  return { calls, writeCalls: usage.writeCalls + 1, writeUnits: usage.writeUnits + units };
}

type Index = (typeof TABLE.indexes)[keyof typeof TABLE.indexes];

function indexEntrySize(item: Record<string, AttributeValue>, index: Index): number {
  const projected = 'nonKeyAttributes' in index ? index.nonKeyAttributes : [];
  const names = [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey, ...projected];
  return itemSize(
    Object.fromEntries(
      names.filter((name) => item[name]).map((name) => [name, item[name] as AttributeValue]),
    ),
  );
}

/** Item size by DynamoDB's rules: names plus values (strings in UTF-8, numbers ~1 byte per 2 digits). */
function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.N !== undefined) size += Math.ceil(value.N.replace(/[^0-9]/g, '').length / 2) + 1;
    else if (value.SS !== undefined)
      size += value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
    else size += Buffer.byteLength(JSON.stringify(value));
  }
  return size;
}
