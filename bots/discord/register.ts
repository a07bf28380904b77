/**
 * Registers the slash commands with Discord: `npm run discord:register [-- --guild <id>]`.
 *
 * Global commands reach every guild the app is installed in (Discord may take a while to show changes);
 * guild commands update at once, which suits a test server. A PUT replaces the whole set, so running this
 * twice is harmless and a removed subcommand disappears.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REST } from '@discordjs/rest';
import { type RESTPutAPIApplicationCommandsResult, Routes } from 'discord-api-types/v10';
import { commandDefinitions } from './commands.js';
import { type DiscordRegisterConfig, loadDiscordRegisterConfig } from './register-config.js';

export interface RegisterOptions {
  /** Register in this guild only, instead of globally. */
  readonly guildId?: string;
}

/** What Discord now has registered, and where. */
export interface RegisterResult {
  /** `global` or `guild <id>`. */
  readonly scope: string;
  readonly commands: readonly {
    readonly id: string;
    readonly name: string;
    readonly subcommands: readonly string[];
  }[];
}

/** Replaces the app's commands (global or one guild's) with {@link commandDefinitions}. */
export async function registerCommands(
  config: DiscordRegisterConfig,
  options: RegisterOptions = {},
): Promise<RegisterResult> {
  const { DISCORD_BOT_TOKEN } = await config.secrets();
  const rest = new REST({ version: '10', api: config.apiUrl }).setToken(DISCORD_BOT_TOKEN);
  const route = options.guildId
    ? Routes.applicationGuildCommands(config.applicationId, options.guildId)
    : Routes.applicationCommands(config.applicationId);
  const registered = (await rest.put(route, {
    body: commandDefinitions(),
  })) as RESTPutAPIApplicationCommandsResult;
  return {
    scope: options.guildId ? `guild ${options.guildId}` : 'global',
    commands: registered.map(({ id, name, options }) => ({
      id,
      name,
      subcommands: (options ?? []).map((option) => option.name),
    })),
  };
}

/** The command line: reads `--guild` and the environment, registers, prints one line per command. */
export async function main(argv: readonly string[], env = process.env): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { guild: { type: 'string' } } });
  const config = loadDiscordRegisterConfig(env);
  const result = await registerCommands(config, values.guild ? { guildId: values.guild } : {});
  console.log(`Registered ${result.commands.length} command(s) (${result.scope}) at ${config.apiUrl}:`);
  for (const { name, id, subcommands } of result.commands) {
    console.log(`  /${name} ${subcommands.join(' | ')} (id ${id})`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
