/**
 * `/community content stats` (moderators): what members did with the library, so moderators see why a
 * channel's pace moved. Per item (the 15 most shown, the rest summed): shown, helpful, not for me, shared,
 * members who reacted or replied to its posts, and the rating; per scheduled channel of this space (its last
 * 90 days of posts): posts, helpful, not for me, shared, reactions, replies, mutes and the pace they set.
 */
import { COMMAND_NAME } from '../command-table.js';
import { answer, type CommandTurn, type Handler, type Outcome } from '../feature.js';
import { type ChannelPost, type ChannelSchedule, type ContentItem, NO_REPEAT_DAYS } from './model.js';
import { ratingOf } from './rating.js';

/** How many items are listed one by one. */
export const STATS_ITEMS_LISTED = 15;
/** How many of a channel's posts are read. */
const POSTS_READ = 100;
const DAY_MS = 24 * 3600 * 1000;

export const statsHandler: Handler<CommandTurn> = { run: contentStats };

async function contentStats(turn: CommandTurn): Promise<Outcome> {
  const space = turn.space;
  if (!space) return answer(`Use \`/${COMMAND_NAME} content stats\` in a space of your community.`);
  const { content } = turn.services.stores;
  const where = turn.event.location.space;
  const since = new Date(turn.now.getTime() - NO_REPEAT_DAYS * DAY_MS);
  const [items, schedules] = await Promise.all([content.items(space.communityId), content.schedules(where)]);
  const channels = await Promise.all(
    schedules.map(async (schedule) => ({
      schedule,
      posts: await content.posts(where, schedule.channelId, since, POSTS_READ),
    })),
  );
  return answer([...itemLines(items), ...channelLines(channels)].join('\n'));
}

function itemLines(all: readonly ContentItem[]): string[] {
  // Drafts are suggestions under review: never shown, nothing to count.
  const items = all.filter((item) => item.status !== 'draft');
  if (items.length === 0) return ['**Items**: none yet.'];
  const sorted = [...items].sort((a, b) => b.counts.shown - a.counts.shown || a.id.localeCompare(b.id));
  const listed = sorted.slice(0, STATS_ITEMS_LISTED);
  const rest = sorted.slice(STATS_ITEMS_LISTED);
  const lines = [`**Items** (${items.length}, most shown first)`, ...listed.map(itemStatsLine)];
  if (rest.length > 0) {
    const shown = rest.reduce((sum, item) => sum + item.counts.shown, 0);
    lines.push(`_and ${rest.length} more items, shown ${shown} times in all_`);
  }
  return lines;
}

/** One item's numbers. */
export function itemStatsLine(item: ContentItem): string {
  const { shown, helpful, notForMe, shared, engaged } = item.counts;
  const retired = item.status === 'retired' ? ' (retired)' : '';
  return (
    `- \`${item.id}\` ${item.title}${retired}: shown ${shown} · helpful ${helpful} · not for me ${notForMe}` +
    ` · shared ${shared} · reacted/replied ${engaged} · rating ${ratingOf(item.counts).toFixed(2)}`
  );
}

function channelLines(
  channels: readonly { readonly schedule: ChannelSchedule; readonly posts: readonly ChannelPost[] }[],
): string[] {
  if (channels.length === 0) {
    return [`**Channels**: none of this space has a schedule (\`/${COMMAND_NAME} schedule set\` in one).`];
  }
  return [
    `**Channels** (last ${NO_REPEAT_DAYS} days)`,
    ...channels.map(({ schedule, posts }) => channelStatsLine(schedule, posts)),
  ];
}

/** One scheduled channel's numbers. */
export function channelStatsLine(schedule: ChannelSchedule, posts: readonly ChannelPost[]): string {
  const sum = (counter: 'helpful' | 'notForMe' | 'shared' | 'reactions' | 'replies' | 'mutes') =>
    posts.reduce((total, post) => total + post[counter], 0);
  return (
    `- \`${schedule.channelId}\`: ${posts.length} posts · helpful ${sum('helpful')} · not for me ` +
    `${sum('notForMe')} · shared ${sum('shared')} · reactions ${sum('reactions')} · replies ${sum('replies')} · ` +
    `mutes ${sum('mutes')} · pace ${describePace(schedule.pace)}`
  );
}

/** A pace in words: `every slot`, `1 in 2 slots`. */
export function describePace(pace: number): string {
  if (pace >= 1) return 'every slot';
  return `1 in ${Math.round(1 / Math.max(pace, Number.EPSILON))} slots`;
}
