/**
 * Library files, as ops keep them in a repository and bring them in with `npm run content:import`: Markdown
 * with front matter (one block per item, the body after it) or YAML (`{ topics, items }`). Reading a file
 * names every problem with the item's key and line; writing a library gives a file that reads back as the
 * same library. Pure: no I/O, so the CLI, the sandbox and the tests share it.
 */
import { Document, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { CONTENT_STATUSES, type ContentItem, type ContentStatus, DEFAULT_LANGUAGE } from './model.js';
import type { ItemDraft } from './validate.js';

export const LIBRARY_FORMATS = ['markdown', 'yaml'] as const;
export type LibraryFormat = (typeof LIBRARY_FORMATS)[number];

/** One item as a file holds it: its key, where it starts, and its fields as written (checked later). */
export interface LibraryEntry {
  readonly key: string;
  /** 1-based line of the item's first line in the file. */
  readonly line: number;
  readonly draft: ItemDraft;
  readonly status: ContentStatus;
}

/** A whole file: the topics it declares and its items, in file order. */
export interface LibraryFile {
  readonly topics: readonly string[];
  readonly entries: readonly LibraryEntry[];
}

/** Something wrong in a file, named by the item's key and line where there is one. */
export interface FileProblem {
  readonly key?: string;
  readonly line?: number;
  readonly message: string;
}

export type LibraryParse =
  | { readonly ok: true; readonly file: LibraryFile }
  /** `file`: what could be read despite the problems, so every item's own problems are found too. */
  | { readonly ok: false; readonly problems: readonly FileProblem[]; readonly file: LibraryFile };

/** The fields an item may have in a file (anything else is a typo worth saying). */
const ITEM_FIELDS = ['key', 'title', 'body', 'topics', 'kind', 'link', 'language', 'promotional', 'status'];
/** Keys name items in files and commands: no spaces, so they survive any editor and shell. */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
/** The line that opens and closes a Markdown item's front matter. */
const FENCE = '---';
const EMPTY: LibraryFile = { topics: [], entries: [] };

/** The format a file's name says (`.md`, `.markdown`, `.yaml`, `.yml`), or undefined. */
export function formatOfPath(path: string): LibraryFormat | undefined {
  const extension = /\.([A-Za-z]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension === 'md' || extension === 'markdown') return 'markdown';
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  return undefined;
}

/** Reads a `--format` value: `md`/`markdown` or `yaml`/`yml`. */
export function readFormat(text: string): LibraryFormat | undefined {
  return formatOfPath(`file.${text}`);
}

/** Reads a whole file; every problem at once, nothing half-read. */
export function parseLibrary(text: string, format: LibraryFormat): LibraryParse {
  const normalized = text.replace(/\r\n?/g, '\n');
  return format === 'markdown' ? parseMarkdown(normalized) : parseYaml(normalized);
}

/** Writes a library (every item, any status) so that {@link parseLibrary} reads it back as the same library. */
export function writeLibrary(
  library: { readonly topics: readonly string[]; readonly items: readonly ContentItem[] },
  format: LibraryFormat,
): string {
  const items = library.items.map(itemFields);
  if (format === 'yaml') {
    const doc = new Document({ topics: [...library.topics], items });
    return doc.toString({ lineWidth: 0 });
  }
  const blocks: string[] = [];
  if (library.topics.length > 0)
    blocks.push(`${FENCE}\n${frontMatter({ topics: [...library.topics] })}${FENCE}\n`);
  for (const { body, ...fields } of items) {
    blocks.push(`${FENCE}\n${frontMatter(fields)}${FENCE}\n${escapeBody(body)}\n`);
  }
  return blocks.join('\n');
}

/** An item's key in a file: the key it was imported with, else one made from its id. */
export function fileKey(item: ContentItem): string {
  return item.sourceKey ?? `item-${item.id}`;
}

/** An item's fields in file order, defaults left out so a file stays short. */
function itemFields(item: ContentItem): Record<string, unknown> & { body: string } {
  return {
    key: fileKey(item),
    title: item.title,
    topics: [...item.topics],
    kind: item.kind,
    ...(item.link ? { link: item.link } : {}),
    ...(item.language !== DEFAULT_LANGUAGE ? { language: item.language } : {}),
    ...(item.promotional ? { promotional: true } : {}),
    status: item.status,
    body: item.body,
  };
}

function frontMatter(fields: Record<string, unknown>): string {
  const doc = new Document(fields);
  const topics = doc.get('topics', true) as { flow?: boolean } | undefined;
  if (topics) topics.flow = true;
  return doc.toString({ lineWidth: 0 });
}

/**
 * A body line that reads as a fence gets one more backslash in a file (`---` as `\---`), and loses one when
 * read: any body survives the round trip, and hand-written files never need it.
 */
function escapeBody(body: string): string {
  return body.replace(/^(\\*---[ \t]*)$/gm, '\\$1');
}

function unescapeBody(body: string): string {
  return body.replace(/^\\(\\*---[ \t]*)$/gm, '$1');
}

function parseMarkdown(text: string): LibraryParse {
  const lines = text.split('\n');
  const fences = lines.flatMap((line, index) => (line.trimEnd() === FENCE ? [index] : []));
  const problems: FileProblem[] = [];
  const first = fences[0] ?? lines.length;
  if (lines.slice(0, first).some((line) => line.trim())) {
    problems.push({
      line: 1,
      message: `Text before the first \`${FENCE}\`: every item starts with front matter.`,
    });
  }
  if (fences.length % 2 === 1) {
    const open = (fences.at(-1) ?? 0) + 1;
    problems.push({
      line: open,
      message: `The front matter opened on line ${open} has no closing \`${FENCE}\`.`,
    });
  }
  const raws: RawItem[] = [];
  let topics: string[] | undefined;
  for (let pair = 0; pair + 1 < fences.length; pair += 2) {
    const open = fences[pair] ?? 0;
    const close = fences[pair + 1] ?? 0;
    const bodyEnd = fences[pair + 2] ?? lines.length;
    const fields = readMapping(lines.slice(open + 1, close).join('\n'), open + 2, problems);
    const body = unescapeBody(lines.slice(close + 1, bodyEnd).join('\n')).trim();
    if (!fields) continue;
    if (pair === 0 && !('key' in fields) && 'topics' in fields) {
      topics = readTopicList(fields, open + 1, problems);
      const extra = Object.keys(fields).filter((name) => name !== 'topics');
      if (extra.length > 0 || body) {
        problems.push({
          line: open + 1,
          message: 'The topics block holds only `topics: [...]`, no other field or body.',
        });
      }
      continue;
    }
    if ('body' in fields)
      problems.push({
        line: open + 1,
        message: 'In Markdown the body follows the front matter; remove `body:`.',
      });
    raws.push({ fields: { ...fields, body }, line: open + 1 });
  }
  return finish(topics ?? [], raws, problems);
}

function parseYaml(text: string): LibraryParse {
  const problems: FileProblem[] = [];
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0)
    return { ok: false, problems: doc.errors.map((e) => yamlProblem(e, counter, 1)), file: EMPTY };
  const root: unknown = doc.toJS();
  if (!isRecord(root) || !Array.isArray(root.items)) {
    return {
      ok: false,
      file: EMPTY,
      problems: [
        { line: 1, message: 'A YAML library is a mapping with `items:` (a list) and optional `topics:`.' },
      ],
    };
  }
  const extra = Object.keys(root).filter((name) => name !== 'topics' && name !== 'items');
  if (extra.length > 0)
    problems.push({
      line: 1,
      message: `Unknown field ${names(extra)} at the top (fields: \`topics\`, \`items\`).`,
    });
  const topics = 'topics' in root ? readTopicList(root, 1, problems) : [];
  const nodes = (doc.get('items', true) as { items?: { range?: [number, number, number] }[] }).items ?? [];
  const raws: RawItem[] = root.items.map((fields: unknown, index: number) => {
    const offset = nodes[index]?.range?.[0];
    const line = offset === undefined ? 1 : counter.linePos(offset).line;
    return { fields, line };
  });
  return finish(topics, raws, problems);
}

