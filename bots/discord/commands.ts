import { SlashCommandBuilder } from '@discordjs/builders';
import {
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { COMMAND_NAME, SUBCOMMAND_LIST } from '../../shared/core/commands.js';

/** Shown under the command name in Discord's command picker (at most 100 characters). */
export const COMMAND_DESCRIPTION = 'Community engagement: help and stats';

/**
 * The slash commands this app registers: `/community` with one subcommand per core subcommand, so the
 * picker offers exactly what the core can run. Used only by register.ts: the handler never loads the
 * builders (cold start).
 *
 * Rights are not encoded here (no default member permissions): the core checks them on every call and
 * answers a private refusal, which a hidden command could not explain.
 */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const community = new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription(COMMAND_DESCRIPTION)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);
  for (const { name, summary } of SUBCOMMAND_LIST) {
    community.addSubcommand((subcommand) => subcommand.setName(name).setDescription(summary));
  }
  return [community.toJSON()];
}
