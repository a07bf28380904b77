/**
 * Brings a library file into a community (`npm run content:import`): plan first, against the whole file and
 * the library as stored, then write. A file with any problem writes nothing. Items are matched by their key,
 * so importing the same file again writes nothing, and an edited item is replaced (its counts stay, they are
 * never written by a save). Items the file does not name are left alone.
 */
import { type FileProblem, fileKey, type LibraryEntry, type LibraryFile } from './files.js';
import { itemId } from './ids.js';
import {
  type ContentItem,
  type ContentStatus,
  type ContentStore,
  MAX_TOPICS,
  NO_COUNTS,
  TOPIC_PATTERN,
} from './model.js';
import { type CheckedItem, checkDraft } from './validate.js';

/** What importing one item will do. */
export type ImportStep =
  | { readonly kind: 'add'; readonly key: string; readonly item: ContentItem }
  | {
      readonly kind: 'update';
      readonly key: string;
      readonly item: ContentItem;
      readonly expectedUpdatedAt: string;
    }
  | { readonly kind: 'unchanged'; readonly key: string; readonly item: ContentItem };

/** Everything an import will write, decided before anything is. */
export interface ImportPlan {
  readonly communityId: string;
  /** Declared topics the community does not have yet, in file order. */
  readonly newTopics: readonly string[];
  readonly steps: readonly ImportStep[];
}

export type PlanResult =
  | { readonly ok: true; readonly plan: ImportPlan }
  | { readonly ok: false; readonly problems: readonly FileProblem[] };

/** What an import did (or, for a dry run, would do). */
export interface ImportSummary {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly topicsAdded: number;
  /** Items someone else wrote while the import ran (a concurrent edit, an id taken meanwhile): not written. */
  readonly failed: readonly string[];
}

/** How often a long import says how far it got. */
export const PROGRESS_EVERY = 100;

/** An item id an import gives a key: stable, so a re-import finds it. */
export function importedItemId(communityId: string, key: string): string {
  return itemId(communityId, `import:${key}`);
}

/**
 * Checks every item against the declared topics plus the community's own and matches each key to the stored
 * library: by the key it was imported with, or, for a key an export made from an id (`item-<id>`), that item.
 */
export async function planImport(
  store: Pick<ContentStore, 'meta' | 'items'>,
  communityId: string,
  file: LibraryFile,
  now: Date,
): Promise<PlanResult> {
  const [meta, stored] = await Promise.all([store.meta(communityId), store.items(communityId)]);
  const problems: FileProblem[] = [];
  const newTopics = [...new Set(file.topics)].filter((topic) => !meta.topics.includes(topic));
  for (const topic of newTopics.filter((topic) => !TOPIC_PATTERN.test(topic))) {
    problems.push({
      message: `The topic \`${topic}\` is not a short slug (lower-case letters, digits, \`-\`).`,
    });
  }
  const known = [...meta.topics, ...newTopics];
  if (known.length > MAX_TOPICS) {
    problems.push({ message: `The library would have ${known.length} topics; at most ${MAX_TOPICS}.` });
  }
  const byKey = new Map(stored.flatMap((item) => (item.sourceKey ? [[item.sourceKey, item] as const] : [])));
  const byId = new Map(stored.map((item) => [item.id, item] as const));
  const steps: ImportStep[] = [];
  for (const entry of file.entries) {
    const check = checkDraft(entry.draft, known);
    if (!check.ok) {
      problems.push(...check.problems.map((message) => ({ key: entry.key, line: entry.line, message })));
      continue;
    }
    const step = planItem(communityId, entry, check.item, { byKey, byId }, now);
    if (typeof step === 'string') problems.push({ key: entry.key, line: entry.line, message: step });
    else steps.push(step);
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, plan: { communityId, newTopics, steps } };
}

interface StoredLibrary {
  readonly byKey: ReadonlyMap<string, ContentItem>;
  readonly byId: ReadonlyMap<string, ContentItem>;
}

