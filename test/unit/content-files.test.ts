import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatOfPath,
  type LibraryFile,
  type LibraryFormat,
  type LibraryParse,
  parseLibrary,
  readFormat,
  writeLibrary,
} from '../../shared/core/content/files.js';
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';
import { checkDraft } from '../../shared/core/content/validate.js';

const STARTER = readFileSync(new URL('../../infra/content/starter-library.md', import.meta.url), 'utf8');

function parsed(result: LibraryParse): LibraryFile {
  if (!result.ok) throw new Error(`expected a readable file, got ${JSON.stringify(result.problems)}`);
  return result.file;
}

function problems(result: LibraryParse) {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

function item(fields: Partial<ContentItem> & Pick<ContentItem, 'id' | 'title' | 'body'>): ContentItem {
  return {
    communityId: 'c1',
    topics: ['onboarding'],
    kind: 'tip',
    author: { kind: 'moderator', person: 'p1' },
    language: 'en',
    promotional: false,
    status: 'live',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    counts: NO_COUNTS,
    ...fields,
  };
}

describe('the starter library', () => {
  const file = parsed(parseLibrary(STARTER, 'markdown'));

  it('declares its topics and holds 15 items with unique keys', () => {
    expect(file.topics).toEqual(['onboarding', 'moderation', 'events', 'engagement']);
    expect(file.entries).toHaveLength(15);
    expect(new Set(file.entries.map((entry) => entry.key)).size).toBe(15);
  });

  it('passes the library rules, with bodies under 600 characters and one promotional item', () => {
    for (const entry of file.entries) {
      const check = checkDraft(entry.draft, file.topics);
      expect(check.ok ? [] : check.problems, entry.key).toEqual([]);
      expect(String(entry.draft.body).length, entry.key).toBeLessThan(600);
    }
    expect(file.entries.filter((entry) => entry.draft.promotional).map((entry) => entry.key)).toEqual([
      'hosted-offer',
    ]);
  });

  it('uses every declared topic', () => {
    const used = new Set(file.entries.flatMap((entry) => entry.draft.topics as string[]));
    expect([...used].sort()).toEqual(['engagement', 'events', 'moderation', 'onboarding']);
  });
});

describe('parseLibrary, Markdown', () => {
  it('reads front matter, the body up to the next block, defaults and the line of each item', () => {
    const text = [
      '---',
      'key: one',
      'title: First',
      'topics: onboarding, events',
      '---',
      '',
      'Hello **there**.',
      '',
      'Second paragraph.',
      '',
      '---',
      'key: two',
      'title: Second',
      'kind: Expert session',
      'status: draft',
      'promotional: true',
      'language: pt-BR',
      'link: https://example.org/x',
      '---',
      'Body two',
    ].join('\r\n');
    const file = parsed(parseLibrary(text, 'markdown'));
    expect(file.topics).toEqual([]);
    expect(file.entries).toEqual([
      {
        key: 'one',
        line: 1,
        status: 'live',
        draft: {
          title: 'First',
          body: 'Hello **there**.\n\nSecond paragraph.',
          topics: 'onboarding, events',
          promotional: false,
        },
      },
      {
        key: 'two',
        line: 11,
        status: 'draft',
        draft: {
          title: 'Second',
          body: 'Body two',
          kind: 'Expert session',
          link: 'https://example.org/x',
          language: 'pt-BR',
          promotional: true,
        },
      },
    ]);
  });

  it('names every problem with its key and line', () => {
    const text = [
      '---',
      'key: a',
      'title: A',
      'topic: onboarding',
      '---',
      'Body',
      '---',
      'key: a',
      'title: Again',
      '---',
      'Body',
      '---',
      'title: No key',
      'status: published',
      'promotional: yes',
      '---',
      'Body',
    ].join('\n');
    expect(problems(parseLibrary(text, 'markdown'))).toEqual([
      { key: 'a', line: 1, message: expect.stringContaining('Unknown field `topic`') },
      { line: 12, message: expect.stringContaining('no `key:`') },
      { line: 12, message: '`promotional` is `true` or `false`.' },
      { line: 12, message: expect.stringContaining('Unknown status `published`') },
    ]);
  });

  it('names a key used twice with the line of its first use', () => {
    const text = '---\nkey: a\ntitle: A\n---\nBody\n---\nkey: a\ntitle: B\n---\nBody\n';
    const result = parseLibrary(text, 'markdown');
    // What could be read is kept, so the importer checks those items too and says every problem at once.
    expect(result.file.entries.map((entry) => entry.draft.title)).toEqual(['A']);
    expect(problems(result)).toEqual([
      { key: 'a', line: 6, message: 'The key `a` is used twice (first on line 1).' },
    ]);
  });

  it('reports unreadable YAML at its line in the file', () => {
    const text = '---\nkey: a\ntitle: A\n---\nBody\n---\nkey: b\ntitle: [unclosed\n---\nBody\n';
    const [problem, ...rest] = problems(parseLibrary(text, 'markdown'));
    expect(rest).toEqual([]);
    expect(problem?.line).toBe(8);
    expect(problem?.message).toMatch(/^Unreadable YAML: /);
  });

  it('refuses text before the first block and a block left open', () => {
    expect(problems(parseLibrary('Intro\n---\nkey: a\ntitle: A\n', 'markdown'))).toEqual([
      { line: 1, message: 'Text before the first `---`: every item starts with front matter.' },
      { line: 2, message: 'The front matter opened on line 2 has no closing `---`.' },
    ]);
  });

  it('reads a first block of topics alone as the declared topics', () => {
    const text =
      '---\ntopics: [Onboarding, events]\n---\n\n---\nkey: a\ntitle: A\ntopics: [events]\n---\nBody\n';
    const file = parsed(parseLibrary(text, 'markdown'));
    expect(file.topics).toEqual(['onboarding', 'events']);
    expect(file.entries.map((entry) => entry.key)).toEqual(['a']);
  });
});

describe('parseLibrary, YAML', () => {
  it('reads topics and items with each item line', () => {
    const text = [
      'topics: [onboarding]',
      'items:',
      '  - key: one',
      '    title: First',
      '    body: |',
      '      Line one',
      '      Line two',
      '    topics: [onboarding]',
      '  - key: two',
      '    title: Second',
      '    body: Short',
      '    status: retired',
    ].join('\n');
    const file = parsed(parseLibrary(text, 'yaml'));
    expect(file.topics).toEqual(['onboarding']);
    expect(file.entries.map(({ key, line, status }) => ({ key, line, status }))).toEqual([
      { key: 'one', line: 3, status: 'live' },
      { key: 'two', line: 9, status: 'retired' },
    ]);
    expect(file.entries[0]?.draft.body).toBe('Line one\nLine two\n');
  });

  it('reports unreadable YAML with its line, and a file without items', () => {
    const [problem] = problems(parseLibrary('items:\n  - key: a\n    title: A: B\n', 'yaml'));
    expect(problem?.line).toBe(3);
    expect(problems(parseLibrary('- just a list', 'yaml'))).toEqual([
      { line: 1, message: 'A YAML library is a mapping with `items:` (a list) and optional `topics:`.' },
    ]);
  });
});

describe('writeLibrary', () => {
  const items = [
    item({ id: 'aaaaaa', title: 'Plain: with colon', body: 'One **bold** line.', sourceKey: 'plain' }),
    item({
      id: 'bbbbbb',
      title: 'Every field',
      body: 'First\n---\n\\---\nlast `code`',
      topics: ['onboarding', 'events'],
      kind: 'expert-session',
      link: 'https://example.org/',
      language: 'pt-BR',
      promotional: true,
      status: 'draft',
    }),
  ];

  it.each<LibraryFormat>(['markdown', 'yaml'])(
    'writes a %s file that reads back as the same library',
    (format) => {
      const file = parsed(
        parseLibrary(writeLibrary({ topics: ['onboarding', 'events'], items }, format), format),
      );
      expect(file.topics).toEqual(['onboarding', 'events']);
      expect(
        file.entries.map((entry) => {
          const check = checkDraft(entry.draft, file.topics);
          return { key: entry.key, status: entry.status, item: check.ok ? check.item : check.problems };
        }),
      ).toEqual([
        {
          key: 'plain',
          status: 'live',
          item: {
            title: 'Plain: with colon',
            body: 'One **bold** line.',
            topics: ['onboarding'],
            kind: 'tip',
            language: 'en',
            promotional: false,
          },
        },
        {
          key: 'item-bbbbbb',
          status: 'draft',
          item: {
            title: 'Every field',
            body: 'First\n---\n\\---\nlast `code`',
            topics: ['onboarding', 'events'],
            kind: 'expert-session',
            link: 'https://example.org/',
            language: 'pt-BR',
            promotional: true,
          },
        },
      ]);
    },
  );

  it('writes Markdown a person can read: defaults left out, topics on one line', () => {
    expect(writeLibrary({ topics: ['onboarding'], items: items.slice(0, 1) }, 'markdown')).toBe(
      [
        '---',
        'topics: [ onboarding ]',
        '---',
        '',
        '---',
        'key: plain',
        'title: "Plain: with colon"',
        'topics: [ onboarding ]',
        'kind: tip',
        'status: live',
        '---',
        'One **bold** line.',
        '',
      ].join('\n'),
    );
  });
});

describe('formats by name', () => {
  it('tells the format from the extension or the --format value', () => {
    expect(['a.md', 'b.MARKDOWN', 'c.yaml', 'd.yml', 'e.txt'].map(formatOfPath)).toEqual([
      'markdown',
      'markdown',
      'yaml',
      'yaml',
      undefined,
    ]);
    expect(['md', 'yaml', 'json'].map(readFormat)).toEqual(['markdown', 'yaml', undefined]);
  });
});
