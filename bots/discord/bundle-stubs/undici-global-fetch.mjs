/**
 * Stands in for the `undici` package in the Discord bundle (see `bundling.aliases` in
 * bots/discord/platform.ts). @discordjs/rest imports undici for its default request strategy and for file
 * uploads; the bot gives it Node's global `fetch` instead (bots/discord/rest.ts, `makeRequest`) and
 * uploads no files, so the bundle need not carry a second copy of undici (about 420 KB, the largest part
 * of the bundle) next to the one Node has built in.
 *
 * These are Node's own globals. `request` is undici's own API, which the bot never calls: it fails loudly.
 */

export const FormData = globalThis.FormData;
export const Headers = globalThis.Headers;

export function request() {
  throw new Error(
    "undici's request is not bundled: the Discord bot gives @discordjs/rest the global fetch (bots/discord/rest.ts)",
  );
}
