/**
 * Checks an item as a person wrote it (a form, a command, an import file) against the library's rules, and
 * says every problem at once in words that name the field: an over-long body, an unknown topic, an unknown
 * kind. Nothing is written unless the whole item passes.
 */
import {
  BODY_MAX_LENGTH,
  CONTENT_KINDS,
  type ContentKind,
  DEFAULT_LANGUAGE,
  LINK_MAX_LENGTH,
  MAX_TOPICS_PER_ITEM,
  TITLE_MAX_LENGTH,
} from './model.js';

/** An item's fields as written: topics as a list or as one comma-separated line. */
export interface ItemDraft {
  readonly title?: string;
  readonly body?: string;
  readonly topics?: readonly string[] | string;
  readonly kind?: string;
  readonly link?: string;
  readonly language?: string;
  readonly promotional?: boolean;
}

/** The fields of a valid item. */
export interface CheckedItem {
  readonly title: string;
  readonly body: string;
  readonly topics: readonly string[];
  readonly kind: ContentKind;
  readonly link?: string;
  readonly language: string;
  readonly promotional: boolean;
}

export type DraftCheck =
  | { readonly ok: true; readonly item: CheckedItem }
  | { readonly ok: false; readonly problems: readonly string[] };

const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
/** What a guided form (Telegram) accepts for "nothing" in an optional field. */
export const SKIP_WORDS: ReadonlySet<string> = new Set(['-', 'none', 'skip']);

/** Reads a kind as people write it: `Expert session`, `expert_session` and `expert-session` are one. */
export function readKind(text: string): ContentKind | undefined {
  const slug = text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  return CONTENT_KINDS.find((kind) => kind === slug);
}

/** Splits `a, b c` into topic slugs as written (lower-cased). */
export function readTopics(topics: readonly string[] | string | undefined): string[] {
  const list = typeof topics === 'string' ? topics.split(/[,\s]+/) : [...(topics ?? [])];
  return [
    ...new Set(
      list.map((topic) => topic.trim().toLowerCase()).filter((topic) => topic && !SKIP_WORDS.has(topic)),
    ),
  ];
}

/** Checks a draft against the community's topic list. */
export function checkDraft(draft: ItemDraft, knownTopics: readonly string[]): DraftCheck {
  const problems: string[] = [];
  const title = (draft.title ?? '').trim();
  const body = (draft.body ?? '').trim();
  if (!title) problems.push('The title is empty.');
  else if (title.length > TITLE_MAX_LENGTH) {
    problems.push(`The title has ${title.length} characters; keep it under ${TITLE_MAX_LENGTH}.`);
  }
  if (!body) problems.push('The body is empty.');
  else if (body.length > BODY_MAX_LENGTH) {
    problems.push(`The body has ${body.length} characters; keep it bite-sized, at most ${BODY_MAX_LENGTH}.`);
  }
  const topics = readTopics(draft.topics);
  const unknown = topics.filter((topic) => !knownTopics.includes(topic));
  if (unknown.length > 0) {
    const known = knownTopics.length > 0 ? knownTopics.map((t) => `\`${t}\``).join(', ') : 'none yet';
    problems.push(
      `Unknown topic ${unknown.map((t) => `\`${t}\``).join(', ')} (topics: ${known}; moderators add one with \`/community topics add <topic>\`).`,
    );
  }
  if (topics.length > MAX_TOPICS_PER_ITEM) problems.push(`At most ${MAX_TOPICS_PER_ITEM} topics per item.`);
  const kind = readKind(draft.kind ?? 'tip');
  if (!kind)
    problems.push(
      `Unknown kind \`${draft.kind}\`: one of ${CONTENT_KINDS.map((k) => `\`${k}\``).join(', ')}.`,
    );
  const link = readLink(draft.link, problems);
  const language = (draft.language ?? DEFAULT_LANGUAGE).trim() || DEFAULT_LANGUAGE;
  if (!LANGUAGE.test(language))
    problems.push(`The language \`${language}\` is not a language tag like \`en\` or \`pt-BR\`.`);
  if (problems.length > 0 || !kind) return { ok: false, problems };
  return {
    ok: true,
    item: {
      title,
      body,
      topics,
      kind,
      ...(link ? { link } : {}),
      language,
      promotional: draft.promotional === true,
    },
  };
}

function readLink(raw: string | undefined, problems: string[]): string | undefined {
  const link = raw?.trim();
  if (!link || SKIP_WORDS.has(link.toLowerCase())) return undefined;
  if (link.length > LINK_MAX_LENGTH) {
    problems.push(`The link has ${link.length} characters; at most ${LINK_MAX_LENGTH}.`);
    return undefined;
  }
  try {
    const url = new URL(link);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
  } catch {
    // Said below.
  }
  problems.push(`The link \`${link.slice(0, 60)}\` is not a web address (https://…).`);
  return undefined;
}

/** Problems as one message: a heading and one line each. */
export function describeProblems(heading: string, problems: readonly string[]): string {
  return [`**${heading}**`, ...problems.map((problem) => `- ${problem}`)].join('\n');
}
