/**
 * Reads a command against the table (command-table.ts), from typed text (Slack, Telegram) or from options a
 * platform already structured (Discord), into the same call: the subcommand and its typed values. Both ways
 * check the same rules, so a command means the same thing on every platform.
 *
 * Text grammar: words separated by spaces; "double quotes" (or “curly” ones) group words; a member is a
 * mention `<@id>` (Slack sends `<@U123|name>`; the Telegram adapter writes its text mentions this way);
 * booleans are yes/no, true/false, on/off; numbers are decimal. A group name alone runs its `bare` command.
 */
import {
  COMMAND_NAME,
  type CommandGroup,
  type CommandSpec,
  isGroup,
  type OptionSpec,
  type OptionValue,
  type ResolvedCommand,
  type TableEntry,
  usage,
} from './command-table.js';
import type { CommandInput, Platform } from './events.js';

/** A command ready to run. */
export interface CommandCall {
  readonly command: ResolvedCommand;
  readonly values: Readonly<Record<string, OptionValue>>;
}

/** Why a command could not be read, in words for the member; `command` when the subcommand was known. */
export interface CommandProblem {
  readonly problem: string;
  readonly command?: ResolvedCommand;
}

export function isProblem(result: CommandCall | CommandProblem): result is CommandProblem {
  return 'problem' in result;
}

/** The subcommand an empty `/community` runs. */
export const DEFAULT_COMMAND = 'help';

const TRUE_WORDS = new Set(['yes', 'y', 'true', 'on']);
const FALSE_WORDS = new Set(['no', 'n', 'false', 'off']);
const MENTION = /^<@!?([A-Za-z0-9_-]{1,64})(?:\|[^>]*)?>$/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** Reads a command as the platform delivered it. */
export function readCommand(
  table: readonly TableEntry[],
  input: CommandInput,
  platform: Platform,
): CommandCall | CommandProblem {
  return 'text' in input
    ? readText(table, input.text, platform)
    : readStructured(table, input.path, input.options, platform);
}

interface Token {
  readonly value: string;
  /** Where the token starts in the text, so a `rest` option can take the line as typed. */
  readonly start: number;
}

/** Reads `/community` text (what follows the command name). */
export function readText(
  table: readonly TableEntry[],
  text: string,
  platform: Platform,
): CommandCall | CommandProblem {
  const tokens = tokenize(text);
  const [first, ...afterName] = tokens;
  const found = findEntry(table, first?.value ?? DEFAULT_COMMAND);
  if (!found) return unknown(table, first?.value ?? '');
  let command: ResolvedCommand;
  let rest = afterName;
  if (isGroup(found)) {
    const sub = afterName[0] && found.commands.find((spec) => sameName(spec.name, afterName[0]?.value));
    if (sub) {
      command = { spec: sub, group: found, path: `${found.name} ${sub.name}` };
      rest = afterName.slice(1);
    } else {
      const bare = found.bare && found.commands.find((spec) => spec.name === found.bare);
      if (!bare || afterName.length > 0) return groupProblem(found, afterName[0]?.value);
      command = { spec: bare, group: found, path: `${found.name} ${bare.name}` };
    }
  } else {
    command = { spec: found, path: found.name };
  }
  return readOptions(command, rest, text, platform);
}

function readOptions(
  command: ResolvedCommand,
  tokens: readonly Token[],
  text: string,
  platform: Platform,
): CommandCall | CommandProblem {
  const values: Record<string, OptionValue> = {};
  const { options } = command.spec;
  let index = 0;
  for (const option of options) {
    const token = tokens[index];
    if (!token) break;
    if (option.rest) {
      values[option.name] = text.slice(token.start).trim();
      index = tokens.length;
      break;
    }
    const value = readValue(option, token.value, platform);
    if (typeof value === 'object' && 'problem' in value) return { ...value, command };
    values[option.name] = value;
    index += 1;
  }
  if (index < tokens.length) {
    return { problem: `Too many words for \`${usage(command)}\`.`, command };
  }
  return complete(command, values);
}

