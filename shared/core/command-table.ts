/**
 * The one command table: every `/community` subcommand, declared once with typed options. Discord registers
 * it as real options (bots/discord/commands.ts); Slack and Telegram read the same grammar from text
 * (command-grammar.ts); `help` lists it. A feature declares its commands in its own module; this file only
 * defines the shape and collects them.
 */
import type { Member } from './events.js';

/** The one command on every platform: `/community <subcommand> [options]`. */
export const COMMAND_NAME = 'community';

export type OptionType = 'text' | 'member' | 'number' | 'boolean' | 'choice';

/** A value as the core reads it: members are platform ids, never names. */
export type OptionValue = string | number | boolean | Member;

export interface OptionSpec {
  /** Lower-case, `-` or `_` between words, at most 32 characters (Discord's rule, kept everywhere). */
  readonly name: string;
  readonly type: OptionType;
  /** One line for people (at most 100 characters: Discord's limit). */
  readonly summary: string;
  readonly required: boolean;
  /** `choice` only: the accepted values (at most 25, Discord's limit). */
  readonly choices?: readonly string[];
  /**
   * `text` only, and only the last option: takes the rest of the typed line as it is (quotes included),
   * so `/community feedback the "new" editor` keeps every word.
   */
  readonly rest?: boolean;
}

/** A subcommand that runs: `/community stats`, `/community me show`. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly moderatorOnly: boolean;
  /** For community moderators only (what spans spaces); implies {@link moderatorOnly}. */
  readonly communityOnly?: boolean;
  readonly options: readonly OptionSpec[];
}

/**
 * Subcommands under one name: `/community me show`. Discord cannot invoke a group alone, so a group lists
 * its `show` explicitly; Slack and Telegram also run {@link bare} when the group name comes alone.
 */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: readonly CommandSpec[];
  /** The subcommand run for the bare group name on platforms that read text. */
  readonly bare?: string;
}

export type TableEntry = CommandSpec | CommandGroup;

export function isGroup(entry: TableEntry): entry is CommandGroup {
  return 'commands' in entry;
}

/** A subcommand with the group it sits in: its full path is what routes it to its handler. */
export interface ResolvedCommand {
  readonly spec: CommandSpec;
  readonly group?: CommandGroup;
  /** `stats`, `me show`: the dispatcher's key for the handler. */
  readonly path: string;
}

/** Every runnable subcommand of a table, in declaration order. */
export function listCommands(table: readonly TableEntry[]): ResolvedCommand[] {
  return table.flatMap((entry) =>
    isGroup(entry)
      ? entry.commands.map((spec) => ({ spec, group: entry, path: `${entry.name} ${spec.name}` }))
      : [{ spec: entry, path: entry.name }],
  );
}

/** How a command is written for people: `/community feedback <note>`. */
export function usage(command: ResolvedCommand): string {
  const options = command.spec.options.map((option) =>
    option.required ? `<${option.name}>` : `[${option.name}]`,
  );
  return [`/${COMMAND_NAME}`, command.path, ...options].join(' ');
}
