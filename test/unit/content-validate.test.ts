import { describe, expect, it } from 'vitest';
import { draftOf, readKindField } from '../../shared/core/content/authoring-items.js';
import { itemId, postId, shortId } from '../../shared/core/content/ids.js';
import { LIST_MAX_LINES, listLines } from '../../shared/core/content/library-list.js';
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';
import { queueMessage } from '../../shared/core/content/queue-render.js';
import { ratingOf, UNJUDGED, wilsonLowerBound } from '../../shared/core/content/rating.js';
import { checkDraft, describeProblems, readKind, readTopics } from '../../shared/core/content/validate.js';

/**
 * The library's pure rules: a draft checked whole with every problem named, ids derived from what created
 * a thing, the Wilson lower bound, and how authoring reads a form's kind field and cuts long lists. Every
 * expected value is written out by hand (or from a published test vector, said where).
 */

const TOPICS = ['onboarding', 'events', 'moderation'];
const BODY = 'Pin a short welcome that says where to start.';

describe('checkDraft', () => {
  it('reads a good draft as people write it: trimmed, topics lower-cased, kind and link normalised', () => {
    const check = checkDraft(
      {
        title: '  Welcome well  ',
        body: `${BODY}\n`,
        topics: 'Onboarding, events',
        kind: 'Expert session',
        link: 'https://example.org',
      },
      TOPICS,
    );

    expect(check).toEqual({
      ok: true,
      item: {
        title: 'Welcome well',
        body: BODY,
        topics: ['onboarding', 'events'],
        kind: 'expert-session',
        link: 'https://example.org/',
        language: 'en',
        promotional: false,
      },
    });
  });

  it('defaults the kind to tip and drops a link written as a skip word', () => {
    const check = checkDraft({ title: 'T', body: 'B', topics: [], link: 'none', promotional: true }, TOPICS);

    expect(check).toEqual({
      ok: true,
      item: { title: 'T', body: 'B', topics: [], kind: 'tip', language: 'en', promotional: true },
    });
  });

  it('names an over-long body with its length', () => {
    const check = checkDraft({ title: 'Long', body: 'x'.repeat(1501) }, TOPICS);

    expect(check).toEqual({
      ok: false,
      problems: ['The body has 1501 characters; keep it bite-sized, at most 1500.'],
    });
  });

  it('accepts a body of exactly 1500 characters', () => {
    expect(checkDraft({ title: 'Edge', body: 'y'.repeat(1500) }, TOPICS).ok).toBe(true);
  });

  it('names an unknown topic and lists the known ones', () => {
    const check = checkDraft({ title: 'T', body: 'B', topics: 'events, parties' }, TOPICS);

    expect(check).toEqual({
      ok: false,
      problems: [
        'Unknown topic `parties` (topics: `onboarding`, `events`, `moderation`; moderators add one with `/community topics add <topic>`).',
      ],
    });
  });

  it('says every problem at once', () => {
    const check = checkDraft(
      {
        title: 't'.repeat(121),
        body: '  ',
        topics: ['a', 'b', 'c', 'd', 'e', 'f'],
        kind: 'poem',
        link: 'ftp://example.org/file',
        language: 'English',
      },
      ['a', 'b', 'c', 'd', 'e', 'f'],
    );

    expect(check).toEqual({
      ok: false,
      problems: [
        'The title has 121 characters; keep it under 120.',
        'The body is empty.',
        'At most 5 topics per item.',
        'Unknown kind `poem`: one of `tip`, `answer`, `guide`, `tool`, `expert-session`, `event`.',
        'The link `ftp://example.org/file` is not a web address (https://…).',
        'The language `English` is not a language tag like `en` or `pt-BR`.',
      ],
    });
  });

  it('refuses a link that is not an address, and one over 500 characters', () => {
    const bad = checkDraft({ title: 'T', body: 'B', link: 'example dot org' }, []);
    const long = checkDraft({ title: 'T', body: 'B', link: `https://example.org/${'p'.repeat(490)}` }, []);

    expect(bad).toEqual({
      ok: false,
      problems: ['The link `example dot org` is not a web address (https://…).'],
    });
    expect(long).toEqual({ ok: false, problems: ['The link has 510 characters; at most 500.'] });
  });

  it('says "none yet" when the library has no topics', () => {
    const check = checkDraft({ title: 'T', body: 'B', topics: 'events' }, []);

    expect(check.ok ? [] : check.problems).toEqual([
      'Unknown topic `events` (topics: none yet; moderators add one with `/community topics add <topic>`).',
    ]);
  });
});

describe('reading fields', () => {
  it('reads kinds in any spelling', () => {
    expect(['Expert session', 'expert_session', ' GUIDE ', 'poem'].map(readKind)).toEqual([
      'expert-session',
      'expert-session',
      'guide',
      undefined,
    ]);
  });

  it('reads topics from a line or a list, once each, without skip words', () => {
    expect(readTopics('Events, onboarding events  -')).toEqual(['events', 'onboarding']);
    expect(readTopics([' A ', 'a', 'skip'])).toEqual(['a']);
    expect(readTopics(undefined)).toEqual([]);
  });

  it('reads the form kind field with an optional promotional mark', () => {
    expect(readKindField('guide, promotional')).toEqual({ kind: 'guide', promotional: true });
    expect(readKindField('Promotional, tool')).toEqual({ kind: 'tool', promotional: true });
    expect(readKindField('expert session')).toEqual({ kind: 'expert session', promotional: false });
    expect(readKindField('-')).toEqual({ promotional: false });
  });

  it('never makes a suggestion promotional: the word is then an unknown kind', () => {
    const draft = draftOf({ title: 'T', body: 'B', kind: 'tip, promotional' }, false);

    expect(draft.promotional).toBe(false);
    expect(checkDraft(draft, []).ok).toBe(false);
  });

  it('describes problems as a heading and one line each', () => {
    expect(describeProblems('Nothing was added:', ['One.', 'Two.'])).toBe(
      '**Nothing was added:**\n- One.\n- Two.',
    );
  });
});

