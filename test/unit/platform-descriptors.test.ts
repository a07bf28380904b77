import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_DESCRIPTORS } from '../../infra/platforms.js';
import { PLATFORMS } from '../../shared/core/events.js';
import { liveSettings, secretNames } from '../../shared/platform/descriptor.js';

const ROOT = join(import.meta.dirname, '../..');

/** TypeScript sources under a folder of the project (no node_modules, no build output). */
function sources(folder: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(join(ROOT, folder))) {
    // Dot folders hold build output (bench/.out), not sources.
    if (name.startsWith('.')) continue;
    const path = join(ROOT, folder, name);
    if (statSync(path).isDirectory()) found.push(...sources(relative(ROOT, path)));
    else if (/\.(ts|mts|cts|mjs|cjs)$/.test(name)) found.push(path);
  }
  return found;
}

/** Source text without block and line comments (a URL's `://` is not a comment). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/[^\n]*/g, '$1');
}

describe('platform descriptors', () => {
  it('describe every platform once, in the platform list order', () => {
    expect(PLATFORM_DESCRIPTORS.map((bot) => bot.platform)).toEqual([...PLATFORMS]);
  });

  it.each(PLATFORM_DESCRIPTORS.map((bot) => [bot.platform, bot] as const))(
    '%s: entry, paths, secret and settings agree with each other',
    (platform, bot) => {
      expect(existsSync(bot.handlerEntry)).toBe(true);
      expect(relative(ROOT, bot.handlerEntry)).toBe(join('bots', platform, 'handler.ts'));
      expect(bot.webhookPaths.length).toBeGreaterThan(0);
      for (const path of bot.webhookPaths) expect(path.startsWith(`/${platform}/`)).toBe(true);
      expect(bot.webhookPaths).toContain(bot.sandbox.path);
      expect(secretNames(bot)).toContain(bot.secret.generated.name);
      expect(bot.secret.arnVariable).toBe(`${platform.toUpperCase()}_SECRET_ARN`);
      for (const setting of bot.settings) {
        expect(setting.name.startsWith(`${platform.toUpperCase()}_`)).toBe(true);
        expect(setting.source === 'parameter').toBe(setting.parameter !== undefined);
      }
      for (const path of Object.values(bot.bundling.aliases)) expect(existsSync(path)).toBe(true);
      expect(bot.moderatorRule.length).toBeGreaterThan(10);
    },
  );

  it.each(PLATFORM_DESCRIPTORS.map((bot) => [bot.platform, bot] as const))(
    '%s: the sandbox provides every live setting, and the factory builds a handler from it without I/O',
    (_platform, bot) => {
      const env: Record<string, string> = {
        ...bot.sandbox.env('http://127.0.0.1:9'),
        TABLE_NAME: 'community-test',
        MEMBER_KEY: 'a-member-key-of-at-least-thirty-two-chars',
      };

      for (const name of liveSettings(bot)) expect(env[name]).toBeTruthy();
      expect(typeof bot.createHandler(env)).toBe('function');
    },
  );

  it('are the only place a platform fact is written down: no setting name or webhook path elsewhere', () => {
    // Prepare: the code (comments aside) of every source outside bots/: infra, the local runner, shared and
    // the bench. The bench's reference apps are left out: they stand for other people's apps and must not
    // import ours.
    const elsewhere = [...sources('infra'), ...sources('shared'), ...sources('bench')].filter(
      (file) => !file.includes(join('bench', 'reference')),
    );
    const facts = PLATFORM_DESCRIPTORS.flatMap((bot) => [
      ...bot.settings.map((setting) => setting.name),
      ...bot.webhookPaths,
      bot.secret.arnVariable,
    ]);

    // Act
    const repeated = elsewhere.flatMap((file) => {
      const text = withoutComments(readFileSync(file, 'utf8'));
      return facts.filter((fact) => text.includes(fact)).map((fact) => `${relative(ROOT, file)}: ${fact}`);
    });

    // Assess
    expect(repeated).toEqual([]);
  });
});
