/**
 * The library as a request sees it (shared/core/content/search.ts): minisearch ranking over title (boosted),
 * topics and body, with prefix and fuzzy matching, live items only; `tip`'s order (rating, then shown least,
 * then newest); and the per-instance cache, checked against the library's version.
 */
import { describe, expect, it } from 'vitest';
import {
  type ContentCounts,
  type ContentItem,
  type LibraryMeta,
  NO_COUNTS,
} from '../../shared/core/content/model.js';
import { bestFirst, excerpt, LibraryCache, searchLibrary } from '../../shared/core/content/search.js';

const COMMUNITY = 'c-search';

function item(
  id: string,
  title: string,
  body: string,
  more: {
    topics?: string[];
    status?: ContentItem['status'];
    counts?: Partial<ContentCounts>;
    createdAt?: string;
  } = {},
): ContentItem {
  const at = more.createdAt ?? '2026-11-01T00:00:00.000Z';
  return {
    communityId: COMMUNITY,
    id,
    title,
    body,
    topics: more.topics ?? [],
    kind: 'tip',
    author: { kind: 'import' },
    language: 'en',
    promotional: false,
    status: more.status ?? 'live',
    createdAt: at,
    updatedAt: at,
    counts: { ...NO_COUNTS, ...more.counts },
  };
}

const LIBRARY = [
  item('aaaaa1', 'Moderation basics', 'Set clear rules. Welcome questions kindly and answer within a day.'),
  item('aaaaa2', 'Welcome new members', 'Greet each newcomer by name and point them to the guide.'),
  item('aaaaa3', 'Running an event', 'Pick a date, share the agenda early.', {
    topics: ['welcome', 'events'],
  }),
  item('aaaaa4', 'Welcome bots are noisy', 'Retired advice.', { status: 'retired' }),
  item('aaaaa5', 'Weekly summary', 'Post a short summary of the best threads every Friday.'),
];

const meta = (version: number, topics = ['welcome', 'events']): LibraryMeta => ({
  communityId: COMMUNITY,
  topics,
  version,
});

const NOW = new Date('2026-11-20T10:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

/** A loader that counts its calls and returns `items`. */
function loader(items: ContentItem[]) {
  const calls = { count: 0 };
  return {
    calls,
    load: async () => {
      calls.count += 1;
      return items;
    },
  };
}

describe('searchLibrary', () => {
  it('ranks a title match above a topic match above a body match, live items only', async () => {
    const library = await new LibraryCache().library(meta(1), NOW, loader(LIBRARY).load);

    const ids = (await searchLibrary(library, 'welcome')).map((found) => found.id);

    expect(ids).toEqual(['aaaaa2', 'aaaaa3', 'aaaaa1']);
  });

  it('matches a prefix and a misspelling, and gives at most the limit', async () => {
    const library = await new LibraryCache().library(meta(1), NOW, loader(LIBRARY).load);

    expect((await searchLibrary(library, 'moder')).map((found) => found.id)).toEqual(['aaaaa1']);
    expect((await searchLibrary(library, 'sumary')).map((found) => found.id)).toEqual(['aaaaa5']);
    expect(await searchLibrary(library, 'welcome the a', 2)).toHaveLength(2);
    expect(await searchLibrary(library, 'zebra')).toEqual([]);
  });
});

describe('bestFirst', () => {
  it('orders by rating, then by fewer shown, then newest', () => {
    const good = item('bbbbb1', 'Good', 'x', { counts: { helpful: 40, notForMe: 10, shown: 90 } });
    const poor = item('bbbbb2', 'Poor', 'x', { counts: { helpful: 1, notForMe: 9, shown: 10 } });
    const freshA = item('bbbbb3', 'Fresh A', 'x', {
      counts: { shown: 5 },
      createdAt: '2026-11-02T00:00:00.000Z',
    });
    const freshB = item('bbbbb4', 'Fresh B', 'x', {
      counts: { shown: 5 },
      createdAt: '2026-11-03T00:00:00.000Z',
    });
    const seenMore = item('bbbbb5', 'Seen more', 'x', { counts: { shown: 8 } });

    const order = bestFirst([poor, seenMore, freshA, good, freshB]).map((each) => each.id);

    // good rates 0.67, unjudged items 0.30, poor 0.02.
    expect(order).toEqual(['bbbbb1', 'bbbbb4', 'bbbbb3', 'bbbbb5', 'bbbbb2']);
  });
});

describe('LibraryCache', () => {
  it('reads the items once per version within a minute, again when the version moves', async () => {
    const cache = new LibraryCache();
    const first = loader(LIBRARY);
    const second = loader([...LIBRARY, item('ccccc1', 'Fresh welcome pack', 'New.')]);

    const a = await cache.library(meta(1), NOW, first.load);
    const b = await cache.library(meta(1), later(30_000), first.load);
    const c = await cache.library(meta(2), later(31_000), second.load);

    expect(first.calls.count).toBe(1);
    expect(b).toBe(a);
    expect(second.calls.count).toBe(1);
    expect(a.items.map((each) => each.id)).not.toContain('aaaaa4');
    expect((await searchLibrary(c, 'welcome pack')).map((found) => found.id)[0]).toBe('ccccc1');
  });

  it('reads the items again after a minute for fresh counts, keeping the index of the same version', async () => {
    const cache = new LibraryCache();
    const before = loader(LIBRARY);
    const counted = LIBRARY.map((each) => ({ ...each, counts: { ...each.counts, helpful: 3 } }));
    const after = loader(counted);

    const a = await cache.library(meta(7), NOW, before.load);
    await searchLibrary(a, 'welcome');
    const b = await cache.library(meta(7), later(61_000), after.load);

    expect(after.calls.count).toBe(1);
    expect(b.byId.get('aaaaa2')?.counts.helpful).toBe(3);
    expect(b.search).toBe(a.search);
    expect((await searchLibrary(b, 'welcome'))[0]?.counts.helpful).toBe(3);
  });

  it('keeps each community apart and does not keep a failed read', async () => {
    const cache = new LibraryCache();
    const other = { ...meta(1), communityId: 'c-other' };
    const failing = async (): Promise<ContentItem[]> => {
      throw new Error('read failed');
    };
    const retry = loader(LIBRARY);

    await cache.library(meta(1), NOW, loader(LIBRARY).load);
    await expect(cache.library(other, NOW, failing)).rejects.toThrow('read failed');
    const recovered = await cache.library(other, later(1), retry.load);

    expect(retry.calls.count).toBe(1);
    expect(recovered.communityId).toBe('c-other');
  });
});

describe('excerpt', () => {
  it('gives the first line without markup, cut with an ellipsis', () => {
    expect(excerpt('\n**Bold** start and `code`\nsecond line')).toBe('Bold start and code');
    expect(excerpt('a'.repeat(150), 20)).toBe(`${'a'.repeat(19)}…`);
  });
});
