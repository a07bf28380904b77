import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { commandRegistrationErrors, commandSize } from '../../bots/discord/sandbox-commands.js';
import { isGroup, type TableEntry } from '../../shared/core/command-table.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';

type Json = Record<string, unknown>;

const sub = (name: string, options: Json[] = []): Json => ({ name, description: 'd', type: 1, options });
const text = (name: string, required = false): Json => ({ name, description: 'd', type: 3, required });
const command = (options: Json[], more: Json = {}): Json => ({
  name: 'community',
  description: 'd',
  type: 1,
  options,
  ...more,
});

describe('commandDefinitions', () => {
  it('registers the real table as /community with a typed subcommand per command', () => {
    const [community] = commandDefinitions();

    expect(community?.name).toBe('community');
    // Every entry of the table, in its order: a command is a subcommand (1), a group a subcommand group (2).
    expect(community?.options?.map(({ name, type }) => [name, type])).toEqual(
      COMMAND_TABLE.map((entry) => [entry.name, isGroup(entry) ? 2 : 1]),
    );
    expect(community?.options?.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['help', 'feedback', 'stats']),
    );
    const feedback = community?.options?.find(({ name }) => name === 'feedback') as unknown as Json;
    expect(feedback.options).toEqual([
      expect.objectContaining({
        name: 'note',
        type: 3,
        required: false,
        description: 'What you want them to know',
      }),
    ]);
  });

  it('maps groups to subcommand groups, and each option type to its Discord type', () => {
    const table: TableEntry[] = [
      {
        name: 'me',
        summary: 'About you',
        commands: [
          {
            name: 'set',
            summary: 'Change a setting',
            moderatorOnly: false,
            options: [
              { name: 'who', type: 'member', summary: 'Someone', required: true },
              { name: 'days', type: 'number', summary: 'How many', required: true },
              { name: 'on', type: 'boolean', summary: 'On or off', required: false },
              { name: 'kind', type: 'choice', summary: 'Which', required: false, choices: ['a', 'b'] },
            ],
          },
        ],
      },
    ];

    const [definition] = commandDefinitions(table);

    expect(definition?.options).toEqual([
      expect.objectContaining({
        name: 'me',
        type: 2,
        options: [
          expect.objectContaining({
            name: 'set',
            type: 1,
            options: [
              expect.objectContaining({ name: 'who', type: 6, required: true }),
              expect.objectContaining({ name: 'days', type: 10, required: true }),
              expect.objectContaining({ name: 'on', type: 5, required: false }),
              expect.objectContaining({
                name: 'kind',
                type: 3,
                choices: [
                  { name: 'a', value: 'a' },
                  { name: 'b', value: 'b' },
                ],
              }),
            ],
          }),
        ],
      }),
    ]);
    expect(commandRegistrationErrors([definition])).toBeUndefined();
  });
});

describe("the fake Discord API's checks of a registration", () => {
  it('accepts the real table, well within the 4000 characters of a command', () => {
    const definitions = commandDefinitions();

    expect(commandRegistrationErrors(definitions)).toBeUndefined();
    expect(commandSize(definitions[0] as unknown as Json)).toBeLessThan(4000);
  });

  const many = (count: number, make: (index: number) => Json) =>
    Array.from({ length: count }, (_, i) => make(i));

  const bad: [string, unknown, (string | number)[], string][] = [
    ['101 commands', many(101, (i) => command([], { name: `c${i}` })), [], 'BASE_TYPE_MAX_LENGTH'],
    [
      'an upper-case name',
      [command([], { name: 'Community' })],
      [0, 'name'],
      'APPLICATION_COMMAND_INVALID_NAME',
    ],
    [
      'a name with a space',
      [command([sub('two words')])],
      [0, 'options', 0, 'name'],
      'APPLICATION_COMMAND_INVALID_NAME',
    ],
    [
      'a name of 33 characters',
      [command([sub('x'.repeat(33))])],
      [0, 'options', 0, 'name'],
      'APPLICATION_COMMAND_INVALID_NAME',
    ],
    ['an empty description', [command([], { description: '' })], [0, 'description'], 'BASE_TYPE_BAD_LENGTH'],
    [
      'a description of 101 characters',
      [command([sub('a')], { description: 'd'.repeat(101) })],
      [0, 'description'],
      'BASE_TYPE_BAD_LENGTH',
    ],
    ['26 subcommands', [command(many(26, (i) => sub(`s${i}`)))], [0, 'options'], 'BASE_TYPE_MAX_LENGTH'],
    [
      '26 options in a subcommand',
      [
        command([
          sub(
            's',
            many(26, (i) => text(`o${i}`)),
          ),
        ]),
      ],
      [0, 'options', 0, 'options'],
      'BASE_TYPE_MAX_LENGTH',
    ],
    [
      'a group holding a value option',
      [command([{ name: 'g', description: 'd', type: 2, options: [text('o')] }])],
      [0, 'options', 0, 'options', 0, 'type'],
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    ],
    [
      'a subcommand holding a subcommand',
      [command([sub('s', [sub('t')])])],
      [0, 'options', 0, 'options', 0, 'type'],
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    ],
    [
      'a group inside a group',
      [
        command([
          {
            name: 'g',
            description: 'd',
            type: 2,
            options: [{ name: 'h', description: 'd', type: 2, options: [] }],
          },
        ]),
      ],
      [0, 'options', 0, 'options', 0, 'type'],
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    ],
    [
      'subcommands beside a value option',
      [command([sub('s'), text('o')])],
      [0, 'options'],
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    ],
    [
      'a required option after an optional one',
      [command([sub('s', [text('a'), text('b', true)])])],
      [0, 'options', 0, 'options', 1, 'required'],
      'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
    ],
    [
      'two options of one name',
      [command([sub('s'), sub('s')])],
      [0, 'options', 1, 'name'],
      'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
    ],
    [
      '26 choices',
      [
        command([
          sub('s', [{ ...text('c'), choices: many(26, (i) => ({ name: `n${i}`, value: `v${i}` })) }]),
        ]),
      ],
      [0, 'options', 0, 'options', 0, 'choices'],
      'BASE_TYPE_MAX_LENGTH',
    ],
    [
      'choices on a boolean',
      [command([sub('s', [{ name: 'b', description: 'd', type: 5, choices: [{ name: 'y', value: 'y' }] }])])],
      [0, 'options', 0, 'options', 0, 'choices'],
      'APPLICATION_COMMAND_OPTION_CHOICES_NOT_ALLOWED',
    ],
    [
      'more than 4000 characters in one command',
      [
        command(
          many(25, (i) =>
            sub(
              `s${i}`,
              many(2, (j) => ({ ...text(`o${j}`), description: 'd'.repeat(90) })),
            ),
          ),
        ),
      ],
      [0],
      'APPLICATION_COMMAND_TOO_LARGE',
    ],
  ];

  it.each(bad)('refuses %s with 400 50035, naming the field', (_, payload, path, code) => {
    const refusal = commandRegistrationErrors(payload) as { code: number; message: string; errors: Json };

    expect(refusal).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
    const node = path.reduce<Json>((at, key) => at[String(key)] as Json, refusal.errors);
    expect(node._errors).toContainEqual(expect.objectContaining({ code }));
  });
});
