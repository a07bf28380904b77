import type { DayTotals, EngagementStore } from '../engagement.js';
import { PLATFORMS, type Platform, type Space } from '../events.js';
import { lastDays } from '../time.js';

/** The windows `/community stats` reports, in UTC days ending today. */
export const STATS_WINDOWS = [
  { label: 'today', days: 1 },
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
] as const;

export type WindowLabel = (typeof STATS_WINDOWS)[number]['label'];

export interface Totals {
  readonly members: number;
  readonly messages: number;
  readonly replies: number;
  readonly reactions: number;
  readonly joins: number;
}

export interface WindowStats {
  readonly label: WindowLabel;
  /** Only the platforms of the spaces asked about. */
  readonly perPlatform: Readonly<Partial<Record<Platform, Totals>>>;
  /** One entry per space asked about, in the order given. */
  readonly perSpace: readonly { readonly label: string; readonly totals: Totals }[];
  readonly total: Totals;
}

/** A space whose numbers are asked for: its current id and the ids its history was recorded under. */
export interface StatsSpace extends Space {
  /** Earlier ids of the same space (a migrated Telegram group). */
  readonly formerIds: readonly string[];
  readonly label: string;
}

export interface CommunityStats {
  /** The last UTC day included. */
  readonly through: string;
  readonly windows: readonly WindowStats[];
}

const LONGEST = Math.max(...STATS_WINDOWS.map((window) => window.days));

/**
 * Engagement totals of the given spaces for today, 7 and 30 days, per platform and in total. Each space is
 * read from its own keys only. Members are counted once per window even when seen on many days; in the
 * total a member counts once per platform identity.
 */
export async function computeStats(
  store: Pick<EngagementStore, 'dayTotals'>,
  spaces: readonly StatsSpace[],
  now: Date,
): Promise<CommunityStats> {
  const days = lastDays(now, LONGEST);
  // A space's history may sit under several ids (a migrated group): each id's own keys are read.
  const perSpaceDays = await Promise.all(
    spaces.map(async (space) => {
      const ids = [space.id, ...space.formerIds];
      const perId = await Promise.all(ids.map((id) => store.dayTotals({ ...space, id }, days, now)));
      return perId.flat();
    }),
  );
  const platforms = PLATFORMS.filter((platform) => spaces.some((space) => space.platform === platform));
  const windows = STATS_WINDOWS.map(({ label, days: length }) => {
    const slices = perSpaceDays.map((totals) =>
      totals.filter((day) => days.indexOf(day.day) >= days.length - length),
    );
    const perPlatform = Object.fromEntries(
      platforms.map((platform) => [
        platform,
        sumDays(slices.flat().filter((day) => day.platform === platform)),
      ]),
    ) as Partial<Record<Platform, Totals>>;
    const perSpace = spaces.map((space, index) => ({
      label: space.label,
      totals: sumDays(slices[index] ?? []),
    }));
    return { label, perPlatform, perSpace, total: sumDays(slices.flat()) };
  });
  return { through: days[days.length - 1] ?? '', windows };
}

function sumDays(days: readonly DayTotals[]): Totals {
  const members = new Set<string>();
  let messages = 0;
  let replies = 0;
  let reactions = 0;
  let joins = 0;
  for (const day of days) {
    messages += day.messages;
    replies += day.replies;
    reactions += day.reactions;
    joins += day.joins;
    for (const member of day.members) members.add(`${day.platform}:${member}`);
  }
  return { members: members.size, messages, replies, reactions, joins };
}

const COLUMNS = ['members', 'messages', 'replies', 'reactions', 'joins'] as const;

/** Renders stats as a monospaced table in light format (see light-format.ts). */
export function formatStats(stats: CommunityStats): string {
  const header = ['', ...COLUMNS];
  const rows: string[][] = [];
  for (const window of stats.windows) {
    rows.push([window.label]);
    // Per space only when there is more than one: a space moderator's own stats stay one line per platform.
    if (window.perSpace.length > 1) {
      for (const space of window.perSpace) rows.push([`  ${space.label}`, ...cells(space.totals)]);
    }
    for (const platform of PLATFORMS) {
      const totals = window.perPlatform[platform];
      if (totals) rows.push([`  ${platform}`, ...cells(totals)]);
    }
    rows.push(['  total', ...cells(window.total)]);
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const table = [line(header), ...rows.map(line)].join('\n');
  return `**Community stats** (UTC days, through ${stats.through})\n\`\`\`\n${table}\n\`\`\``;
}

function cells(totals: Totals): string[] {
  return COLUMNS.map((column) => String(totals[column]));
}
