/**
 * Scheduled posting: runs before each outbox worker run and turns every due channel slot into an outbox
 * message (the worker then sends it within the channel's budget, outside quiet hours, at the platform's pace).
 *
 * A slot adds the channel's pace to its credit and posts when the credit reaches 1 (pace.ts); a posting slot
 * first settles the feedback of the channel's recent posts and lets the pace listen to it, then picks an item
 * (pick.ts). Crash and concurrency safety come from the slot: the post record and the outbox message are both
 * named by the channel and the slot, and written before the schedule moves on. A run that dies half-way
 * leaves the slot due, and the next run re-finds the post (`addPost` returns the stored one) and the message
 * (`enqueue` stores a key once), so a slot is neither lost nor posted twice; two runs at once converge the
 * same way. A slot missed by more than a day is skipped, never posted late.
 */
import { spaceKey } from '../communities/model.js';
import type { CoreLogger, CoreServices, CoreStores } from '../feature.js';
import { MODERATOR_NOTES } from '../feedback/feedback.js';
import type { Pseudonyms } from '../members/pseudonyms.js';
import { memberAudience } from '../outbox/audience.js';
import type { AttentionSettings, Outbox } from '../outbox/model.js';
import { outboxId } from '../outbox/outbox.js';
import { utcDay } from '../time.js';
import { isoWeek, nextSlot } from './cadence.js';
import { sendDueDigests } from './digest-send.js';
import { postId } from './ids.js';
import type { ChannelPost, ChannelSchedule, ContentItem } from './model.js';
import { NO_REPEAT_DAYS, PACE_WINDOW_POSTS } from './model.js';
import { creditSlot, nextPace } from './pace.js';
import { pickItem } from './pick.js';
import { postedItem } from './render.js';
import { channelWords } from './schedule-commands.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** A post held longer than this after its slot (quiet hours, a paused community) is dropped, not stacked. */
export const POST_EXPIRES_MS = 20 * HOUR_MS;
/** A slot this late is skipped: yesterday's post is no use today. */
export const MISSED_SLOT_MS = DAY_MS;
/** Schedules handled at once: the bench posts to 1,000 channels in one run. */
export const SCHEDULE_CONCURRENCY = 16;
/**
 * Slots this close are prepared now: the item is picked and the post queued with the slot as its `notBefore`,
 * so at the slot the worker only sends (1,000 channels' posts are ready when their minute comes, instead of
 * being picked one by one while the platforms wait).
 */
export const LOOKAHEAD_MS = 10 * 60 * 1000;
/** Schedules read per look. */
const DUE_BATCH = 100;
/** Moderators hear that a channel's library ran dry at most this often. */
const STARVED_NOTICE_MS = 7 * DAY_MS;

export interface ContentScheduleDeps {
  readonly stores: CoreStores;
  readonly outbox: Outbox;
  readonly logger: CoreLogger;
  /**
   * Platform ids to opaque ids, for private messages (digests, moderators' notices). Without it (a worker
   * deployed without the member key) channel posts still go; digests and notices wait, with a warning.
   */
  readonly pseudonyms?: () => Promise<Pseudonyms>;
}

/** What one run did. */
export interface ContentScheduleReport {
  /** Slots that queued a post (or found theirs queued by an earlier run). */
  posted: number;
  /** Slots the pace let pass. */
  paced: number;
  /** Slots with nothing eligible to post. */
  starved: number;
  /** Slots more than a day late, skipped. */
  missed: number;
  /** Schedules that failed (logged; due again next run). */
  failed: number;
  /** Digests queued. */
  digests: number;
}

type SlotOutcome = 'posted' | 'paced' | 'starved' | 'missed';

