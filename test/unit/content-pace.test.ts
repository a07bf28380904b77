/**
 * A channel's pace, by hand: which slots post for a given pace, when feedback halves it (never below one post
 * a fortnight), and how it recovers (by half again, never above the set cadence), each change waiting for
 * five fresh posts.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelPost, Weekday } from '../../shared/core/content/model.js';
import { creditSlot, feedbackOf, nextPace } from '../../shared/core/content/pace.js';

function post(feedback: Partial<ChannelPost> = {}): ChannelPost {
  return {
    communityId: 'c1',
    space: { platform: 'slack', id: 'T1' },
    channelId: 'C1',
    slotAt: '2026-12-01T09:00:00.000Z',
    postId: 'p0000001',
    itemId: 'item01',
    topics: ['onboarding'],
    promotional: false,
    outboxId: 'o1',
    helpful: 0,
    notForMe: 0,
    shared: 0,
    mutes: 0,
    reactions: 0,
    replies: 0,
    settled: true,
    ...feedback,
  };
}

const TWICE: Weekday[] = ['mon', 'thu'];

/** Which of `slots` slots post at `pace`, from no credit. */
function postingSlots(pace: number, slots: number): number[] {
  let credit = 0;
  const posting: number[] = [];
  for (let slot = 1; slot <= slots; slot += 1) {
    const result = creditSlot(pace, credit);
    credit = result.credit;
    if (result.posts) posting.push(slot);
  }
  return posting;
}

describe('creditSlot', () => {
  it('posts every slot at full pace, every other at a half, every fourth at a quarter', () => {
    expect(postingSlots(1, 4)).toEqual([1, 2, 3, 4]);
    expect(postingSlots(0.5, 6)).toEqual([2, 4, 6]);
    expect(postingSlots(0.25, 8)).toEqual([4, 8]);
  });

  it('posts on the third slot at a third (credit that adds up to 1 within rounding counts)', () => {
    expect(postingSlots(1 / 3, 6)).toEqual([3, 6]);
  });

  it('posts 3 of 4 slots at three quarters (0.75, 1.5, 1.25, 1.0)', () => {
    expect(postingSlots(0.75, 4)).toEqual([2, 3, 4]);
  });
});

describe('feedbackOf', () => {
  it('weighs "not for me" and mutes against helpful, reactions and shares over the last 10 posts', () => {
    const recent = [post({ notForMe: 2, mutes: 1, helpful: 1 }), post({ reactions: 3, shared: 1 })];
    const older = Array.from({ length: 9 }, () => post({ notForMe: 1 }));
    // Newest first: the first 10 count, so 8 of the 9 older ones.
    expect(feedbackOf([...recent, ...older])).toEqual({ bad: 3 + 8, good: 1 + 4 });
  });
});

describe('nextPace', () => {
  const bad = [post({ notForMe: 2, mutes: 1 }), post({ helpful: 1 })];
  const good = [post({ helpful: 2 }), post({ notForMe: 1, reactions: 1 })];

  it('halves at once at the set cadence when bad outweighs good', () => {
    expect(nextPace({ days: TWICE, pace: 1, postsSincePaceChange: 0 }, bad)).toEqual({
      pace: 0.5,
      postsSincePaceChange: 0,
      change: 'halved',
    });
  });

  it('waits for five posts since the last change before halving again', () => {
    expect(nextPace({ days: TWICE, pace: 0.5, postsSincePaceChange: 4 }, bad)).toEqual({
      pace: 0.5,
      postsSincePaceChange: 5,
    });
    expect(nextPace({ days: TWICE, pace: 0.5, postsSincePaceChange: 5 }, bad)).toMatchObject({
      pace: 0.25,
      change: 'halved',
    });
  });

  it('never goes below one post a fortnight', () => {
    // Twice a week: 4 slots a fortnight, so the floor is 1/4.
    expect(nextPace({ days: TWICE, pace: 0.25, postsSincePaceChange: 9 }, bad)).toEqual({
      pace: 0.25,
      postsSincePaceChange: 10,
    });
    // Three times a week (floor 1/6): 0.25 halves to the floor, not to 0.125.
    expect(
      nextPace({ days: ['mon', 'wed', 'fri'], pace: 0.25, postsSincePaceChange: 5 }, bad).pace,
    ).toBeCloseTo(1 / 6);
  });

  it('recovers by half again once feedback is even, after five posts, up to the set cadence', () => {
    expect(nextPace({ days: TWICE, pace: 0.25, postsSincePaceChange: 5 }, good)).toEqual({
      pace: 0.375,
      postsSincePaceChange: 0,
      change: 'recovered',
    });
    expect(nextPace({ days: TWICE, pace: 0.25, postsSincePaceChange: 3 }, good)).toEqual({
      pace: 0.25,
      postsSincePaceChange: 4,
    });
    expect(nextPace({ days: TWICE, pace: 0.75, postsSincePaceChange: 6 }, good).pace).toBe(1);
  });

  it('stays at the set cadence while feedback is good', () => {
    expect(nextPace({ days: TWICE, pace: 1, postsSincePaceChange: 12 }, good)).toEqual({
      pace: 1,
      postsSincePaceChange: 13,
    });
  });
});