/** Reads Discord's structured options: the path of subcommand names and each option's value. */
export function readStructured(
  table: readonly TableEntry[],
  path: readonly string[],
  options: Readonly<Record<string, string | number | boolean>>,
  platform: Platform,
): CommandCall | CommandProblem {
  const [name = DEFAULT_COMMAND, subName] = path;
  const found = findEntry(table, name);
  if (!found) return unknown(table, name);
  let command: ResolvedCommand;
  if (isGroup(found)) {
    const sub = found.commands.find((spec) => sameName(spec.name, subName));
    if (!sub) return groupProblem(found, subName);
    command = { spec: sub, group: found, path: `${found.name} ${sub.name}` };
  } else {
    command = { spec: found, path: found.name };
  }
  const values: Record<string, OptionValue> = {};
  for (const [key, raw] of Object.entries(options)) {
    const option = command.spec.options.find((candidate) => candidate.name === key);
    if (!option) return { problem: `\`${usage(command)}\` has no option \`${key}\`.`, command };
    const value = readValue(option, String(raw), platform);
    if (typeof value === 'object' && 'problem' in value) return { ...value, command };
    values[key] = value;
  }
  return complete(command, values);
}

function complete(
  command: ResolvedCommand,
  values: Record<string, OptionValue>,
): CommandCall | CommandProblem {
  const missing = command.spec.options.find((option) => option.required && values[option.name] === undefined);
  if (missing) return { problem: `\`${usage(command)}\` needs \`${missing.name}\`.`, command };
  return { command, values };
}

function readValue(
  option: OptionSpec,
  raw: string,
  platform: Platform,
): OptionValue | { readonly problem: string } {
  switch (option.type) {
    case 'text':
      return raw;
    case 'number': {
      const value = Number(raw);
      return NUMBER.test(raw.trim()) && Number.isFinite(value)
        ? value
        : { problem: `\`${option.name}\` must be a number, not \`${clip(raw)}\`.` };
    }
    case 'boolean': {
      const word = raw.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return { problem: `\`${option.name}\` must be yes or no, not \`${clip(raw)}\`.` };
    }
    case 'choice': {
      const choice = option.choices?.find((candidate) => sameName(candidate, raw));
      return (
        choice ?? {
          problem: `\`${option.name}\` must be one of ${(option.choices ?? []).map((c) => `\`${c}\``).join(', ')}.`,
        }
      );
    }
    case 'member': {
      // Discord sends a bare id for a user option; text platforms send a mention.
      const id = MENTION.exec(raw.trim())?.[1] ?? (/^\d{1,20}$/.test(raw.trim()) ? raw.trim() : undefined);
      return id ? { platform, id } : { problem: memberProblem(option.name, raw) };
    }
  }
}

/**
 * Why a word is not a member. Only a mention picked from the platform's member list carries an id (on
 * Telegram a typed `@username` names nobody the Bot API can look up), so that is what the member is told.
 */
function memberProblem(name: string, raw: string): string {
  return `\`${name}\` must be a member picked from the list that opens as you type @ (a typed name cannot be looked up); \`${clip(raw)}\` is not one.`;
}

/** Splits text into words, keeping "quoted phrases" together (the quotes removed). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /"([^"]*)"?|“([^”]*)”?|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    tokens.push({ value: match[1] ?? match[2] ?? match[3] ?? '', start: match.index });
  }
  return tokens;
}

function findEntry(table: readonly TableEntry[], name: string): TableEntry | undefined {
  return table.find((entry) => sameName(entry.name, name));
}

function sameName(name: string, candidate: string | undefined): boolean {
  return candidate !== undefined && name === candidate.toLowerCase();
}

function unknown(table: readonly TableEntry[], name: string): CommandProblem {
  const names = table.map((entry) => `\`${entry.name}\``).join(', ');
  return {
    problem: `Unknown subcommand \`${clip(name)}\`. Try one of ${names}, or \`/${COMMAND_NAME} help\`.`,
  };
}

function groupProblem(group: CommandGroup, given: string | undefined): CommandProblem {
  const names = group.commands.map((spec: CommandSpec) => `\`${spec.name}\``).join(', ');
  const what = given ? `has no \`${clip(given)}\`` : 'needs one more word';
  return { problem: `\`/${COMMAND_NAME} ${group.name}\` ${what}: ${names}.` };
}

/** Echoes member input safely: short, and without backticks that would break the code span. */
function clip(text: string): string {
  const clean = text.replaceAll('`', "'");
  return clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
}
