/** `/community help`: what the caller may use here, grouped. */
import {
  COMMAND_NAME,
  listCommands,
  type ResolvedCommand,
  type TableEntry,
  usage,
} from '../command-table.js';
import { answer, type CommandTurn, type Feature } from '../feature.js';

export const helpFeature: Feature = {
  commands: [{ name: 'help', summary: 'What you can do here', moderatorOnly: false, options: [] }],
  commandHandlers: {
    help: { run: async (turn) => answer(await helpText(turn)) },
  },
};

/**
 * Everyone's commands, then (for a moderator, in a community) the moderators' ones. A group is one line:
 * its name and its subcommands' names.
 */
export async function helpText(turn: CommandTurn): Promise<string> {
  // The platform's word only: help is the commonest command, and a table read for the rare community
  // moderator who moderates no space here would cost every member a round trip (they may still run them).
  const moderator = !turn.event.location.direct && (await turn.platformSaysModerator());
  return helpFor(turn.services.table, moderator);
}

/** The help text for a member, or a moderator (who also sees the moderators' commands). */
export function helpFor(table: readonly TableEntry[], moderator: boolean): string {
  const commands = listCommands(table);
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

/**
 * One line per command, and one per group with its subcommands' names: the whole list must fit one
 * Discord message (2,000 characters) now that the moderators' commands are many.
 */
function lines(title: string, commands: readonly ResolvedCommand[]): string[] {
  if (commands.length === 0) return [];
  const out = [`**${title}**`];
  const listed = new Set<string>();
  for (const command of commands) {
    const { group } = command;
    if (!group) {
      out.push(`\`${usage(command)}\`: ${command.spec.summary}`);
      continue;
    }
    if (listed.has(group.name)) continue;
    listed.add(group.name);
    const members = commands.filter((one) => one.group?.name === group.name);
    const names = members.map((one) => one.spec.name).join(' | ');
    // A group with one command for this reader reads best with that command's own summary.
    const summary = members.length === 1 ? command.spec.summary : group.summary;
    out.push(`\`/${COMMAND_NAME} ${group.name} ${names}\`: ${summary}`);
  }
  return out;
}