interface RawItem {
  readonly fields: unknown;
  readonly line: number;
}

/** Reads each item's fields and the keys across the file, adding every problem found. */
function finish(topics: readonly string[], raws: readonly RawItem[], problems: FileProblem[]): LibraryParse {
  const entries: LibraryEntry[] = [];
  const seen = new Map<string, number>();
  for (const raw of raws) {
    const entry = readEntry(raw, problems);
    if (!entry) continue;
    const earlier = seen.get(entry.key);
    if (earlier !== undefined) {
      problems.push({
        key: entry.key,
        line: raw.line,
        message: `The key \`${entry.key}\` is used twice (first on line ${earlier}).`,
      });
      continue;
    }
    seen.set(entry.key, raw.line);
    entries.push(entry);
  }
  const file = { topics, entries };
  return problems.length > 0 ? { ok: false, problems, file } : { ok: true, file };
}

function readEntry({ fields, line }: RawItem, problems: FileProblem[]): LibraryEntry | undefined {
  if (!isRecord(fields)) {
    problems.push({ line, message: 'An item is a mapping of fields (`key:`, `title:`, ...).' });
    return undefined;
  }
  const before = problems.length;
  const key = readKey(fields.key, line, problems);
  const at = { ...(key ? { key } : {}), line };
  const unknown = Object.keys(fields).filter((name) => !ITEM_FIELDS.includes(name));
  if (unknown.length > 0)
    problems.push({ ...at, message: `Unknown field ${names(unknown)} (fields: ${names(ITEM_FIELDS)}).` });
  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    problems.push({ ...at, message: `\`${name}\` is text, not ${describe(value)}.` });
    return undefined;
  };
  const topics = fields.topics;
  if (topics !== undefined && topics !== null && typeof topics !== 'string' && !isStringList(topics)) {
    problems.push({ ...at, message: '`topics` is a list of topics or one comma-separated line.' });
  }
  const promotional = fields.promotional ?? false;
  if (typeof promotional !== 'boolean')
    problems.push({ ...at, message: '`promotional` is `true` or `false`.' });
  const status = text('status')?.trim().toLowerCase() ?? 'live';
  if (!(CONTENT_STATUSES as readonly string[]).includes(status)) {
    problems.push({ ...at, message: `Unknown status \`${status}\`: one of ${names(CONTENT_STATUSES)}.` });
  }
  const draft: ItemDraft = {
    title: text('title') ?? '',
    body: text('body') ?? '',
    ...(typeof topics === 'string' || isStringList(topics) ? { topics } : {}),
    ...optional('kind', text('kind')),
    ...optional('link', text('link')),
    ...optional('language', text('language')),
    promotional: promotional === true,
  };
  if (problems.length > before) return undefined;
  return { key, line, draft, status: status as ContentStatus };
}

