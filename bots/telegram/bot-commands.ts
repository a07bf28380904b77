/**
 * The command menus Telegram shows (setMyCommands): what a member sees in a private chat and in a group,
 * and what a group's administrators see. Built from the one command table, so a new feature's command is
 * named in the administrators' menu without editing this file.
 */
import type { BotCommand, BotCommandScope } from 'grammy/types';
import { COMMAND_NAME, isGroup, type TableEntry } from '../../shared/core/command-table.js';

/** Telegram's rules for a BotCommand (setMyCommands): 1-32 of a-z, 0-9 and _; a description of 1-256. */
export const BOT_COMMAND_PATTERN = /^[a-z0-9_]{1,32}$/;
export const BOT_COMMAND_DESCRIPTION_LIMIT = 256;

/** One setMyCommands call: a menu and who sees it. */
export interface CommandMenu {
  readonly scope: BotCommandScope;
  readonly commands: readonly BotCommand[];
}

/** `/start`: what Telegram sends when a member opens a private chat with the bot (or follows a deep link). */
const START: BotCommand = {
  command: 'start',
  description: 'What this bot offers, and how to link this Telegram account',
};

const HELP: BotCommand = { command: 'help', description: 'What you can do with this bot' };

/**
 * The menus, most specific scope first as Telegram resolves them: a group's administrators see
 * `/community` described with the moderators' subcommands; a private chat offers `/start`, `/help` and
 * `/community`; everyone else in a group sees `/community` alone (`/start` and `/help` are answered in a
 * private chat).
 */
export function commandMenus(table: readonly TableEntry[]): CommandMenu[] {
  const everyone = entryNames(table, (moderatorOnly) => !moderatorOnly);
  const moderators = entryNames(table, (moderatorOnly) => moderatorOnly);
  const member: BotCommand = {
    command: COMMAND_NAME,
    description: fitted(`The community bot: ${everyone.join(', ')}`),
  };
  const moderator: BotCommand = {
    command: COMMAND_NAME,
    description: fitted(`${member.description}. Moderators: ${moderators.join(', ')}`),
  };
  return [
    { scope: { type: 'all_chat_administrators' }, commands: [moderator] },
    { scope: { type: 'all_private_chats' }, commands: [START, HELP, member] },
    { scope: { type: 'default' }, commands: [member] },
  ];
}

/** The table's top-level names having at least one subcommand `wanted` by its moderatorOnly flag. */
function entryNames(table: readonly TableEntry[], wanted: (moderatorOnly: boolean) => boolean): string[] {
  return table
    .filter((entry) =>
      isGroup(entry)
        ? entry.commands.some((command) => wanted(command.moderatorOnly))
        : wanted(entry.moderatorOnly),
    )
    .map((entry) => entry.name);
}

/**
 * A description within Telegram's 256 characters: if the table outgrows it, the last names give way to
 * "and more" (`/community help` lists them all).
 */
function fitted(description: string): string {
  if (description.length <= BOT_COMMAND_DESCRIPTION_LIMIT) return description;
  const more = ', and more';
  const cut = description.lastIndexOf(', ', BOT_COMMAND_DESCRIPTION_LIMIT - more.length);
  if (cut <= 0) return description.slice(0, BOT_COMMAND_DESCRIPTION_LIMIT);
  return `${description.slice(0, cut)}${more}`;
}
