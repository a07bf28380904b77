/**
 * `/community content list [topic]`: the library at a glance for moderators, one line per item (its id,
 * title, kind, topics and flags), live first, then drafts, then retired ones. A long library is cut to what
 * one chat message holds, with a count of the rest and how to narrow it.
 */
import { answer, type CommandTurn, type Handler, type Outcome } from '../feature.js';
import { commandText, isSpace, librarySpace, quotedList } from './authoring-common.js';
import type { ContentItem, ContentStatus } from './model.js';
import { itemLine } from './render.js';

/** At most this many item lines in one answer. */
export const LIST_MAX_LINES = 40;
/** And at most this many characters (Discord shows 2,000 per message; the headings need some). */
const LIST_MAX_CHARS = 1700;

const GROUPS: readonly { readonly status: ContentStatus; readonly heading: string }[] = [
  { status: 'live', heading: 'Live' },
  { status: 'draft', heading: 'Drafts (not shown to members)' },
  { status: 'retired', heading: 'Retired' },
];

/** The lines of the list, cut to {@link LIST_MAX_LINES} items and the character budget. */
export function listLines(items: readonly ContentItem[]): string[] {
  const lines: string[] = [];
  let shown = 0;
  let chars = 0;
  for (const { status, heading } of GROUPS) {
    const group = items
      .filter((item) => item.status === status)
      .sort((a, b) => a.title.localeCompare(b.title));
    if (group.length === 0) continue;
    const head = `**${heading}: ${group.length}**`;
    for (const [index, item] of group.entries()) {
      const line = itemLine(item);
      const extra = line.length + 1 + (index === 0 ? head.length + 1 : 0);
      if (shown >= LIST_MAX_LINES || chars + extra > LIST_MAX_CHARS) {
        return [...lines, `_…and ${items.length - shown} more._`];
      }
      if (index === 0) lines.push(head);
      lines.push(line);
      shown += 1;
      chars += extra;
    }
  }
  return lines;
}

async function listItems(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content list');
  if (!isSpace(space)) return space;
  const { content } = turn.services.stores;
  const topic = typeof turn.values.topic === 'string' ? turn.values.topic.trim().toLowerCase() : '';
  const [meta, items] = await Promise.all([
    content.meta(space.communityId),
    content.items(space.communityId),
  ]);
  if (topic && !meta.topics.includes(topic)) {
    const known = meta.topics.length > 0 ? `the topics are ${quotedList(meta.topics)}` : 'there are none yet';
    return answer(`\`${topic.slice(0, 40)}\` is not a topic of this library (${known}).`);
  }
  const chosen = topic ? items.filter((item) => item.topics.includes(topic)) : items;
  if (chosen.length === 0) {
    return answer(
      topic
        ? `No item has the topic \`${topic}\` yet.`
        : `The library is empty. Add an item with ${commandText('content add')}.`,
    );
  }
  const lines = listLines(chosen);
  const narrow =
    lines.at(-1)?.startsWith('_…and') && !topic
      ? [`_${commandText('content list <topic>')} narrows it._`]
      : [];
  const title = topic ? `**The library on \`${topic}\`**` : '**The library**';
  return answer(
    [`${title} (${chosen.length} ${chosen.length === 1 ? 'item' : 'items'})`, ...lines, ...narrow].join('\n'),
  );
}

export const listHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'content list': { run: listItems },
};
