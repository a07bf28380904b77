import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PermissionFlagsBits } from 'discord-api-types/payloads/v10';
import { describe, expect, it } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';

// The Discord bundle replaces discord-api-types' payloads entry with this copy (its descriptor, bots/discord/platform.ts).
const STUB = discordPlatform.bundling.aliases['discord-api-types/payloads/v10'] as string;

describe('the discord-api-types stub of the Discord bundle', () => {
  it('exports every enum the bot imports with the values of the installed discord-api-types', async () => {
    // Prepare
    const stub = (await import(STUB)) as Record<string, unknown>;
    // The CommonJS entry, read as a plain object: the installed values the stub must match.
    const installed = createRequire(import.meta.url)('discord-api-types/payloads/v10') as Record<
      string,
      unknown
    >;
    const names = Object.keys(stub);

    // Assess: whole enums, so a member the bot starts using is there with Discord's value.
    expect(names.sort()).toEqual(
      [
        'ApplicationCommandOptionType',
        'ApplicationCommandType',
        'ButtonStyle',
        'ComponentType',
        'InteractionResponseType',
        'InteractionType',
        'MessageFlags',
        'PermissionFlagsBits',
        'TextInputStyle',
      ].sort(),
    );
    for (const name of names) {
      expect({ name, value: { ...(stub[name] as object) } }).toEqual({
        name,
        value: { ...(installed[name] as object) },
      });
    }
  });

  it('keeps the permission bits frozen, as discord-api-types does', async () => {
    const stub = (await import(STUB)) as { PermissionFlagsBits: object };

    expect(Object.isFrozen(stub.PermissionFlagsBits)).toBe(true);
    expect(Object.isFrozen(PermissionFlagsBits)).toBe(true);
  });
});

/** The names @discordjs/rest's ESM entry imports from a module, read from its source. */
function importedBy(module: string): string[] {
  const source = readFileSync(
    createRequire(import.meta.url)
      .resolve('@discordjs/rest')
      .replace(/\.js$/, '.mjs'),
    'utf8',
  );
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const pattern = new RegExp(`import \\{([^}]*)\\} from "${escaped}"`, 'g');
  return [...source.matchAll(pattern)]
    .flatMap((match) => (match[1] ?? '').split(','))
    .map((name) => name.trim().split(/\s+as\s+/)[0] ?? '')
    .filter(Boolean)
    .sort();
}

describe('the stubs @discordjs/rest meets in the Discord bundle', () => {
  const stubOf = (name: string) => import(discordPlatform.bundling.aliases[name] as string);

  it('gives it the API version and CDN route discord-api-types has, and it imports no more from there', async () => {
    const stub = (await stubOf('discord-api-types/v10')) as {
      APIVersion: string;
      CDNRoutes: { soundboardSound(id: string): string };
    };
    const installed = createRequire(import.meta.url)('discord-api-types/v10') as typeof stub;

    expect(importedBy('discord-api-types/v10')).toEqual(['APIVersion', 'CDNRoutes']);
    expect(stub.APIVersion).toBe(installed.APIVersion);
    expect(stub.CDNRoutes.soundboardSound('123')).toBe(installed.CDNRoutes.soundboardSound('123'));
  });

  it("gives it Node's fetch classes for undici, which it needs only for its default strategy and uploads", async () => {
    const stub = (await stubOf('undici')) as { FormData: unknown; Headers: unknown; request: () => unknown };

    expect(importedBy('undici')).toEqual(['FormData', 'Headers', 'request']);
    expect(stub.FormData).toBe(globalThis.FormData);
    expect(stub.Headers).toBe(globalThis.Headers);
    expect(() => stub.request()).toThrow(/global fetch/);
  });

  it("gives it Node's EventEmitter, which has the two methods it calls", async () => {
    const { AsyncEventEmitter } = (await stubOf('@vladfrangu/async_event_emitter')) as {
      AsyncEventEmitter: new () => { emit(name: string): boolean; listenerCount(name: string): number };
    };
    const emitter = new AsyncEventEmitter();

    expect(importedBy('@vladfrangu/async_event_emitter')).toEqual(['AsyncEventEmitter']);
    expect(emitter.emit('restDebug')).toBe(false);
    expect(emitter.listenerCount('response')).toBe(0);
  });
});
