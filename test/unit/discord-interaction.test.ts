import { describe, expect, it } from 'vitest';
import {
  commandArgs,
  DM_SPACE_ID,
  parseInteraction,
  snowflakeTime,
  toCommandInvoked,
} from '../../bots/discord/app.js';
import { isModerator } from '../../bots/discord/moderators.js';
import { MalformedRequestError } from '../../shared/core/errors.js';

const ADMINISTRATOR = 1n << 3n;
const MANAGE_GUILD = 1n << 5n;
const SEND_MESSAGES = 1n << 11n;

describe('isModerator', () => {
  it.each([
    ['Manage Server', MANAGE_GUILD | SEND_MESSAGES, true],
    ['Administrator', ADMINISTRATOR, true],
    ['Send Messages only', SEND_MESSAGES, false],
    ['a permission above 2^53', (1n << 60n) | SEND_MESSAGES, false],
    ['Manage Server next to a permission above 2^53', (1n << 60n) | MANAGE_GUILD, true],
  ])('with %s: %s', (_, permissions, expected) => {
    expect(isModerator({ member: { permissions: permissions.toString() } })).toBe(expected);
  });

  it('says no in a DM (no member) and for a permissions value that is not a bitfield', () => {
    expect(isModerator({})).toBe(false);
    expect(isModerator({ member: { permissions: '0x20' } })).toBe(false);
  });
});

describe('commandArgs', () => {
  it('turns the subcommand path and option values into the text after the command', () => {
    const options = [
      {
        name: 'admin',
        type: 2,
        options: [{ name: 'show', type: 1, options: [{ name: 'days', type: 4, value: 7 }] }],
      },
    ];

    expect(commandArgs(options)).toEqual(['admin', 'show', '7']);
    expect(commandArgs([{ name: 'stats', type: 1 }])).toEqual(['stats']);
    expect(commandArgs([])).toEqual([]);
  });
});

describe('snowflakeTime', () => {
  it("reads the creation time from a snowflake (Discord's documented example id)", () => {
    expect(snowflakeTime('175928847299117063').toISOString()).toBe('2016-04-30T11:18:25.796Z');
  });
});

describe('toCommandInvoked', () => {
  it('places a DM command in the @me space with the top-level user as member', () => {
    const interaction = parseInteraction(
      JSON.stringify({
        id: '175928847299117063',
        type: 2,
        channel_id: '41771983423143937',
        user: { id: '80351110224678912' },
        data: { name: 'community', options: [{ name: 'help', type: 1 }] },
      }),
    );

    expect(toCommandInvoked(interaction)).toEqual({
      kind: 'command_invoked',
      id: '175928847299117063',
      location: { space: { platform: 'discord', id: DM_SPACE_ID }, channelId: '41771983423143937' },
      member: { platform: 'discord', id: '80351110224678912' },
      occurredAt: new Date('2016-04-30T11:18:25.796Z'),
      args: 'help',
    });
  });

  it('refuses an interaction without a channel', () => {
    const interaction = parseInteraction(
      JSON.stringify({ id: '1', type: 2, user: { id: '2' }, data: { name: 'community' } }),
    );

    expect(() => toCommandInvoked(interaction)).toThrow(MalformedRequestError);
  });
});
