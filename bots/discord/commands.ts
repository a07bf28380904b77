import { SlashCommandBuilder, type SlashCommandSubcommandBuilder } from '@discordjs/builders';
import {
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import {
  COMMAND_NAME,
  type CommandSpec,
  isGroup,
  type OptionSpec,
  type TableEntry,
} from '../../shared/core/command-table.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';

/** Shown under the command name in Discord's command picker (at most 100 characters). */
export const COMMAND_DESCRIPTION = 'The community bot: help, a private note to moderators, stats';

/**
 * The slash command this app registers, from the one command table (shared/core/features.ts): `/community`
 * with a subcommand per command and a subcommand group per group, each option typed as the table declares
 * it, so the picker offers exactly what the core runs and Discord checks types before a member can send.
 * Used only by register.ts: the handler never loads the builders (cold start).
 *
 * Rights are not encoded here (no default member permissions): the core checks them on every call and
 * answers a private refusal, which a hidden command could not explain.
 */
export function commandDefinitions(
  table: readonly TableEntry[] = COMMAND_TABLE,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const community = new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription(COMMAND_DESCRIPTION)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);
  for (const entry of table) {
    if (isGroup(entry)) {
      community.addSubcommandGroup((group) => {
        group.setName(entry.name).setDescription(entry.summary);
        for (const spec of entry.commands) group.addSubcommand((sub) => subcommand(sub, spec));
        return group;
      });
    } else {
      community.addSubcommand((sub) => subcommand(sub, entry));
    }
  }
  return [community.toJSON()];
}

function subcommand(
  builder: SlashCommandSubcommandBuilder,
  spec: CommandSpec,
): SlashCommandSubcommandBuilder {
  builder.setName(spec.name).setDescription(spec.summary);
  for (const option of spec.options) addOption(builder, option);
  return builder;
}

/** text -> String, member -> User (the value arrives as the user id), number, boolean, choice -> String with choices. */
function addOption(builder: SlashCommandSubcommandBuilder, option: OptionSpec): void {
  switch (option.type) {
    case 'text':
      builder.addStringOption((input) =>
        input.setName(option.name).setDescription(option.summary).setRequired(option.required),
      );
      return;
    case 'choice':
      builder.addStringOption((input) =>
        input
          .setName(option.name)
          .setDescription(option.summary)
          .setRequired(option.required)
          .addChoices((option.choices ?? []).map((choice) => ({ name: choice, value: choice }))),
      );
      return;
    case 'member':
      builder.addUserOption((input) =>
        input.setName(option.name).setDescription(option.summary).setRequired(option.required),
      );
      return;
    case 'number':
      builder.addNumberOption((input) =>
        input.setName(option.name).setDescription(option.summary).setRequired(option.required),
      );
      return;
    case 'boolean':
      builder.addBooleanOption((input) =>
        input.setName(option.name).setDescription(option.summary).setRequired(option.required),
      );
      return;
  }
}
