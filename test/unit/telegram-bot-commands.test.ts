import { describe, expect, it } from 'vitest';
import { commandMenus } from '../../bots/telegram/bot-commands.js';
import type { TableEntry } from '../../shared/core/command-table.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';

/** Telegram's BotCommand rules (setMyCommands), written out here rather than read from the code. */
const COMMAND = /^[a-z0-9_]{1,32}$/;

const moderatorCommand = (name: string): TableEntry => ({
  name,
  summary: 'A moderator command',
  moderatorOnly: true,
  options: [],
});

describe('commandMenus', () => {
  it("keeps every menu of the bot's own table within Telegram's rules", () => {
    const commands = commandMenus(COMMAND_TABLE).flatMap((menu) => menu.commands);

    for (const command of commands) {
      expect(command.command).toMatch(COMMAND);
      expect(command.description.length).toBeGreaterThan(0);
      expect(command.description.length).toBeLessThanOrEqual(256);
    }
  });

  it('lets the last names give way when the moderators commands outgrow 256 characters', () => {
    const many = Array.from({ length: 40 }, (_, index) => moderatorCommand(`moderation-command-${index}`));
    const table: TableEntry[] = [
      { name: 'help', summary: 'What you can do here', moderatorOnly: false, options: [] },
      ...many,
    ];

    const [administrators] = commandMenus(table);
    const description = administrators?.commands[0]?.description ?? '';

    expect(description.length).toBeLessThanOrEqual(256);
    expect(description).toMatch(/^The community bot: help\. Moderators: moderation-command-0, /);
    expect(description).toMatch(/, and more$/);
  });

  it('lists a group among the moderators commands when any of its subcommands is for moderators', () => {
    const table: TableEntry[] = [
      {
        name: 'mute',
        summary: 'Stop the bot speaking unasked',
        commands: [
          { name: 'me', summary: 'Me', moderatorOnly: false, options: [] },
          { name: 'channel', summary: 'A channel', moderatorOnly: true, options: [] },
        ],
      },
      moderatorCommand('stats'),
    ];

    const descriptions = commandMenus(table).map((menu) => [
      menu.scope.type,
      menu.commands.at(-1)?.description,
    ]);

    expect(descriptions).toEqual([
      ['all_chat_administrators', 'The community bot: mute. Moderators: mute, stats'],
      ['all_private_chats', 'The community bot: mute'],
      ['default', 'The community bot: mute'],
    ]);
  });
});
