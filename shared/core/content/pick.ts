/**
 * Which item a channel's slot posts. Pure: the library's items and the channel's recent posts in, one item
 * (and the topic it was picked for) out, or nothing when every eligible item was posted here lately.
 *
 * Eligible: live, in the schedule's topics, not posted in this channel within {@link NO_REPEAT_DAYS}, and not
 * promotional when one of the channel's last {@link PROMOTIONAL_ONE_IN}` - 1` posts was (so at most 1 in any
 * {@link PROMOTIONAL_ONE_IN}). Topics take turns: the next topic of the schedule's list after the last post's
 * that has an eligible item, or without a list, the topic posted least recently. Within the topic the
 * highest rated item wins (ties: shown fewer times, then the older one).
 */
import { type ChannelPost, type ContentItem, NO_REPEAT_DAYS, PROMOTIONAL_ONE_IN } from './model.js';
import { ratingOf } from './rating.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The topic of an item without topics, when the schedule takes every topic. */
const NO_TOPIC = '';

/** A slot's choice. */
export interface Pick {
  readonly item: ContentItem;
  /** The topic it was picked for: first in the post's topics, so the next slot rotates from it. */
  readonly topic: string;
}

/**
 * The item for a slot at `now`. `posts`: the channel's posts of the last {@link NO_REPEAT_DAYS} days or more,
 * newest first. `topics`: the schedule's topics in rotation order (empty: every topic).
 */
export function pickItem(
  items: readonly ContentItem[],
  posts: readonly ChannelPost[],
  topics: readonly string[],
  now: Date,
): Pick | undefined {
  const eligible = eligibleItems(items, posts, topics, now);
  if (eligible.length === 0) return undefined;
  for (const topic of topicOrder(eligible, posts, topics)) {
    const within = eligible.filter((item) => topicsOf(item).includes(topic));
    const best = [...within].sort(byMerit)[0];
    if (best) return { item: best, topic };
  }
  return undefined;
}

function eligibleItems(
  items: readonly ContentItem[],
  posts: readonly ChannelPost[],
  topics: readonly string[],
  now: Date,
): ContentItem[] {
  const since = now.getTime() - NO_REPEAT_DAYS * DAY_MS;
  const recent = new Set(posts.filter((post) => Date.parse(post.slotAt) > since).map((post) => post.itemId));
  const promotedLately = posts.slice(0, PROMOTIONAL_ONE_IN - 1).some((post) => post.promotional);
  return items.filter(
    (item) =>
      item.status === 'live' &&
      !recent.has(item.id) &&
      !(item.promotional && promotedLately) &&
      (topics.length === 0 || item.topics.some((topic) => topics.includes(topic))),
  );
}

/** The topics to try, in turn. */
function topicOrder(
  eligible: readonly ContentItem[],
  posts: readonly ChannelPost[],
  topics: readonly string[],
): string[] {
  const lastTopic = posts[0]?.topics[0];
  if (topics.length > 0) {
    const start = lastTopic === undefined ? 0 : topics.indexOf(lastTopic) + 1;
    return topics.map((_, index) => topics[(start + index) % topics.length] as string);
  }
  // Every topic: the one posted least recently first (never posted: first of all), then by name.
  const lastPosted = new Map<string, number>();
  for (const post of posts) {
    const topic = post.topics[0] ?? NO_TOPIC;
    if (!lastPosted.has(topic)) lastPosted.set(topic, Date.parse(post.slotAt));
  }
  const candidates = [...new Set(eligible.flatMap(topicsOf))];
  return candidates.sort(
    (a, b) =>
      (lastPosted.get(a) ?? Number.NEGATIVE_INFINITY) - (lastPosted.get(b) ?? Number.NEGATIVE_INFINITY) ||
      a.localeCompare(b),
  );
}

function topicsOf(item: ContentItem): readonly string[] {
  return item.topics.length > 0 ? item.topics : [NO_TOPIC];
}

/** Higher rating first; then shown fewer times; then the older item; then by id (a stable order). */
function byMerit(a: ContentItem, b: ContentItem): number {
  return (
    ratingOf(b.counts) - ratingOf(a.counts) ||
    a.counts.shown - b.counts.shown ||
    a.createdAt.localeCompare(b.createdAt) ||
    a.id.localeCompare(b.id)
  );
}
