import fc from 'fast-check';

/**
 * Malformed variants of real payloads, for property-based tests of the webhooks' edges: each variant is a
 * documented payload with one to three of its fields broken the ways a buggy sender or an attacker with the
 * signing secret could break them (nulls, missing keys, wrong types, lists where ids belong, absurd nesting,
 * huge values). The payloads stay signed; the handlers must answer 200 or 400, never 500, and record nothing
 * from what they cannot read.
 */

export const MUTATION_KINDS = [
  'null',
  'delete',
  'number',
  'negative',
  'float',
  'string',
  'empty-string',
  'huge-string',
  'boolean',
  'array',
  'object',
  'list-of-it',
  'deep-array',
  'deep-object',
  'self-nesting',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** Which field (`at`, modulo the number of fields) is broken, and how. */
export interface Mutation {
  readonly at: number;
  readonly kind: MutationKind;
}

/** A broken payload, and how to write it as the text the platform would send. */
export interface Mutated {
  readonly value: unknown;
  /** JSON text with the deep structures expanded (they are built as text: too deep for JSON.stringify). */
  json(): string;
}

/** How deep the nesting mutations go: deep enough to overflow any recursive reader. */
export const DEEP = 10_000;
/** The nesting text is capped at about this many characters (a big object nested 10,000 times is huge). */
const NESTING_BUDGET = 1_000_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** One to three mutations. */
export function mutationsArb(): fc.Arbitrary<Mutation[]> {
  return fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom(...MUTATION_KINDS) }), {
    minLength: 1,
    maxLength: 3,
  });
}

/** Applies the mutations to a copy of `value` (a parsed JSON payload). */
export function mutate(value: unknown, mutations: readonly Mutation[]): Mutated {
  let current = structuredClone(value) as Json;
  const expansions = new Map<string, string>();
  for (const mutation of mutations) {
    const all = pathsOf(current);
    const path = all[mutation.at % Math.max(all.length, 1)];
    if (!path) continue;
    current = applyAt(current, path, mutation.kind, expansions);
  }
  return {
    value: current,
    json() {
      let text = JSON.stringify(current);
      for (const [marker, expanded] of expansions)
        text = text.replace(JSON.stringify(marker), () => expanded);
      return text;
    },
  };
}

/** Every field path in a JSON value (object keys and array indexes), the root excluded. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

function applyAt(root: Json, path: Path, kind: MutationKind, expansions: Map<string, string>): Json {
  const parent = path
    .slice(0, -1)
    .reduce<Json>((node, key) => (node as Record<string, Json>)[key] as Json, root);
  const key = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  const old = container[key] as Json;
  if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete container[key];
    return root;
  }
  container[key] = replacement(old, kind, parent, key, expansions);
  return root;
}

function replacement(
  old: Json,
  kind: Exclude<MutationKind, 'delete'>,
  parent: Json,
  key: string | number,
  expansions: Map<string, string>,
): Json {
  switch (kind) {
    case 'null':
      return null;
    case 'number':
      return typeof old === 'number' ? Number.MAX_SAFE_INTEGER + 2 : 12345;
    case 'negative':
      return -1;
    case 'float':
      return 1.5;
    case 'string':
      return typeof old === 'string' ? `${old}\u0000\u202e<&>` : String(JSON.stringify(old)).slice(0, 40);
    case 'empty-string':
      return '';
    case 'huge-string':
      return 'x'.repeat(100_000);
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'list-of-it':
      return [old, old];
    case 'deep-array':
      return marker(expansions, `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`);
    case 'deep-object':
      return marker(expansions, `${'{"a":'.repeat(DEEP)}null${'}'.repeat(DEEP)}`);
    case 'self-nesting':
      return selfNesting(old, parent, key, expansions);
  }
}

/**
 * The parent object nested inside itself at this key, thousands deep: `options: [{ ..., options: [{ ...`
 * as a recursive reader of command options would follow it.
 */
function selfNesting(old: Json, parent: Json, key: string | number, expansions: Map<string, string>): Json {
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) return old;
  const hole = '\u0000hole\u0000';
  const shell = JSON.stringify({ ...parent, [key]: Array.isArray(old) ? [hole] : hole });
  const [before = '', after = ''] = shell.split(JSON.stringify(hole));
  const depth = Math.max(
    1,
    Math.min(DEEP, Math.floor(NESTING_BUDGET / Math.max(1, before.length + after.length))),
  );
  const innermost = JSON.stringify(parent);
  const wrapped = Array.isArray(old)
    ? `[${before.repeat(depth)}${innermost}${after.repeat(depth)}]`
    : `${before.repeat(depth)}${innermost}${after.repeat(depth)}`;
  return marker(expansions, wrapped);
}

function marker(expansions: Map<string, string>, text: string): string {
  const name = `\u0000expand-${expansions.size}\u0000`;
  expansions.set(name, text);
  return name;
}

/**
 * How many variants each fuzz test tries, and from which seed: fixed by default so CI is reproducible;
 * `FUZZ_RUNS=5000 FUZZ_SEED=random npm test` searches further.
 */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const seedSetting = process.env.FUZZ_SEED ?? '20261124';
  const seed = seedSetting === 'random' ? Date.now() : Number(seedSetting);
  return { numRuns: runs, seed };
}
