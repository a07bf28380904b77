/**
 * The library as a request sees it: the community's live items, kept per warm instance and checked against
 * the library's version on every call (one read), and a minisearch index over title, topics and body,
 * built the first time someone searches that version. A 5,000-item library is read once per version (or
 * once a minute, for fresh counts), not once per `tip`.
 */
import type MiniSearch from 'minisearch';
import type { ContentItem, ContentStore, LibraryMeta } from './model.js';
import { ratingOf } from './rating.js';

/** Counts (ratings) in a warm instance may be this old: the items are read again after it. */
export const COUNTS_MAX_AGE_MS = 60_000;
/** How many results `find` gives. */
export const FIND_LIMIT = 3;

/** One version of a community's library, as loaded. */
export interface Library {
  readonly communityId: string;
  readonly meta: LibraryMeta;
  /** Live items only. */
  readonly items: readonly ContentItem[];
  readonly byId: ReadonlyMap<string, ContentItem>;
  /** When the items were read (ms since the epoch). */
  readonly loadedAt: number;
  /** Shared by every load of one version: the index depends on text, topics and status, never on counts. */
  readonly search: SearchHolder;
}

interface SearchHolder {
  index?: Promise<MiniSearch<ContentItem>>;
}

/**
 * Libraries by community, for one warm instance. A version that moved rebuilds the items and drops the
 * index; the same version older than {@link COUNTS_MAX_AGE_MS} reads the items again (counts moved) and
 * keeps the index.
 */
export class LibraryCache {
  private readonly entries = new Map<string, Promise<Library>>();

  constructor(private readonly maxAgeMs = COUNTS_MAX_AGE_MS) {}

  /** The library for `meta`, loading the items through `load` only when the cached ones will not do. */
  async library(meta: LibraryMeta, now: Date, load: () => Promise<ContentItem[]>): Promise<Library> {
    const { communityId } = meta;
    const cached = this.entries.get(communityId);
    const current = cached ? await cached.catch(() => undefined) : undefined;
    if (
      current &&
      current.meta.version === meta.version &&
      now.getTime() - current.loadedAt < this.maxAgeMs
    ) {
      return current;
    }
    const search = current?.meta.version === meta.version ? current.search : {};
    const loading = load().then((all) => libraryOf(meta, all, now, search));
    this.entries.set(communityId, loading);
    // A failed read is not kept: the next call tries again.
    loading.catch(() => {
      if (this.entries.get(communityId) === loading) this.entries.delete(communityId);
    });
    return loading;
  }
}

function libraryOf(meta: LibraryMeta, all: readonly ContentItem[], now: Date, search: SearchHolder): Library {
  const items = all.filter((item) => item.status === 'live');
  return {
    communityId: meta.communityId,
    meta,
    items,
    byId: new Map(items.map((item) => [item.id, item])),
    loadedAt: now.getTime(),
    search,
  };
}

const instanceCache = new LibraryCache();

/** The community's live library, through this warm instance's cache (one read when nothing moved). */
export async function libraryFor(store: ContentStore, communityId: string, now: Date): Promise<Library> {
  const meta = await store.meta(communityId);
  return instanceCache.library(meta, now, () => store.items(communityId));
}

/**
 * The index of a library's version, built on first use. minisearch is imported here, on the first `find` of
 * an instance, so every other command's cold start never reads it (the bundles split dynamic imports out).
 */
function indexOf(library: Library): Promise<MiniSearch<ContentItem>> {
  if (!library.search.index) {
    const building = buildIndex(library.items);
    library.search.index = building;
    // A failed build is not kept: the next search tries again.
    building.catch(() => {
      if (library.search.index === building) library.search.index = undefined;
    });
  }
  return library.search.index;
}

async function buildIndex(items: readonly ContentItem[]): Promise<MiniSearch<ContentItem>> {
  const { default: MiniSearchIndex } = await import('minisearch');
  const index = new MiniSearchIndex<ContentItem>({
    fields: ['title', 'topics', 'body'],
    storeFields: [],
    extractField: (item, field) => {
      const value = item[field as keyof ContentItem];
      return Array.isArray(value) ? value.join(' ') : value;
    },
  });
  index.addAll([...items]);
  return index;
}

/** The best live matches for `words`, best first, at most `limit`. */
export async function searchLibrary(
  library: Library,
  words: string,
  limit = FIND_LIMIT,
): Promise<ContentItem[]> {
  const hits = (await indexOf(library)).search(words, {
    boost: { title: 2, topics: 1.5 },
    prefix: true,
    fuzzy: 0.2,
  });
  const found: ContentItem[] = [];
  for (const hit of hits) {
    const item = library.byId.get(String(hit.id));
    // The index is per version; counts refreshes keep it, and a version's items never change status.
    if (item) found.push(item);
    if (found.length >= limit) break;
  }
  return found;
}

/** Items best first, for `tip`: highest rating, then shown least, then newest. */
export function bestFirst(items: readonly ContentItem[]): ContentItem[] {
  return items
    .map((item) => ({ item, rating: ratingOf(item.counts) }))
    .sort(
      (a, b) =>
        b.rating - a.rating ||
        a.item.counts.shown - b.item.counts.shown ||
        b.item.createdAt.localeCompare(a.item.createdAt),
    )
    .map(({ item }) => item);
}

/** The body's first line, without markup, cut at `max` characters: what a result list shows. */
export function excerpt(body: string, max = 100): string {
  const line = (body.split('\n').find((each) => each.trim()) ?? '')
    .replace(/\*\*|`|(?<!\w)_|_(?!\w)/g, '')
    .trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
