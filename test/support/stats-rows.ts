/**
 * Reading a `/community stats` answer as the member sees it (every platform renders the same table, see
 * shared/core/stats/compute.ts): one window's rows, by label, column by column.
 */

/** The columns of a stats row. */
export type StatsColumns = Readonly<
  Record<'members' | 'messages' | 'replies' | 'reactions' | 'joins', number>
>;

/**
 * The rows of one window (`today`, `7 days`, `30 days`) of a stats answer's text, by their label (a platform,
 * a space, `total`). Markup around the table (Telegram's HTML) is dropped first.
 */
export function statsWindow(text: string, window: string): Record<string, StatsColumns> {
  const lines = text.replace(/<[^>]+>/g, '').split('\n');
  const start = lines.findIndex((line) => line.trim() === window);
  if (start < 0) throw new Error(`no "${window}" window in the stats answer:\n${text}`);
  const rows: Record<string, StatsColumns> = {};
  // The window's rows are indented; the next window's label (or the closing fence) ends them.
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    const cells = line.trim().split(/\s+/);
    const [members, messages, replies, reactions, joins] = cells.slice(-5).map(Number);
    rows[cells.slice(0, -5).join(' ')] = {
      members: members ?? Number.NaN,
      messages: messages ?? Number.NaN,
      replies: replies ?? Number.NaN,
      reactions: reactions ?? Number.NaN,
      joins: joins ?? Number.NaN,
    };
  }
  return rows;
}
