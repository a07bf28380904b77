import { describe, expect, it } from 'vitest';
import { isGuildModerator, isModerator } from '../../bots/discord/moderators.js';
import {
  commandInput,
  DM_SPACE_ID,
  otherCommand,
  parseInteraction,
  snowflakeTime,
  splitCustomId,
  toButtonPressed,
  toCommandInvoked,
  toFormSubmitted,
} from '../../bots/discord/parse.js';
import { MalformedRequestError } from '../../shared/core/errors.js';

const APP = '1300000000000000001';

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

describe('isGuildModerator', () => {
  const guild = {
    guildId: '10',
    ownerId: '1',
    roles: [
      { id: '10', permissions: SEND_MESSAGES.toString() },
      { id: '20', permissions: MANAGE_GUILD.toString() },
      { id: '30', permissions: ADMINISTRATOR.toString() },
    ],
  };

  it.each([
    ['the owner, without any role', '1', [], true],
    ['a member with a Manage Server role', '2', ['20'], true],
    ['a member with an Administrator role', '3', ['30'], true],
    ['a member with @everyone only', '4', [], false],
    ['a member naming a role the guild does not have', '5', ['99'], false],
  ])('%s: %s', (_, member, roles, expected) => {
    expect(isGuildModerator(guild, member, roles)).toBe(expected);
  });

  it('counts the @everyone role for everyone', () => {
    const generous = { ...guild, roles: [{ id: '10', permissions: MANAGE_GUILD.toString() }] };

    expect(isGuildModerator(generous, '4', [])).toBe(true);
  });
});

describe('commandInput', () => {
  it('reads the subcommand path and each option by name, with its type', () => {
    const options = [
      {
        name: 'admin',
        type: 2,
        options: [
          {
            name: 'show',
            type: 1,
            options: [
              { name: 'days', type: 4, value: 7 },
              { name: 'who', type: 6, value: '80351110224678912' },
              { name: 'all', type: 5, value: false },
            ],
          },
        ],
      },
    ];

    expect(commandInput(options)).toEqual({
      path: ['admin', 'show'],
      options: { days: 7, who: '80351110224678912', all: false },
    });
    expect(
      commandInput([{ name: 'feedback', type: 1, options: [{ name: 'note', type: 3, value: 'hi' }] }]),
    ).toEqual({
      path: ['feedback'],
      options: { note: 'hi' },
    });
    expect(commandInput([{ name: 'stats', type: 1 }])).toEqual({ path: ['stats'], options: {} });
    expect(commandInput(undefined)).toEqual({ path: [], options: {} });
  });

  it('refuses a fourth level of options before reading it (Discord nests group > subcommand > option)', () => {
    const fourth = { name: 'x', type: 3, value: 'v' };
    const nest = (option: object) => ({ name: 'g', type: 2, options: [option] });

    expect(commandInput([nest(nest(fourth))])).toEqual({ path: ['g', 'g'], options: { x: 'v' } });
    expect(() => commandInput([nest(nest(nest(fourth)))])).toThrow(/nest deeper than 3 levels/);
  });

  it('refuses options that are not a list of named options, values of no option type, two subcommands', () => {
    expect(() => commandInput('stats')).toThrow(/not a list/);
    expect(() => commandInput([null])).toThrow(/named options/);
    expect(() => commandInput([{ name: 'days', type: '4', value: 7 }])).toThrow(/named options/);
    expect(() => commandInput([{ name: 'days', type: 4, value: [7] }])).toThrow(/Option days/);
    expect(() => commandInput([{ name: 'note', type: 3, value: 'x'.repeat(6001) }])).toThrow(/longer/);
    expect(() =>
      commandInput([
        { name: 'a', type: 1 },
        { name: 'b', type: 1 },
      ]),
    ).toThrow(/two subcommands/);
  });

  it('keeps an option named __proto__ as a plain value, not a prototype', () => {
    const { options } = commandInput([{ name: '__proto__', type: 3, value: 'x' }]);

    expect(Object.getPrototypeOf(options)).toBe(Object.prototype);
    expect(Object.entries(options)).toEqual([['__proto__', 'x']]);
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
        token: 'tok',
        channel_id: '2',
        user: { id: '3' },
        data: { component_type: 2, ...data },
      }),
    );

  it('reads the action id and the value a button carries, and ignores other components', () => {
    expect(toButtonPressed(press({ custom_id: 'feedback.read:290926798626357999/abc' }), APP)).toMatchObject({
      actionId: 'feedback.read',
      value: '290926798626357999/abc',
      answer: { applicationId: APP, token: 'tok' },
    });
    expect(toButtonPressed(press({ custom_id: 'click_one' }), APP)).not.toHaveProperty('value');
    expect(toButtonPressed(press({ component_type: 3, custom_id: 'menu' }), APP)).toEqual({
      ignored: 'component type 3: the bot renders buttons only',
    });
  });

  it('refuses a press without a usable custom_id or component_type', () => {
    expect(() => toButtonPressed(press({}), APP)).toThrow(/custom_id/);
    expect(() => toButtonPressed(press({ custom_id: 'x'.repeat(101) }), APP)).toThrow(/custom_id/);
    expect(() => toButtonPressed(press({ component_type: null, custom_id: 'a' }), APP)).toThrow(
      /component_type/,
    );
  });
});

