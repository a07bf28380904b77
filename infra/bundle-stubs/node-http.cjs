'use strict';
/**
 * `node:http` for the bot bundles, handed over as CommonJS (see `BOT_ALIASES` in infra/bundling.ts).
 *
 * An ES module `import ... from 'node:http'` makes Node build an ES facade of the builtin, and that facade
 * reads every export once, including the lazy `WebSocket`, `CloseEvent` and `MessageEvent` getters that load
 * Node's whole bundled undici (fetch, WebSocket, HTTP/2 client): about 25 ms of every cold start for a
 * module the bots never use. Read as CommonJS, those getters stay untouched.
 */
module.exports = process.getBuiltinModule('node:http');
