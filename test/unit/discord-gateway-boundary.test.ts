import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
/** Relative imports (static, bare or dynamic); type-only ones are left out (they leave nothing in a bundle). */
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?from\s+)?'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** Every repository file the entry reaches through relative imports (the bundle's own code). */
function reachableFrom(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (existsSync(target)) pending.push(target);
    }
  }
  return [...seen].map((file) => relative(ROOT, file)).sort();
}

describe('the Discord interactions handler', () => {
  it('never reaches the gateway ingestion, its schemas (valibot) or the sandbox: its bundle stays as it is', () => {
    const reached = reachableFrom('bots/discord/handler.ts');

    expect(reached).toContain('bots/discord/community.ts');
    expect(reached.filter((file) => /^bots\/discord\/(gateway\/|sandbox)/.test(file))).toEqual([]);
  });

  it('shares its wiring of the core with the gateway ingestion', () => {
    expect(reachableFrom('bots/discord/gateway/ingest.ts')).toContain('bots/discord/community.ts');
  });
});
