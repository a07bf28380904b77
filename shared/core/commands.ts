import type { EngagementStore } from './engagement.js';
import type { CommandInvoked } from './events.js';
import { privateReply, type Reply } from './reply.js';
import { computeStats, formatStats } from './stats.js';

/** The one command on every platform: `/community <subcommand> [args]`. */
export const COMMAND_NAME = 'community';

/** What a subcommand gets to work with. Moderator rights are asked lazily: most commands never need them. */
export interface CommandContext {
  readonly invocation: CommandInvoked;
  /** Asks the platform whether the invoking member is a moderator. */
  readonly isModerator: () => Promise<boolean>;
  /** Who counts as a moderator on this platform, in words (from the platform's descriptor). */
  readonly moderatorRule: string;
  readonly store: EngagementStore;
  readonly now: Date;
}

interface Subcommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly moderatorOnly: boolean;
  run(context: CommandContext, args: readonly string[]): Promise<Reply>;
}

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'help',
    usage: 'help',
    summary: 'what you can do here',
    moderatorOnly: false,
    run: runHelp,
  },
  {
    name: 'stats',
    usage: 'stats',
    summary: 'members seen, messages, replies, reactions and joins for today, 7 and 30 days',
    moderatorOnly: true,
    run: async ({ store, now }) => privateReply(formatStats(await computeStats(store, now))),
  },
];

/** Subcommand names and summaries, for platforms that register commands up front (Discord). */
export const SUBCOMMAND_LIST: readonly { name: string; summary: string }[] = SUBCOMMANDS.map(
  ({ name, summary }) => ({ name, summary }),
);

/**
 * Runs `/community <args>` for one member. Rights are checked here, on the server, for every call:
 * a moderator-only subcommand from anyone else gets a private refusal, never silence.
 */
export async function runCommand(context: CommandContext): Promise<Reply> {
  const [name = 'help', ...args] = splitArgs(context.invocation.args);
  const subcommand = SUBCOMMANDS.find((candidate) => candidate.name === name.toLowerCase());
  if (!subcommand) {
    const help = await runHelp(context);
    return privateReply(`Unknown subcommand \`${name}\`.\n\n${help.text}`);
  }
  if (subcommand.moderatorOnly && !(await context.isModerator())) {
    const platform = context.invocation.location.space.platform;
    return privateReply(
      `Sorry, \`/${COMMAND_NAME} ${subcommand.name}\` is for moderators only ` +
        `(on ${platform}: ${context.moderatorRule}). Try \`/${COMMAND_NAME} help\`.`,
    );
  }
  return subcommand.run(context, args);
}

async function runHelp(context: CommandContext): Promise<Reply> {
  const moderator = SUBCOMMANDS.some((command) => command.moderatorOnly)
    ? await context.isModerator()
    : false;
  const lines = SUBCOMMANDS.filter((command) => moderator || !command.moderatorOnly).map(
    (command) => `\`/${COMMAND_NAME} ${command.usage}\`: ${command.summary}`,
  );
  const role = moderator ? 'You are a moderator here.' : 'Moderators have more commands.';
  return privateReply(`**Community bot**\n${lines.join('\n')}\n_${role}_`);
}

function splitArgs(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

/**
 * Reads `/community ...` from a plain message text, as Telegram delivers commands. Returns the text after
 * the command, or `undefined` when the message is not this command or is addressed to another bot
 * (`/community@otherbot`).
 */
export function parseCommandText(text: string, botUsername?: string): string | undefined {
  const match = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match || match[1]?.toLowerCase() !== COMMAND_NAME) return undefined;
  const addressee = match[2];
  if (addressee && addressee.toLowerCase() !== botUsername?.toLowerCase()) return undefined;
  return (match[3] ?? '').trim();
}