/** Handles every due slot and digest at `now`. */
export async function runContentSchedule(
  deps: ContentScheduleDeps,
  now: Date,
): Promise<ContentScheduleReport> {
  const run = new ScheduleRun(deps, now);
  const report: ContentScheduleReport = { posted: 0, paced: 0, starved: 0, missed: 0, failed: 0, digests: 0 };
  const seen = new Set<string>();
  for (;;) {
    const horizon = new Date(now.getTime() + LOOKAHEAD_MS);
    const due = (await deps.stores.content.dueSchedules(horizon, DUE_BATCH)).filter(
      (schedule) => !seen.has(scheduleKey(schedule)),
    );
    // A schedule that failed stays due: it is tried again by the next run, not in a loop by this one.
    if (due.length === 0) break;
    for (const schedule of due) seen.add(scheduleKey(schedule));
    await forEachLimit(due, SCHEDULE_CONCURRENCY, async (schedule) => {
      try {
        report[await run.slot(schedule)] += 1;
      } catch (error) {
        report.failed += 1;
        deps.logger.error('content slot failed', { channel: scheduleKey(schedule), error });
      }
    });
  }
  report.digests = await sendDueDigests(deps, now, run.services());
  return report;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

function scheduleKey(schedule: Pick<ChannelSchedule, 'space' | 'channelId'>): string {
  return `${spaceKey(schedule.space)}:${schedule.channelId}`;
}

/** The outbox key of a slot's post: the same for every run that handles the slot. */
export function postKey(schedule: Pick<ChannelSchedule, 'space' | 'channelId'>, slotAt: string): string {
  return `content:post:${schedule.space.platform}:${schedule.space.id}:${schedule.channelId}:${slotAt}`;
}

/** One run's reads, shared by its schedules (settings and libraries are read once per community). */
class ScheduleRun {
  private readonly settingsCache = new Map<string, Promise<AttentionSettings>>();
  private readonly itemsCache = new Map<string, Promise<ContentItem[]>>();

  constructor(
    private readonly deps: ContentScheduleDeps,
    private readonly now: Date,
  ) {}

  settings(communityId: string): Promise<AttentionSettings> {
    return cached(this.settingsCache, communityId, () => this.deps.stores.attention.settings(communityId));
  }

  items(communityId: string): Promise<ContentItem[]> {
    return cached(this.itemsCache, communityId, () => this.deps.stores.content.items(communityId));
  }

  /** What memberAudience reads (the stores and the pseudonyms), when the pseudonyms are known. */
  services(): CoreServices | undefined {
    const { pseudonyms, stores } = this.deps;
    // memberAudience reads only these two services; the rest of CoreServices is a request's, not a run's.
    return pseudonyms
      ? ({ stores, pseudonyms } as Pick<CoreServices, 'stores' | 'pseudonyms'> as CoreServices)
      : undefined;
  }

  async slot(schedule: ChannelSchedule): Promise<SlotOutcome> {
    const { content } = this.deps.stores;
    const { timeZone } = await this.settings(schedule.communityId);
    const slotAt = schedule.nextAt;
    const next = (after: number) => nextSlot(schedule.days, schedule.time, timeZone, new Date(after));
    // A slot prepared ahead (LOOKAHEAD_MS) moves on to the one after it, not to the next after now.
    const moved = {
      ...schedule,
      nextAt: next(Math.max(this.now.getTime(), Date.parse(slotAt))).toISOString(),
    };
    if (this.now.getTime() - Date.parse(slotAt) > MISSED_SLOT_MS) {
      // The worker was away: the latest slot still in time (within a day) is due next, not the week's next.
      await content.saveSchedule({
        ...schedule,
        nextAt: next(this.now.getTime() - MISSED_SLOT_MS).toISOString(),
      });
      return 'missed';
    }
    const { posts, credit } = creditSlot(schedule.pace, schedule.credit);
    if (!posts) {
      await content.saveSchedule({ ...moved, credit });
      return 'paced';
    }
    return this.postingSlot(schedule, moved, credit);
  }

  /** A slot the pace lets post: feedback settles, the pace listens, and the slot's item is posted. */
  private async postingSlot(
    schedule: ChannelSchedule,
    moved: ChannelSchedule,
    credit: number,
  ): Promise<SlotOutcome> {
    const slotAt = schedule.nextAt;
    const history = await this.history(schedule);
    // A run that died after storing this slot's post: the same item again, not a second pick.
    const already = history.find((post) => post.slotAt === slotAt);
    const before = history.filter((post) => post !== already);
    const pace = nextPace(schedule, before);
    if (pace.change)
      this.deps.logger.info('content pace changed', { channel: scheduleKey(schedule), ...pace });
    const item = already && (await this.itemOf(schedule, already.itemId));
    const picked = item ? { item, topic: already.topics[0] ?? '' } : await this.pick(schedule, before);
    if (!picked) {
      await this.starved({ ...moved, credit, starvedSlots: schedule.starvedSlots + 1 });
      return 'starved';
    }
    await this.post(schedule, slotAt, picked.item, picked.topic);
    const { pace: newPace, postsSincePaceChange } = pace;
    await this.deps.stores.content.saveSchedule({ ...moved, credit, pace: newPace, postsSincePaceChange });
    return 'posted';
  }

  private async pick(schedule: ChannelSchedule, before: readonly ChannelPost[]) {
    return pickItem(await this.items(schedule.communityId), before, schedule.topics, this.now);
  }

  private async itemOf(schedule: ChannelSchedule, itemId: string): Promise<ContentItem | undefined> {
    const items = await this.items(schedule.communityId);
    return (
      items.find((item) => item.id === itemId) ?? this.deps.stores.content.get(schedule.communityId, itemId)
    );
  }

  /** The channel's posts of the last 90 days, newest first, the recent ones' reactions settled. */
  private async history(schedule: ChannelSchedule): Promise<ChannelPost[]> {
    const since = new Date(this.now.getTime() - (NO_REPEAT_DAYS + 1) * DAY_MS);
    const posts = await this.deps.stores.content.posts(schedule.space, schedule.channelId, since, 200);
    const settled: ChannelPost[] = [];
    for (const [index, post] of posts.entries()) {
      const due = index < PACE_WINDOW_POSTS + 1 && !post.settled;
      settled.push(
        due && this.now.getTime() - Date.parse(post.slotAt) > DAY_MS ? await this.settle(post) : post,
      );
    }
    return settled;
  }

  /**
   * Reads how many members reacted and replied to a post in the days after it went, keeps it on the post (for
   * the channel's pace) and adds it to the item's count (for its rating). A failed read leaves it unsettled
   * (tried again at the next posting slot): feedback never stops a post.
   */
  private async settle(post: ChannelPost): Promise<ChannelPost> {
    const { outbox, engagement, content } = this.deps.stores;
    try {
      const message = await outbox.get(post.communityId, post.outboxId);
      const messageId = message?.posted?.messageId;
      let reception = { reactions: 0, replies: 0 };
      if (messageId) {
        const sentAt = message.endedAt ?? new Date(post.slotAt);
        const days = [0, 1, 2].map((offset) => utcDay(new Date(sentAt.getTime() + offset * DAY_MS)));
        const [reactions, replies] = await Promise.all([
          engagement.reactionsOn(post.space, post.channelId, messageId, days),
          engagement.repliesTo(post.space, post.channelId, messageId, days),
        ]);
        reception = { reactions, replies };
      }
      // Counted for the item by the run that settled the post, once.
      const engaged = reception.reactions + reception.replies;
      if ((await content.settlePost(post, reception)) && engaged > 0) {
        await content.count(post.communityId, post.itemId, { engaged });
      }
      return { ...post, ...reception, settled: true };
    } catch (error) {
      this.deps.logger.warn('content post feedback not settled', { postId: post.postId, error });
      return post;
    }
  }

  /** Stores the slot's post (once) and queues it (once): both named by the slot. */
  private async post(
    schedule: ChannelSchedule,
    slotAt: string,
    item: ContentItem,
    topic: string,
  ): Promise<void> {
    const { content } = this.deps.stores;
    const key = postKey(schedule, slotAt);
    const { added, post } = await content.addPost({
      communityId: schedule.communityId,
      space: schedule.space,
      channelId: schedule.channelId,
      slotAt,
      postId: postId(scheduleKey(schedule), slotAt),
      itemId: item.id,
      topics: [topic, ...item.topics.filter((one) => one !== topic)],
      promotional: item.promotional,
      outboxId: await outboxId(schedule.communityId, key),
      ...{ helpful: 0, notForMe: 0, shared: 0, mutes: 0, reactions: 0, replies: 0, settled: false },
    });
    // Counted once, by the run that stored the post.
    if (added) await content.count(schedule.communityId, item.id, { shown: 1 });
    const slot = new Date(slotAt);
    await this.deps.outbox.enqueue(
      {
        key,
        communityId: schedule.communityId,
        purpose: 'content_post',
        audience: { kind: 'channel', target: { space: schedule.space, channelId: schedule.channelId } },
        allowance: { kind: 'unsolicited' },
        message: postedItem(item, post.postId),
        notBefore: slot,
        expiresAt: new Date(slot.getTime() + POST_EXPIRES_MS),
      },
      this.now,
    );
  }

  /** A slot with nothing to post: saved as starved, and moderators told (at most weekly per channel). */
  private async starved(schedule: ChannelSchedule): Promise<void> {
    const channel = scheduleKey(schedule);
    const last = schedule.starvedNoticeAt ? Date.parse(schedule.starvedNoticeAt) : Number.NEGATIVE_INFINITY;
    const notify = this.now.getTime() - last >= STARVED_NOTICE_MS;
    this.deps.logger.warn('content slot starved', { channel, starvedSlots: schedule.starvedSlots, notify });
    const told = notify ? await this.tellModerators(schedule) : 0;
    await this.deps.stores.content.saveSchedule(
      told > 0 ? { ...schedule, starvedNoticeAt: this.now.toISOString() } : schedule,
    );
  }

  /** Queues the "library needs more" note to each community moderator; returns how many were queued. */
  private async tellModerators(schedule: ChannelSchedule): Promise<number> {
    const services = this.services();
    const { communities, spaces } = this.deps.stores;
    const moderators = await communities.moderators(schedule.communityId);
    if (!services || moderators.length === 0) {
      this.deps.logger.warn('content starved: no moderator to tell', { channel: scheduleKey(schedule) });
      return 0;
    }
    const places = await spaces.spacesOf(schedule.communityId);
    const here = places.find(
      (one) => one.platform === schedule.space.platform && one.id === schedule.space.id,
    );
    const text = starvedText(schedule, here ?? schedule.space);
    let queued = 0;
    for (const moderator of moderators) {
      const space =
        moderator.platform === schedule.space.platform
          ? schedule.space
          : places.find((one) => one.platform === moderator.platform && one.status === 'active');
      const audience = space && (await memberAudience(services, schedule.communityId, space, moderator));
      if (!audience) continue;
      await this.deps.outbox.enqueue(
        {
          key: `content:starved:${scheduleKey(schedule)}:${isoWeek(this.now)}:to:${audience.memberId}`,
          communityId: schedule.communityId,
          purpose: 'content_starved',
          audience,
          allowance: MODERATOR_NOTES,
          message: { text },
        },
        this.now,
      );
      queued += 1;
    }
    return queued;
  }
}

function starvedText(
  schedule: ChannelSchedule,
  space: { readonly id: string; readonly name?: string },
): string {
  const topics = schedule.topics.length > 0 ? ` on ${schedule.topics.join(', ')}` : '';
  return (
    `**The library needs more for ${channelWords(schedule, space)}** (${spaceKey(schedule.space)})\n` +
    `Every item${topics} it may post was posted there in the last ${NO_REPEAT_DAYS} days, so its scheduled ` +
    `slots are skipped. Add items (\`/community content add\`), widen its topics ` +
    `(\`/community schedule set\`), or review suggestions (\`/community content queue\`).`
  );
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = read();
    cache.set(key, value);
  }
  return value;
}
