/** `/community help`: what the caller may use here, grouped. */
import { COMMAND_NAME, listCommands, type ResolvedCommand, usage } from '../command-table.js';
import { answer, type CommandTurn, type Feature } from '../feature.js';

export const helpFeature: Feature = {
  commands: [{ name: 'help', summary: 'What you can do here', moderatorOnly: false, options: [] }],
  commandHandlers: {
    help: { run: async (turn) => answer(await helpText(turn)) },
  },
};

/**
 * Everyone's commands, then (for a moderator, in a community) the moderators' ones. A group is listed
 * under its name, its subcommands indented.
 */
export async function helpText(turn: CommandTurn): Promise<string> {
  // The platform's word only: help is the commonest command, and a table read for the rare community
  // moderator who moderates no space here would cost every member a round trip (they may still run them).
  const moderator = !turn.event.location.direct && (await turn.platformSaysModerator());
  const commands = listCommands(turn.services.table);
  const sections = [
    `**/${COMMAND_NAME}: the community bot**`,
    ...lines(
      'For everyone',
      commands.filter((command) => !command.spec.moderatorOnly),
    ),
  ];
  if (moderator) {
    sections.push(
      ...lines(
        'For moderators',
        commands.filter((command) => command.spec.moderatorOnly),
      ),
    );
  }
  sections.push(moderator ? '_You are a moderator here._' : '_Moderators have more commands._');
  return sections.join('\n');
}

function lines(title: string, commands: readonly ResolvedCommand[]): string[] {
  if (commands.length === 0) return [];
  const out = [`**${title}**`];
  let group: string | undefined;
  for (const command of commands) {
    if (command.group && command.group.name !== group) {
      group = command.group.name;
      out.push(`\`/${COMMAND_NAME} ${group}\`: ${command.group.summary}`);
    }
    const indent = command.group ? '  ' : '';
    out.push(`${indent}\`${usage(command)}\`: ${command.spec.summary}`);
  }
  return out;
}
