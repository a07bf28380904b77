import { fileURLToPath } from 'node:url';
import type { PlatformDescriptor } from '../../shared/platform/descriptor.js';
import { DISCORD_SETTINGS, loadDiscordConfig } from './config.js';
import { createDiscordHandler } from './edge.js';
import { DISCORD_MODERATOR_RULE } from './moderators.js';
import { discordSandbox } from './sandbox.js';

/** Discord, as infra, the local runner, the tests and the bench see it. */
export const discordPlatform: PlatformDescriptor = {
  platform: 'discord',
  title: 'Discord',
  webhookPaths: [discordSandbox.path],
  handlerEntry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
  settings: DISCORD_SETTINGS,
  secret: {
    arnVariable: 'DISCORD_SECRET_ARN',
    // The handler answers interactions inline and needs no token: an extension would only add its own
    // start-up to every cold start. The secret serves `npm run discord:register`.
    readByHandler: false,
    generated: { name: 'DISCORD_BOT_TOKEN' },
    instructions: 'set it from the Discord application',
  },
  bundling: {
    unusedModules: [],
    // The enum values the interactions handler needs, without evaluating discord-api-types (about 10 ms).
    aliases: {
      'discord-api-types/payloads/v10': fileURLToPath(
        new URL('./bundle-stubs/discord-api-types-payloads.mjs', import.meta.url),
      ),
    },
  },
  moderatorRule: DISCORD_MODERATOR_RULE,
  sandbox: discordSandbox,
  createHandler: (env, deps) => createDiscordHandler(loadDiscordConfig(env), deps),
};
