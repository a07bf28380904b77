import { describe, expect, it } from 'vitest';
import {
  isProblem,
  readCommand,
  readStructured,
  readText,
  tokenize,
} from '../../shared/core/command-grammar.js';
import type { TableEntry } from '../../shared/core/command-table.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';
import { GRAMMAR_CASES } from '../support/grammar-cases.js';

/** A table with every option type and a group, so the grammar is tested beyond today's commands. */
const TABLE: readonly TableEntry[] = [
  {
    name: 'mute',
    summary: 'Mute a member',
    moderatorOnly: true,
    options: [
      { name: 'member', type: 'member', summary: 'Who', required: true },
      { name: 'hours', type: 'number', summary: 'How long', required: false },
      { name: 'notify', type: 'boolean', summary: 'Tell them', required: false },
    ],
  },
  {
    name: 'me',
    summary: 'Your data',
    bare: 'show',
    commands: [
      { name: 'show', summary: 'What is kept', moderatorOnly: false, options: [] },
      {
        name: 'optout',
        summary: 'Stop recording',
        moderatorOnly: false,
        options: [
          {
            name: 'scope',
            type: 'choice',
            summary: 'Where',
            required: true,
            choices: ['here', 'everywhere'],
          },
        ],
      },
    ],
  },
  {
    name: 'note',
    summary: 'A note',
    moderatorOnly: false,
    options: [{ name: 'text', type: 'text', summary: 'The note', required: true, rest: true }],
  },
];

describe('command grammar on the real table', () => {
  it.each(GRAMMAR_CASES)('reads "$text"', ({ text, path, values, problem }) => {
    const result = readText(COMMAND_TABLE, text, 'slack');
    if (problem) {
      expect(isProblem(result) && result.problem).toContain(problem);
      return;
    }
    expect(isProblem(result)).toBe(false);
    if (isProblem(result)) return;
    expect(result.command.path).toBe(path);
    expect(result.values).toEqual(values);
  });
});

describe('command grammar: option types', () => {
  it('reads a Slack mention, a number and a yes/no', () => {
    const result = readText(TABLE, 'mute <@U024BE7LH|ana> 2.5 yes', 'slack');
    expect(result).toMatchObject({
      command: { path: 'mute' },
      values: { member: { platform: 'slack', id: 'U024BE7LH' }, hours: 2.5, notify: true },
    });
  });

  it.each([
    ['mute ana', '`member` must be a member picked from the list'],
    ['mute <@U1> soon', '`hours` must be a number'],
    ['mute <@U1> 1 maybe', '`notify` must be yes or no'],
    ['mute', 'needs `member`'],
    ['me optout nowhere', '`scope` must be one of `here`, `everywhere`'],
    ['me frobnicate', '`/community me` has no `frobnicate`'],
    ['note', 'needs `text`'],
  ])('refuses "%s"', (text, problem) => {
    const result = readText(TABLE, text, 'telegram');
    expect(isProblem(result) && result.problem).toContain(problem);
  });

  it('tells a member how to name a member when a typed @username cannot be looked up', () => {
    const result = readText(TABLE, 'mute @ana', 'telegram');
    expect(isProblem(result) && result.problem).toBe(
      '`member` must be a member picked from the list that opens as you type @ (a typed name cannot be looked up); `@ana` is not one.',
    );
  });

  it('runs a group alone as its bare subcommand on text platforms', () => {
    expect(readText(TABLE, 'me', 'telegram')).toMatchObject({ command: { path: 'me show' }, values: {} });
    expect(readText(TABLE, 'ME SHOW', 'telegram')).toMatchObject({ command: { path: 'me show' } });
  });

  it('reads a choice case-insensitively and keeps the declared spelling', () => {
    expect(readText(TABLE, 'me optout Everywhere', 'slack')).toMatchObject({
      values: { scope: 'everywhere' },
    });
  });

  it('keeps the rest of the line, quotes and spacing as typed', () => {
    expect(readText(TABLE, 'note  say "hi"  twice', 'slack')).toMatchObject({
      values: { text: 'say "hi"  twice' },
    });
  });

  it('reads Discord-structured options with the same rules', () => {
    expect(
      readStructured(TABLE, ['mute'], { member: '80351110224678912', hours: 3 }, 'discord'),
    ).toMatchObject({
      values: { member: { platform: 'discord', id: '80351110224678912' }, hours: 3 },
    });
    const group = readCommand(TABLE, { path: ['me'], options: {} }, 'discord');
    // Discord cannot invoke a group alone: there is no bare subcommand on structured input.
    expect(isProblem(group) && group.problem).toContain('needs one more word');
    const unknownOption = readStructured(TABLE, ['me', 'show'], { colour: 'red' }, 'discord');
    expect(isProblem(unknownOption) && unknownOption.problem).toContain('has no option `colour`');
  });

  it('groups quoted words, straight or curly', () => {
    expect(tokenize('a "b c" “d e” f').map((token) => token.value)).toEqual(['a', 'b c', 'd e', 'f']);
  });
});
