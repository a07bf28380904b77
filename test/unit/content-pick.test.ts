/**
 * Which item a channel's slot posts: eligibility (live, topics, no repeat within 90 days, at most one
 * promotional in five), topic rotation and merit, on small hand-made libraries.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelPost, ContentItem } from '../../shared/core/content/model.js';
import { pickItem } from '../../shared/core/content/pick.js';

const NOW = new Date('2026-12-10T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function item(id: string, topics: string[], extra: Partial<ContentItem> = {}): ContentItem {
  return {
    communityId: 'c1',
    id,
    title: `Item ${id}`,
    body: 'Body',
    topics,
    kind: 'tip',
    author: { kind: 'import' },
    language: 'en',
    promotional: false,
    status: 'live',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    counts: { shown: 0, helpful: 0, notForMe: 0, shared: 0, engaged: 0 },
    ...extra,
  };
}

function posted(itemId: string, daysAgo: number, topics: string[], promotional = false): ChannelPost {
  return {
    communityId: 'c1',
    space: { platform: 'telegram', id: '-100' },
    channelId: '-100',
    slotAt: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
    postId: `p${itemId}`,
    itemId,
    topics,
    promotional,
    outboxId: `o${itemId}`,
    ...{ helpful: 0, notForMe: 0, shared: 0, mutes: 0, reactions: 0, replies: 0, settled: true },
  };
}

describe('pickItem', () => {
  it('takes the next topic of the list after the last post, then the best rated item in it', () => {
    const library = [
      item('aaaaa1', ['events'], { counts: { shown: 3, helpful: 9, notForMe: 1, shared: 0, engaged: 0 } }),
      item('aaaaa2', ['events'], { counts: { shown: 3, helpful: 1, notForMe: 0, shared: 0, engaged: 0 } }),
      item('bbbbb1', ['onboarding']),
    ];
    const history = [posted('bbbbb1', 3, ['onboarding'])];
    expect(pickItem(library, history, ['onboarding', 'events'], NOW)).toEqual({
      item: library[0],
      topic: 'events',
    });
  });

  it('skips a topic with nothing eligible left, and never repeats an item within 90 days', () => {
    const library = [item('aaaaa1', ['events']), item('bbbbb1', ['onboarding']), item('ccccc1', ['tools'])];
    const history = [posted('ccccc1', 2, ['tools']), posted('aaaaa1', 89, ['events'])];
    // After tools comes events (posted 89 days ago: not yet), then onboarding.
    expect(pickItem(library, history, ['tools', 'events', 'onboarding'], NOW)?.item.id).toBe('bbbbb1');
    // 91 days on, events' item may come back.
    const later = [posted('ccccc1', 2, ['tools']), posted('aaaaa1', 91, ['events'])];
    expect(pickItem(library, later, ['tools', 'events', 'onboarding'], NOW)?.item.id).toBe('aaaaa1');
  });

  it('posts nothing when every eligible item was posted lately, and nothing retired or draft', () => {
    const library = [
      item('aaaaa1', ['events']),
      item('aaaaa2', ['events'], { status: 'retired' }),
      item('aaaaa3', ['events'], { status: 'draft' }),
      item('bbbbb1', ['other']),
    ];
    expect(pickItem(library, [posted('aaaaa1', 10, ['events'])], ['events'], NOW)).toBeUndefined();
  });

  it('keeps promotional items to one in any five posts', () => {
    const library = [
      item('ppppp1', ['offers'], {
        promotional: true,
        counts: { shown: 0, helpful: 50, notForMe: 0, shared: 0, engaged: 0 },
      }),
      item('aaaaa1', ['offers']),
    ];
    const fourSince = [
      posted('x1', 1, ['offers']),
      posted('x2', 2, ['offers']),
      posted('x3', 3, ['offers']),
      posted('x4', 4, ['offers'], true),
    ];
    expect(pickItem(library, fourSince, [], NOW)?.item.id).toBe('aaaaa1');
    // Four plain posts since the promotional one: it may go again.
    expect(pickItem(library, [posted('x0', 0.5, ['offers']), ...fourSince], [], NOW)?.item.id).toBe('ppppp1');
  });

  it('without a topic list, takes the topic posted least recently (never posted first)', () => {
    const library = [item('aaaaa1', ['events']), item('bbbbb1', ['onboarding']), item('ccccc1', ['tools'])];
    const history = [posted('zz1', 1, ['tools']), posted('zz2', 5, ['events'])];
    expect(pickItem(library, history, [], NOW)?.topic).toBe('onboarding');
    const all = [posted('zz1', 1, ['tools']), posted('zz2', 5, ['events']), posted('zz3', 3, ['onboarding'])];
    expect(pickItem(library, all, [], NOW)?.topic).toBe('events');
  });

  it('breaks rating ties by fewer shows, then the older item', () => {
    const library = [
      item('aaaaa1', ['t'], { counts: { shown: 4, helpful: 0, notForMe: 0, shared: 0, engaged: 0 } }),
      item('aaaaa2', ['t'], { counts: { shown: 1, helpful: 0, notForMe: 0, shared: 0, engaged: 0 } }),
      item('aaaaa3', ['t'], {
        counts: { shown: 1, helpful: 0, notForMe: 0, shared: 0, engaged: 0 },
        createdAt: '2026-10-01T00:00:00.000Z',
      }),
    ];
    expect(pickItem(library, [], ['t'], NOW)?.item.id).toBe('aaaaa3');
  });
});
