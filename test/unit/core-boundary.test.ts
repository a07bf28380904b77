import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '../../shared/core');
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

function insideCore(file: string, specifier: string): boolean {
  const target = relative(CORE, resolve(CORE, dirname(file), specifier));
  return !target.startsWith('..');
}

/**
 * Platform-neutral libraries the core may use: they know nothing of a platform, AWS or Node's APIs.
 * @date-fns/tz: time zone rules for quiet hours (outbox/zone.ts). minisearch: the library's search
 * (content/search.ts). yaml: library files (content/files.ts).
 */
const NEUTRAL_LIBRARIES: ReadonlySet<string> = new Set(['@date-fns/tz', 'minisearch', 'yaml']);

describe('the core boundary', () => {
  it('finds the import forms it checks', () => {
    const sample = `import { a } from '@slack/bolt';\nexport * from "./x.js";\nconst m = await import('grammy');`;
    expect(importsOf(sample)).toEqual(['@slack/bolt', './x.js', 'grammy']);
  });

  it('imports nothing but its own files and neutral libraries: no platform SDK, no AWS SDK, no Lambda types, no Node APIs', () => {
    const files = readdirSync(CORE, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(3);
    const outside = files.flatMap((file) =>
      importsOf(readFileSync(join(CORE, file), 'utf8'))
        // Relative imports are fine while they stay inside shared/core (features live in subfolders).
        .filter((specifier) => !(specifier.startsWith('.') && insideCore(file, specifier)))
        .filter((specifier) => !NEUTRAL_LIBRARIES.has(specifier))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(outside).toEqual([]);
  });
});
