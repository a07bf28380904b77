/**
 * The weekly digest (`/community digest on`): each due subscriber gets, privately, the best items the library
 * gained in the last week (at most {@link DIGEST_ITEMS}), through the outbox under the digest's own cap (one a
 * week, the member's opt-in). A week without new items sends nothing. The message is named by the person and
 * the ISO week, so a run that dies half-way and the next one queue it once.
 */
import type { CoreServices } from '../feature.js';
import { memberAudience } from '../outbox/audience.js';
import { isoWeek } from './cadence.js';
import { digestMessage } from './digest-command.js';
import type { ContentItem, DigestSubscription } from './model.js';
import { ratingOf } from './rating.js';
import type { ContentScheduleDeps } from './scheduler.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
/** Items in one digest. */
export const DIGEST_ITEMS = 5;
/** Subscriptions read per look. */
const DUE_BATCH = 100;

/** The digest's cap: what the member opted into, one a week. */
export const DIGEST_ALLOWANCE = { kind: 'subscribed', topic: 'digest', perWeek: 1 } as const;

/** Queues every due digest; returns how many were queued. Without pseudonyms, digests wait (logged once). */
export async function sendDueDigests(
  deps: ContentScheduleDeps,
  now: Date,
  services: CoreServices | undefined,
): Promise<number> {
  const { content } = deps.stores;
  const due = await content.dueDigests(now, DUE_BATCH);
  if (due.length === 0) return 0;
  if (!services) {
    deps.logger.warn('content digests wait: the worker has no member key', { due: due.length });
    return 0;
  }
  const libraries = new Map<string, Promise<ContentItem[]>>();
  let queued = 0;
  // Each subscription moves on a week before the next look, so the loop ends.
  for (let batch = due; batch.length > 0; batch = await content.dueDigests(now, DUE_BATCH)) {
    for (const subscription of batch) {
      let items = libraries.get(subscription.communityId);
      if (!items) {
        items = content.items(subscription.communityId);
        libraries.set(subscription.communityId, items);
      }
      if (await sendDigest(deps, services, subscription, digestItems(await items, now), now)) queued += 1;
    }
  }
  return queued;
}

/** The best live items created in the week before `now`, best first. */
export function digestItems(items: readonly ContentItem[], now: Date): ContentItem[] {
  const since = now.getTime() - WEEK_MS;
  return items
    .filter((item) => item.status === 'live' && Date.parse(item.createdAt) > since)
    .sort((a, b) => ratingOf(b.counts) - ratingOf(a.counts) || b.createdAt.localeCompare(a.createdAt))
    .slice(0, DIGEST_ITEMS);
}

async function sendDigest(
  deps: ContentScheduleDeps,
  services: CoreServices,
  subscription: DigestSubscription,
  items: readonly ContentItem[],
  now: Date,
): Promise<boolean> {
  const { content } = deps.stores;
  const { communityId, space, member, person } = subscription;
  const audience = await memberAudience(services, communityId, space, member);
  if (!audience) {
    // Opted out since: nothing unasked reaches them, and the subscription is theirs to lose.
    await content.deleteDigest(communityId, person);
    return false;
  }
  if (items.length > 0) {
    await deps.outbox.enqueue(
      {
        key: `content:digest:${person}:${isoWeek(now)}`,
        communityId,
        purpose: 'content_digest',
        audience,
        allowance: DIGEST_ALLOWANCE,
        message: digestMessage(items),
      },
      now,
    );
  }
  await content.saveDigest({ ...subscription, nextAt: nextWeek(subscription.nextAt, now) });
  return items.length > 0;
}

/** A week after `nextAt`, or more weeks when the worker was away: always after `now`. */
function nextWeek(nextAt: string, now: Date): string {
  let next = Date.parse(nextAt) + WEEK_MS;
  while (next <= now.getTime()) next += WEEK_MS;
  return new Date(next).toISOString();
}
