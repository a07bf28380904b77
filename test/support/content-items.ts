/** Library items the content tests write straight to the store: live, with ids written by hand. */
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';

/** A live tip with the given fields, created and last changed at `at`. */
export function libraryItem(
  communityId: string,
  id: string,
  fields: Pick<ContentItem, 'title' | 'body' | 'topics'> & Partial<ContentItem>,
  at = '2026-01-05T10:00:00.000Z',
): ContentItem {
  return {
    communityId,
    id,
    kind: 'tip',
    author: { kind: 'moderator' },
    language: 'en',
    promotional: false,
    status: 'live',
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
    ...fields,
  };
}

/** A live tip on one topic, titled `Scheduled <id>`: what the schedule tests find in the posts. */
export function scheduledItem(communityId: string, id: string, topic: string, at?: string): ContentItem {
  return libraryItem(
    communityId,
    id,
    { title: `Scheduled ${id}`, body: `A tip about ${topic}.`, topics: [topic] },
    at,
  );
}