function planItem(
  communityId: string,
  entry: LibraryEntry,
  checked: CheckedItem,
  stored: StoredLibrary,
  now: Date,
): ImportStep | string {
  const exported = /^item-([0-9a-z]{6})$/.exec(entry.key)?.[1];
  const fromId = exported ? stored.byId.get(exported) : undefined;
  const existing = stored.byKey.get(entry.key) ?? (fromId && !fromId.sourceKey ? fromId : undefined);
  if (existing) {
    const item = withFields(existing, checked, entry.status, now);
    return sameContent(existing, item)
      ? { kind: 'unchanged', key: entry.key, item: existing }
      : { kind: 'update', key: entry.key, item, expectedUpdatedAt: existing.updatedAt };
  }
  const id = importedItemId(communityId, entry.key);
  const taken = stored.byId.get(id);
  if (taken)
    return `The key \`${entry.key}\` gives the id \`${id}\`, which item \`${fileKey(taken)}\` has: rename the key.`;
  const at = now.toISOString();
  const item: ContentItem = {
    communityId,
    id,
    ...checked,
    author: { kind: 'import' },
    status: entry.status,
    sourceKey: entry.key,
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
  };
  return { kind: 'add', key: entry.key, item };
}

/** The stored item with the file's fields; its author, review, key, dates and counts stay. */
function withFields(
  existing: ContentItem,
  checked: CheckedItem,
  status: ContentStatus,
  now: Date,
): ContentItem {
  const { link: _dropped, ...rest } = existing;
  return { ...rest, ...checked, status, updatedAt: now.toISOString() };
}

/** Whether an import would change what members see of the item. */
function sameContent(a: ContentItem, b: ContentItem): boolean {
  return (
    a.title === b.title &&
    a.body === b.body &&
    a.topics.length === b.topics.length &&
    a.topics.every((topic, index) => b.topics[index] === topic) &&
    a.kind === b.kind &&
    a.link === b.link &&
    a.language === b.language &&
    a.promotional === b.promotional &&
    a.status === b.status
  );
}

/** Writes a plan: missing topics first (the items name them), then each item, in file order. */
export async function applyImport(
  store: Pick<ContentStore, 'setTopic' | 'save'>,
  plan: ImportPlan,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportSummary> {
  for (const topic of plan.newTopics) await store.setTopic(plan.communityId, topic, true);
  const failed: string[] = [];
  let added = 0;
  let updated = 0;
  let done = 0;
  for (const step of plan.steps) {
    if (step.kind !== 'unchanged') {
      const mode =
        step.kind === 'add'
          ? ({ kind: 'new' } as const)
          : ({ kind: 'replace', expectedUpdatedAt: step.expectedUpdatedAt } as const);
      // Sequential on purpose: every save bumps the one library version item.
      const outcome = await store.save(step.item, mode);
      if (outcome !== 'written') failed.push(step.key);
      else if (step.kind === 'add') added += 1;
      else updated += 1;
    }
    done += 1;
    if (done % PROGRESS_EVERY === 0 && done < plan.steps.length) onProgress(done, plan.steps.length);
  }
  return { ...countPlan(plan), added, updated, failed };
}

/** What a plan will do, as counts (a dry run prints these). */
export function countPlan(plan: ImportPlan): ImportSummary {
  const count = (kind: ImportStep['kind']) => plan.steps.filter((step) => step.kind === kind).length;
  return {
    added: count('add'),
    updated: count('update'),
    unchanged: count('unchanged'),
    topicsAdded: plan.newTopics.length,
    failed: [],
  };
}

/** `added 12, updated 0, unchanged 3` (and topics and failures when there are any). */
export function summaryLine(summary: ImportSummary): string {
  const parts = [`added ${summary.added}`, `updated ${summary.updated}`, `unchanged ${summary.unchanged}`];
  if (summary.topicsAdded > 0) parts.push(`topics added ${summary.topicsAdded}`);
  if (summary.failed.length > 0)
    parts.push(`not written ${summary.failed.length} (${summary.failed.join(', ')})`);
  return parts.join(', ');
}
