/**
 * The content library's items as table items: keys and explicit mappers, attribute by attribute (a renamed
 * field never silently changes what is stored). Counts are separate number attributes, moved only by ADD.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type ContentAuthor,
  type ContentCounts,
  type ContentItem,
  type ContentKind,
  type ContentReview,
  type ContentStatus,
  DEFAULT_LANGUAGE,
} from '../core/content/model.js';
import type { Member, Platform, Space } from '../core/events.js';
import { type Item, readNumber, readString, toItem } from './attributes.js';
import { communityPartition } from './keys.js';
import { TABLE } from './table.js';

const { byDay, byMember } = TABLE.indexes;

/** The library's items live in their own partition per community, so `items()` reads nothing else. */
export function libraryPartition(communityId: string): string {
  return `LIBRARY#${communityId}`;
}

export const ITEM_PREFIX = 'ITEM#';
/** The library meta's sort key, in the community's partition. */
export const LIBRARY_META = 'LIBRARY';

export function tableKey(pk: string, sk: string): Item {
  return toItem({ [TABLE.partitionKey]: pk, [TABLE.sortKey]: sk });
}

export function itemKey(communityId: string, id: string): Item {
  return tableKey(libraryPartition(communityId), `${ITEM_PREFIX}${id}`);
}

export function metaKey(communityId: string): Item {
  return tableKey(communityPartition(communityId), LIBRARY_META);
}

/** A community's pending suggestions, oldest first, in the byDay index (only while pending). */
export function queuePartition(communityId: string): string {
  return `QUEUE#${communityId}`;
}

/** The items a person wrote, in the byMember index (keys only): what `forget` uncredits. */
export function authorPartition(communityId: string, person: string): string {
  return `AUTHOR#${communityId}#${person}`;
}

/** The count attributes, one number each (so a vote is one ADD). */
export const COUNT_ATTRIBUTES: Record<keyof ContentCounts, string> = {
  shown: 'shown',
  helpful: 'helpful',
  notForMe: 'notForMe',
  shared: 'shared',
  engaged: 'engaged',
};

/** Attributes an item may lack: REMOVEd by a replace when the new version has none. */
export const OPTIONAL_ITEM_ATTRIBUTES = [
  'link',
  'authorPerson',
  'authorMemberPlatform',
  'authorMemberId',
  'authorSpacePlatform',
  'authorSpaceId',
  'reviewState',
  'reviewNote',
  'reviewBy',
  'reviewAt',
  'sourceKey',
  byDay.partitionKey,
  byDay.sortKey,
  byMember.partitionKey,
  byMember.sortKey,
] as const;

export function stringList(values: readonly string[]): AttributeValue {
  return { L: values.map((value) => ({ S: value })) };
}

export function readStringList(item: Item | undefined, name: string): string[] {
  return (item?.[name]?.L ?? []).flatMap((value) => (value.S === undefined ? [] : [value.S]));
}

export function readBoolean(item: Item | undefined, name: string): boolean {
  return item?.[name]?.BOOL === true;
}

/** Every attribute of an item but its keys and counts. */
export function itemAttributes(item: ContentItem): Item {
  const { author, review } = item;
  const pending = review?.state === 'pending';
  return {
    ...toItem({
      communityId: item.communityId,
      id: item.id,
      title: item.title,
      body: item.body,
      kind: item.kind,
      link: item.link,
      language: item.language,
      status: item.status,
      sourceKey: item.sourceKey,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      authorKind: author.kind,
      authorPerson: author.person,
      authorMemberPlatform: author.member?.platform,
      authorMemberId: author.member?.id,
      authorSpacePlatform: author.space?.platform,
      authorSpaceId: author.space?.id,
      reviewState: review?.state,
      reviewNote: review?.note,
      reviewBy: review?.by,
      reviewAt: review?.at,
      [byDay.partitionKey]: pending ? queuePartition(item.communityId) : undefined,
      [byDay.sortKey]: pending ? `${item.createdAt}#${item.id}` : undefined,
      [byMember.partitionKey]: author.person ? authorPartition(item.communityId, author.person) : undefined,
      [byMember.sortKey]: author.person ? `${ITEM_PREFIX}${item.id}` : undefined,
    }),
    topics: stringList(item.topics),
    promotional: { BOOL: item.promotional },
  };
}

export function fromContentItem(item: Item): ContentItem {
  const review = reviewOf(item);
  const link = readString(item, 'link');
  const sourceKey = readString(item, 'sourceKey');
  return {
    communityId: readString(item, 'communityId') ?? '',
    id: readString(item, 'id') ?? '',
    title: readString(item, 'title') ?? '',
    body: readString(item, 'body') ?? '',
    topics: readStringList(item, 'topics'),
    kind: (readString(item, 'kind') ?? 'tip') as ContentKind,
    ...(link ? { link } : {}),
    author: authorOf(item),
    language: readString(item, 'language') ?? DEFAULT_LANGUAGE,
    promotional: readBoolean(item, 'promotional'),
    status: (readString(item, 'status') ?? 'draft') as ContentStatus,
    ...(review ? { review } : {}),
    ...(sourceKey ? { sourceKey } : {}),
    createdAt: readString(item, 'createdAt') ?? '',
    updatedAt: readString(item, 'updatedAt') ?? '',
    counts: {
      shown: readNumber(item, COUNT_ATTRIBUTES.shown),
      helpful: readNumber(item, COUNT_ATTRIBUTES.helpful),
      notForMe: readNumber(item, COUNT_ATTRIBUTES.notForMe),
      shared: readNumber(item, COUNT_ATTRIBUTES.shared),
      engaged: readNumber(item, COUNT_ATTRIBUTES.engaged),
    },
  };
}

function authorOf(item: Item): ContentAuthor {
  const person = readString(item, 'authorPerson');
  const member = memberOf(readString(item, 'authorMemberPlatform'), readString(item, 'authorMemberId'));
  const space = memberOf(readString(item, 'authorSpacePlatform'), readString(item, 'authorSpaceId'));
  return {
    kind: (readString(item, 'authorKind') ?? 'import') as ContentAuthor['kind'],
    ...(person ? { person } : {}),
    ...(member ? { member } : {}),
    ...(space ? { space: space as Space } : {}),
  };
}

function reviewOf(item: Item): ContentReview | undefined {
  const state = readString(item, 'reviewState') as ContentReview['state'] | undefined;
  if (!state) return undefined;
  const note = readString(item, 'reviewNote');
  const by = readString(item, 'reviewBy');
  const at = readString(item, 'reviewAt');
  return { state, ...(note ? { note } : {}), ...(by ? { by } : {}), ...(at ? { at } : {}) };
}

/** A platform identity (a member or a space: both are a platform and an id). */
export function memberOf(platform: string | undefined, id: string | undefined): Member | undefined {
  return platform && id ? { platform: platform as Platform, id } : undefined;
}
