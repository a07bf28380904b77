import { describe, expect, it } from 'vitest';
import { isModerator } from '../../bots/discord/moderators.js';
import {
  commandArgs,
  DM_SPACE_ID,
  otherCommand,
  parseInteraction,
  snowflakeTime,
  toButtonPressed,
  toCommandInvoked,
} from '../../bots/discord/parse.js';
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

  it('says no for a member or permissions of the wrong shape, without reading a huge number', () => {
    expect(isModerator({ member: null })).toBe(false);
    expect(isModerator({ member: 'admin' })).toBe(false);
    expect(isModerator({ member: { permissions: 32 } })).toBe(false);
    expect(isModerator({ member: { permissions: '9'.repeat(41) } })).toBe(false);
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
    expect(commandArgs(undefined)).toEqual([]);
  });

  it('refuses a fourth level of options before reading it (Discord nests group > subcommand > option)', () => {
    const fourth = { name: 'x', type: 3, value: 'v' };
    const nest = (option: object) => ({ name: 'g', type: 2, options: [option] });

    expect(commandArgs([nest(nest(fourth))])).toEqual(['g', 'g', 'v']);
    expect(() => commandArgs([nest(nest(nest(fourth)))])).toThrow(/nest deeper than 3 levels/);
  });

  it('refuses options that are not a list of named options, and values that are no option type', () => {
    expect(() => commandArgs('stats')).toThrow(/not a list/);
    expect(() => commandArgs([null])).toThrow(/named options/);
    expect(() => commandArgs([{ name: 'days', type: '4', value: 7 }])).toThrow(/named options/);
    expect(() => commandArgs([{ name: 'days', type: 4, value: [7] }])).toThrow(/Option days/);
    expect(commandArgs([{ name: 'ok', type: 5, value: false }])).toEqual(['false']);
  });
});

describe('otherCommand', () => {
  const command = (data: object) => parseInteraction(JSON.stringify({ id: '1', type: 2, data }));

  it('lets /community through and names any other command in its reason', () => {
    expect(otherCommand(command({ name: 'community', type: 1 }))).toBeUndefined();
    expect(otherCommand(command({ name: 'community' }))).toBeUndefined();
    expect(otherCommand(command({ name: 'cardsearch', type: 1 }))?.ignored).toBe(
      'Unknown command `/cardsearch`',
    );
  });

  it('ignores user and message context menus, even one named community', () => {
    expect(otherCommand(command({ name: 'community', type: 2 }))?.ignored).toContain('no context menu');
    expect(otherCommand(command({ name: 'Report message', type: 3 }))?.ignored).toContain('no context menu');
  });

  it('does not echo a name Discord could not have registered', () => {
    expect(otherCommand(command({ name: '`x` **y**' }))?.ignored).toBe('Unknown command');
    expect(otherCommand(command({ name: 'x'.repeat(33) }))?.ignored).toBe('Unknown command');
  });

  it('refuses a command without a name or with a command type that is no number', () => {
    expect(() => otherCommand(command({}))).toThrow(MalformedRequestError);
    expect(() => otherCommand(command({ name: 'community', type: '1' }))).toThrow(MalformedRequestError);
  });
});

describe('toButtonPressed', () => {
  const press = (data: object) =>
    parseInteraction(
      JSON.stringify({
        id: '1',
        type: 3,
        channel_id: '2',
        user: { id: '3' },
        data: { component_type: 2, ...data },
      }),
    );

  it('reads a button press and ignores other components', () => {
    expect(toButtonPressed(press({ custom_id: 'vote:1' }))).toMatchObject({ actionId: 'vote:1' });
    expect(toButtonPressed(press({ component_type: 3, custom_id: 'menu' }))).toEqual({
      ignored: 'component type 3: the bot renders buttons only',
    });
  });

  it('refuses a press without a usable custom_id or component_type', () => {
    expect(() => toButtonPressed(press({}))).toThrow(/custom_id/);
    expect(() => toButtonPressed(press({ custom_id: 'x'.repeat(101) }))).toThrow(/custom_id/);
    expect(() => toButtonPressed(press({ component_type: null, custom_id: 'a' }))).toThrow(/component_type/);
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

  it('refuses ids that are not id-like before they reach the table', () => {
    const withIds = (ids: object) =>
      parseInteraction(
        JSON.stringify({
          id: '1',
          type: 2,
          channel_id: '2',
          user: { id: '3' },
          data: { name: 'community' },
          ...ids,
        }),
      );

    expect(() => toCommandInvoked(withIds({ user: { id: '' } }))).toThrow(/user id is not a Discord id/);
    expect(() => toCommandInvoked(withIds({ user: { id: 3 } }))).toThrow(/user id is not a Discord id/);
    expect(() => toCommandInvoked(withIds({ channel_id: 'a b' }))).toThrow(/channel_id is not a Discord id/);
    expect(() => toCommandInvoked(withIds({ guild_id: 'x'.repeat(65) }))).toThrow(
      /guild_id is not a Discord id/,
    );
  });

  it('refuses an interaction without a channel', () => {
    const interaction = parseInteraction(
      JSON.stringify({ id: '1', type: 2, user: { id: '2' }, data: { name: 'community' } }),
    );

    expect(() => toCommandInvoked(interaction)).toThrow(MalformedRequestError);
  });
});
