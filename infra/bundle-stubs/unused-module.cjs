'use strict';
/**
 * Stand-in for modules a bot's bundle must not carry (see `UNUSED_MODULES` in infra/bundling.ts).
 *
 * Bolt's `App` requires its HTTP and Socket Mode receivers at load time, and with them
 * @slack/socket-mode, @slack/oauth, express, raw-body and path-to-regexp; the Lambda only ever uses
 * AwsLambdaReceiver. The WebClient requires @slack/types only to re-export its typings. @discordjs/rest
 * requires magic-bytes.js to sniff upload types, and the bot uploads nothing. esbuild aliases
 * those modules to this file, so loading them costs nothing and any real use fails loudly instead of
 * silently doing nothing: every export throws when called or constructed.
 */

function notBundled(what) {
  return new Error(
    `${what} is not bundled: this bot's descriptor lists it as unused at run time ` +
      '(infra/bundling.ts replaces the modules in bundling.unusedModules with a stub)',
  );
}

/** `path` is the export's property path, `''` for the module itself. */
function stub(path) {
  const what = path || 'This module';
  // A plain function as the target, so the proxy can be both called and constructed.
  return new Proxy(function unusedModule() {}, {
    apply() {
      throw notBundled(what);
    },
    construct() {
      throw notBundled(what);
    },
    get(target, key) {
      // Interop probes (esModule flags, thenable checks, symbols) must see a plain object, not a stub.
      if (typeof key === 'symbol' || key === '__esModule' || key === 'then') return undefined;
      if (key === 'prototype') return target.prototype;
      return stub(path ? `${path}.${key}` : key);
    },
  });
}

module.exports = stub('');