/** An item's key, trimmed ('' when missing, with the problem added). */
function readKey(raw: unknown, line: number, problems: FileProblem[]): string {
  const key = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  if (!key) {
    const message = 'The item has no `key:` (a name unique in the file, e.g. `welcome-newcomers`).';
    problems.push({ line, message });
  } else if (!KEY_PATTERN.test(key)) {
    const message = `The key \`${key}\` may hold only letters, digits, \`.\`, \`_\`, \`/\` and \`-\` (at most 100).`;
    problems.push({ key, line, message });
  }
  return key;
}

function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: string };
}

/** Parses one front-matter block; a YAML error is reported at its line in the whole file. */
function readMapping(
  text: string,
  firstLine: number,
  problems: FileProblem[],
): Record<string, unknown> | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    problems.push(...doc.errors.map((error) => yamlProblem(error, counter, firstLine)));
    return undefined;
  }
  const fields: unknown = doc.toJS();
  if (isRecord(fields)) return fields;
  problems.push({
    line: firstLine - 1,
    message: 'The front matter is not a mapping of fields (`key: ...`).',
  });
  return undefined;
}

function readTopicList(fields: Record<string, unknown>, line: number, problems: FileProblem[]): string[] {
  const topics = fields.topics;
  if (isStringList(topics)) return topics.map((topic) => topic.trim().toLowerCase());
  if (typeof topics === 'string')
    return topics
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((topic) => topic.toLowerCase());
  problems.push({ line, message: '`topics` is a list of topics, e.g. `topics: [onboarding, events]`.' });
  return [];
}

function yamlProblem(error: YAMLError, counter: LineCounter, firstLine: number): FileProblem {
  const line = firstLine + counter.linePos(error.pos[0]).line - 1;
  return { line, message: `Unreadable YAML: ${error.message}.` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `\`${String(value)}\``;
}

function names(list: readonly string[]): string {
  return list.map((name) => `\`${name}\``).join(', ');
}
