/**
 * Stands in for `@vladfrangu/async_event_emitter` in the Discord bundle (see `bundling.aliases` in
 * bots/discord/platform.ts). @discordjs/rest's REST class extends it only to `emit` debug, rate-limit and
 * response events and to ask `listenerCount`; the bot listens to none. Node's own EventEmitter (already
 * loaded) does both, where the package would add about 80 KB to every cold start's parse.
 *
 * test/unit/discord-api-types-stub.test.ts checks that @discordjs/rest imports nothing else from it.
 */

export { EventEmitter as AsyncEventEmitter } from 'node:events';