describe('splitCustomId', () => {
  it('splits at the first colon only, so a value may hold colons', () => {
    expect(splitCustomId('a.b:c:d')).toEqual(['a.b', 'c:d']);
    expect(splitCustomId('a.b:')).toEqual(['a.b', '']);
    expect(splitCustomId('a.b')).toEqual(['a.b', undefined]);
  });
});

describe('toFormSubmitted', () => {
  const submit = (data: object) =>
    parseInteraction(
      JSON.stringify({
        id: '1',
        type: 5,
        token: 'tok',
        channel_id: '2',
        guild_id: '4',
        member: { user: { id: '3' } },
        data,
      }),
    );

  it('reads the form id, its context and the text inputs inside labels or action rows', () => {
    const event = toFormSubmitted(
      submit({
        custom_id: 'feedback:ctx',
        components: [
          { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 'note', value: 'hello' } },
          { type: 1, components: [{ type: 4, custom_id: 'title', value: 'older clients' }] },
          { type: 10, id: 3 },
          { type: 18, id: 4, component: { type: 3, custom_id: 'pick', values: ['a'] } },
        ],
      }),
      APP,
    );

    expect(event).toMatchObject({
      kind: 'form_submitted',
      formId: 'feedback',
      context: 'ctx',
      values: { note: 'hello', title: 'older clients' },
      location: { space: { platform: 'discord', id: '4' }, channelId: '2' },
    });
    expect(toFormSubmitted(submit({ custom_id: 'feedback:', components: [] }), APP)).not.toHaveProperty(
      'context',
    );
  });

  it('refuses components that are not a short list, and text inputs without id or value', () => {
    expect(() => toFormSubmitted(submit({ custom_id: 'f', components: 'x' }), APP)).toThrow(/components/);
    expect(() => toFormSubmitted(submit({ custom_id: 'f', components: Array(6).fill({}) }), APP)).toThrow(
      /at most 5/,
    );
    expect(() =>
      toFormSubmitted(
        submit({ custom_id: 'f', components: [{ type: 18, component: { type: 4, value: 1 } }] }),
        APP,
      ),
    ).toThrow(/custom_id or value/);
  });
});

describe('snowflakeTime', () => {
  it("reads the creation time from a snowflake (Discord's documented example id)", () => {
    expect(snowflakeTime('175928847299117063').toISOString()).toBe('2016-04-30T11:18:25.796Z');
  });
});

describe('toCommandInvoked', () => {
  it('places a DM command in the @me space, direct, with the top-level user as member and a way to answer', () => {
    const interaction = parseInteraction(
      JSON.stringify({
        id: '175928847299117063',
        type: 2,
        token: 'interaction-token',
        channel_id: '41771983423143937',
        user: { id: '80351110224678912' },
        data: { name: 'community', options: [{ name: 'help', type: 1 }] },
      }),
    );

    expect(toCommandInvoked(interaction, APP)).toEqual({
      kind: 'command_invoked',
      id: '175928847299117063',
      location: {
        space: { platform: 'discord', id: DM_SPACE_ID },
        channelId: '41771983423143937',
        direct: true,
      },
      member: { platform: 'discord', id: '80351110224678912' },
      occurredAt: new Date('2016-04-30T11:18:25.796Z'),
      input: { path: ['help'], options: {} },
      answer: { applicationId: APP, token: 'interaction-token' },
    });
  });

  it('refuses an interaction without a token: it could never be answered later', () => {
    const interaction = parseInteraction(
      JSON.stringify({ id: '1', type: 2, channel_id: '2', user: { id: '3' }, data: { name: 'community' } }),
    );

    expect(() => toCommandInvoked(interaction, APP)).toThrow(/no token/);
  });

  it('refuses ids that are not id-like before they reach the table', () => {
    const withIds = (ids: object) =>
      parseInteraction(
        JSON.stringify({
          id: '1',
          type: 2,
          token: 'tok',
          channel_id: '2',
          user: { id: '3' },
          data: { name: 'community' },
          ...ids,
        }),
      );

    expect(() => toCommandInvoked(withIds({ user: { id: '' } }), APP)).toThrow(/user id is not a Discord id/);
    expect(() => toCommandInvoked(withIds({ user: { id: 3 } }), APP)).toThrow(/user id is not a Discord id/);
    expect(() => toCommandInvoked(withIds({ channel_id: 'a b' }), APP)).toThrow(
      /channel_id is not a Discord id/,
    );
    expect(() => toCommandInvoked(withIds({ guild_id: 'x'.repeat(65) }), APP)).toThrow(
      /guild_id is not a Discord id/,
    );
  });

  it('refuses an interaction without a channel', () => {
    const interaction = parseInteraction(
      JSON.stringify({ id: '1', type: 2, token: 't', user: { id: '2' }, data: { name: 'community' } }),
    );

    expect(() => toCommandInvoked(interaction, APP)).toThrow(MalformedRequestError);
  });
});
