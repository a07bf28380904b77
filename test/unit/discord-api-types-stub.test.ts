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
