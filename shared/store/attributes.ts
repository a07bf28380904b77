import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** DynamoDB's attribute map, built from plain values. Only the three shapes this table stores. */
export type Item = Record<string, AttributeValue>;

export function toItem(values: Record<string, string | number | readonly string[] | undefined>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value === 'string') item[name] = { S: value };
    else if (typeof value === 'number') item[name] = { N: String(value) };
    // A string set cannot be empty in DynamoDB: leave the attribute out instead.
    else if (value.length > 0) item[name] = { SS: [...value] };
  }
  return item;
}

export function readString(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

export function readNumber(item: Item | undefined, name: string): number {
  return Number(item?.[name]?.N ?? 0);
}

export function readStringSet(item: Item | undefined, name: string): string[] {
  return item?.[name]?.SS ?? [];
}

/** A date as epoch seconds, the unit of the table's TTL attribute. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
