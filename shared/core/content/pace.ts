/**
 * A channel's pace: the share of its slots that post. Pure. Every slot adds the pace to the channel's credit
 * and posts when the credit reaches 1, so a pace of 0.5 posts every other slot and the set cadence is never
 * exceeded. At each posting slot the pace listens to the channel's last {@link PACE_WINDOW_POSTS} posts: when
 * "not for me" and mutes outweigh "helpful", reactions and shares, it halves (never below one post a
 * fortnight); when feedback is good again it grows by half (never above the set cadence). Either change then
 * waits for {@link PACE_SETTLE_POSTS} fresh posts, so one change is judged on posts made after it.
 */
import { minimumPace } from './cadence.js';
import { type ChannelPost, type ChannelSchedule, PACE_WINDOW_POSTS } from './model.js';

/** Posts made since the last change before the pace may change again. */
export const PACE_SETTLE_POSTS = 5;
/** How much a recovering pace grows at a time. */
export const RECOVERY_FACTOR = 1.5;
/** Credit within this of 1 counts as 1: a pace of 1/3 added three times must post. */
const EPSILON = 1e-9;

/** What one slot does with the credit: whether it posts, and the credit after it. */
export function creditSlot(
  pace: number,
  credit: number,
): { readonly posts: boolean; readonly credit: number } {
  const total = credit + pace;
  if (total >= 1 - EPSILON) return { posts: true, credit: Math.max(0, total - 1) };
  return { posts: false, credit: total };
}

/** The feedback of a channel's recent posts, weighed. */
export interface PostFeedback {
  /** "Not for me" plus mutes. */
  readonly bad: number;
  /** "Helpful" plus reactions, replies and shares. */
  readonly good: number;
}

/** Weighs the channel's last {@link PACE_WINDOW_POSTS} posts (newest first, as the store lists them). */
export function feedbackOf(posts: readonly ChannelPost[]): PostFeedback {
  let bad = 0;
  let good = 0;
  for (const post of posts.slice(0, PACE_WINDOW_POSTS)) {
    bad += post.notForMe + post.mutes;
    good += post.helpful + post.reactions + post.replies + post.shared;
  }
  return { bad, good };
}

/** A schedule's pace after a post, and the posts counted since it changed. */
export interface PaceChange {
  readonly pace: number;
  readonly postsSincePaceChange: number;
  /** Why it changed, for the log; absent when it did not. */
  readonly change?: 'halved' | 'recovered';
}

/**
 * The pace for the slots after this posting slot, given the channel's recent posts (before this one). A pace
 * still at the set cadence halves at the first bad feedback (it never changed, so nothing waits).
 */
export function nextPace(
  schedule: Pick<ChannelSchedule, 'days' | 'pace' | 'postsSincePaceChange'>,
  posts: readonly ChannelPost[],
): PaceChange {
  const { bad, good } = feedbackOf(posts);
  const settled = schedule.postsSincePaceChange >= PACE_SETTLE_POSTS || schedule.pace >= 1;
  const floor = minimumPace(schedule.days);
  const counted = schedule.postsSincePaceChange + 1;
  if (bad > good && settled && schedule.pace > floor) {
    return { pace: Math.max(floor, schedule.pace / 2), postsSincePaceChange: 0, change: 'halved' };
  }
  if (good >= bad && schedule.postsSincePaceChange >= PACE_SETTLE_POSTS && schedule.pace < 1) {
    return {
      pace: Math.min(1, schedule.pace * RECOVERY_FACTOR),
      postsSincePaceChange: 0,
      change: 'recovered',
    };
  }
  return { pace: schedule.pace, postsSincePaceChange: counted };
}
