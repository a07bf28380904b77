/**
 * Stands in for `discord-api-types/v10` in the Discord bundle (see `bundling.aliases` in
 * bots/discord/platform.ts). The handler itself never imports that entry; @discordjs/rest does, for two
 * values: the API version and one CDN route (a soundboard sound URL, which the bot never builds). The
 * real entry is CommonJS that evaluates every REST route, gateway and RPC enum: the bundle would carry
 * all of discord-api-types for a string.
 *
 * esbuild fails the build if @discordjs/rest starts importing a value this file does not export, and
 * test/unit/discord-api-types-stub.test.ts checks these values against the installed discord-api-types
 * and that @discordjs/rest imports nothing else from it.
 */

export const APIVersion = '10';

export const CDNRoutes = Object.freeze({
  soundboardSound(soundId) {
    return `/soundboard-sounds/${soundId}`;
  },
});