describe('ids', () => {
  it('hashes with 64-bit FNV-1a (published vectors), in base 36', () => {
    // FNV-1a 64 of "" is 0xcbf29ce484222325, of "a" 0xaf63dc4c8601ec8c, of "foobar" 0x85944171f73967e8.
    expect(shortId('', 13)).toBe('33niihzj4ux45');
    expect(shortId('a', 13)).toBe('2o0ongoiv4rrg');
    expect(shortId('foobar', 13)).toBe('214ng2xt5fmco');
    expect(shortId('foobar', 6)).toBe('t5fmco');
  });

  it('derives an item id from the community and what created it: stable, and different elsewhere', () => {
    // FNV-1a 64 of "c_1\nEv1", "c_1\nEv2" and "c_2\nEv1", base 36, last 6 characters.
    expect(itemId('c_1', 'Ev1')).toBe('4kjwpy');
    expect(itemId('c_1', 'Ev1')).toBe('4kjwpy');
    expect(itemId('c_1', 'Ev2')).toBe('0npupf');
    expect(itemId('c_2', 'Ev1')).toBe('fl9i0b');
  });

  it('derives a post id from the channel and the slot, 8 characters', () => {
    expect(postId('slack:T1:C1', '2026-11-24T09:00:00.000Z')).toBe('m4eaa4j5');
  });
});

describe('rating', () => {
  it('is the Wilson lower bound: one vote of one is 1 / (1 + z²), not a win', () => {
    // With p = 1 and n = 1 the bound reduces to 1 / (1 + 1.959964²) = 0.206549...
    expect(wilsonLowerBound(1, 0)).toBeCloseTo(0.20655, 5);
    expect(wilsonLowerBound(40, 10)).toBeCloseTo(0.66963, 5);
    expect(wilsonLowerBound(0, 5)).toBe(0);
    // Not a hair below zero either (read "-0.00" once).
    expect(wilsonLowerBound(0, 3)).toBe(0);
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });

  it('rates an unjudged item between a poor record and a good one', () => {
    expect(UNJUDGED).toBe(0.3);
    expect(ratingOf(NO_COUNTS)).toBe(0.3);
    expect(ratingOf({ helpful: 1, notForMe: 0, engaged: 0 })).toBeLessThan(0.3);
    expect(ratingOf({ helpful: 40, notForMe: 10, engaged: 0 })).toBeGreaterThan(0.3);
  });
});

function item(id: string, title: string, status: ContentItem['status'], extra: Partial<ContentItem> = {}) {
  return {
    communityId: 'c_1',
    id,
    title,
    body: BODY,
    topics: ['events'],
    kind: 'tip',
    author: { kind: 'moderator' },
    language: 'en',
    promotional: false,
    status,
    createdAt: '2026-11-24T10:00:00.000Z',
    updatedAt: '2026-11-24T10:00:00.000Z',
    counts: NO_COUNTS,
    ...extra,
  } satisfies ContentItem;
}

describe('content list lines', () => {
  it('groups live, drafts and retired, each by title', () => {
    const lines = listLines([
      item('aaaaa1', 'Zebra', 'live'),
      item('aaaaa2', 'Old', 'retired'),
      item('aaaaa3', 'Apple', 'live', { promotional: true }),
      item('aaaaa4', 'Idea', 'draft'),
    ]);

    expect(lines).toEqual([
      '**Live: 2**',
      '`aaaaa3` **Apple** _tip · events · promotional_',
      '`aaaaa1` **Zebra** _tip · events_',
      '**Drafts (not shown to members): 1**',
      '`aaaaa4` **Idea** _tip · events · draft_',
      '**Retired: 1**',
      '`aaaaa2` **Old** _tip · events · retired_',
    ]);
  });

  it(`stops at ${LIST_MAX_LINES} items and counts the rest`, () => {
    const many = Array.from({ length: 45 }, (_, index) =>
      item(`b${String(index).padStart(5, '0')}`, `T${index}`, 'live'),
    );

    const lines = listLines(many);

    expect(lines.filter((line) => line.startsWith('`b'))).toHaveLength(40);
    expect(lines.at(-1)).toBe('_…and 5 more._');
  });
});

describe('the review queue message', () => {
  it('shows 5 suggestions with an Approve and a Reject button each, and counts the rest', () => {
    const pending = Array.from({ length: 7 }, (_, index) =>
      item(`q0000${index}`, `Idea ${index}`, 'draft', {
        author: { kind: 'member', member: { platform: 'slack', id: `U${index}` } },
        review: { state: 'pending' },
      }),
    );

    const message = queueMessage(pending);

    expect(message.buttons?.map((button) => `${button.label}=${button.value}`)).toEqual([
      'Approve q00000=q00000',
      'Reject q00000=q00000',
      'Approve q00001=q00001',
      'Reject q00001=q00001',
      'Approve q00002=q00002',
      'Reject q00002=q00002',
      'Approve q00003=q00003',
      'Reject q00003=q00003',
      'Approve q00004=q00004',
      'Reject q00004=q00004',
    ]);
    expect(message.text).toContain('**Suggestions waiting for review: 7**');
    expect(message.text).toContain('_2 more waiting');
    expect(message.text).toContain('_suggested by {@4} on 2026-11-24_');
    expect(message.mentions?.map((mention) => mention.member.id)).toEqual(['U0', 'U1', 'U2', 'U3', 'U4']);
  });
});
