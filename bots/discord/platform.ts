import { fileURLToPath } from 'node:url';
import type { PlatformDescriptor } from '../../shared/platform/descriptor.js';
import { DISCORD_SETTINGS, loadDiscordConfig } from './config.js';
import { createDiscordHandler } from './edge.js';
import { DISCORD_MODERATOR_RULE } from './moderators.js';
import { discordSandbox, SANDBOX_GATEWAY_PATH } from './sandbox.js';
import { sandboxGatewayRoute } from './sandbox-gateway.js';

/** Discord, as infra, the local runner, the tests and the bench see it. */
export const discordPlatform: PlatformDescriptor = {
  platform: 'discord',
  title: 'Discord',
  webhookPaths: [discordSandbox.path],
  handlerEntry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
  settings: DISCORD_SETTINGS,
  secret: {
    arnVariable: 'DISCORD_SECRET_ARN',
    // The handler DMs moderators, looks up members and posts with the bot token, read on the first such
    // call (never at start, never for an answer given inline). It also serves `npm run discord:register`.
    readByHandler: true,
    generated: { name: 'DISCORD_BOT_TOKEN' },
    instructions: 'set it from the Discord application',
  },
  bundling: {
    // @discordjs/rest detects file types for uploads, which the bot never makes.
    unusedModules: ['magic-bytes.js'],
    aliases: {
      // The enum values the interactions handler needs, without evaluating discord-api-types (about 10 ms).
      'discord-api-types/payloads/v10': fileURLToPath(
        new URL('./bundle-stubs/discord-api-types-payloads.mjs', import.meta.url),
      ),
      // The two values @discordjs/rest (loaded on first use) takes from it, without bundling all of it.
      'discord-api-types/v10': fileURLToPath(
        new URL('./bundle-stubs/discord-api-types-v10-rest.mjs', import.meta.url),
      ),
      // Node's own fetch instead of a bundled second undici (rest.ts passes it as `makeRequest`).
      undici: fileURLToPath(new URL('./bundle-stubs/undici-global-fetch.mjs', import.meta.url)),
      // Node's EventEmitter for the REST client's base class (it only emits events nobody listens to).
      '@vladfrangu/async_event_emitter': fileURLToPath(
        new URL('./bundle-stubs/async-event-emitter-node.mjs', import.meta.url),
      ),
    },
  },
  moderatorRule: DISCORD_MODERATOR_RULE,
  sandbox: discordSandbox,
  createHandler: (env, deps) => createDiscordHandler(loadDiscordConfig(env), deps),
  sandboxRoutes: (env, deps) => ({ [SANDBOX_GATEWAY_PATH]: sandboxGatewayRoute(env, deps) }),
};
