/**
 * The outbox item's mapper (outbox-repository.ts): one message, attribute by attribute, so renaming a field of
 * {@link OutboxMessage} never silently changes what is stored. The audience and the requester are flat
 * attributes (an ended item loses the platform ids by a plain REMOVE); buttons and mentions are lists of maps
 * written field by field.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Member, Platform, Space } from '../core/events.js';
import type { Button, ChannelTarget, Mention, OutboundMessage } from '../core/messenger.js';
import type {
  Allowance,
  Audience,
  MemberAudience,
  OutboxMessage,
  OutboxStatus,
} from '../core/outbox/model.js';
import { type Item, readNumber, readString, toItem } from './attributes.js';
import { communityPartition } from './keys.js';
import { TABLE } from './table.js';

const { byMember: dueIndex } = TABLE.indexes;

/** The sparse byMember partition holding every waiting message (queued or sending), and nothing else. */
export const DUE_PARTITION = 'OUTBOX';

/** Statuses that keep a message in the due index: it still has to be looked at. */
export const WAITING: readonly OutboxStatus[] = ['queued', 'sending'];

/** Attributes that hold text or a platform user id: removed when a message ends (its audit item keeps none). */
export const PERSONAL_ATTRIBUTES = [
  'text',
  'buttons',
  'mentions',
  'memberPlatform',
  'memberUserId',
  'memberName',
  'requesterMemberPlatform',
  'requesterMemberUserId',
  'requesterMemberName',
] as const;

export function outboxKey(communityId: string, id: string): Item {
  return toItem({ [TABLE.partitionKey]: communityPartition(communityId), [TABLE.sortKey]: `OUTBOX#${id}` });
}

/** The due index's sort key: earliest first, then by community and id (unique, so a page boundary is exact). */
export function dueSortKey(dueAt: Date, communityId: string, id: string): string {
  return `${dueAt.toISOString()}#${communityId}#${id}`;
}

/** The message as its item; `token` tells this writer's put apart from an earlier one (a lost answer). */
export function toOutboxItem(message: OutboxMessage, token: string): Item {
  const waiting = WAITING.includes(message.status);
  const { text, buttons, mentions } = message.message;
  return {
    ...outboxKey(message.communityId, message.id),
    ...toItem({
      [dueIndex.partitionKey]: waiting ? DUE_PARTITION : undefined,
      [dueIndex.sortKey]: waiting ? dueSortKey(message.dueAt, message.communityId, message.id) : undefined,
      id: message.id,
      communityId: message.communityId,
      key: message.key,
      purpose: message.purpose,
      status: message.status,
      createdAt: message.createdAt.toISOString(),
      dueAt: message.dueAt.toISOString(),
      notBefore: message.notBefore?.toISOString(),
      // `expiresAt` is the table's TTL attribute (epoch seconds): a time-bound message's deadline is `sendBy`.
      sendBy: message.expiresAt?.toISOString(),
      promisedAt: message.promisedAt?.toISOString(),
      attempts: message.attempts,
      firstAttemptAt: message.firstAttemptAt?.toISOString(),
      reason: message.reason,
      postedChannelId: message.posted?.channelId,
      postedMessageId: message.posted?.messageId,
      endedAt: message.endedAt?.toISOString(),
      putToken: token,
      text,
      ...audienceAttributes(message.audience),
      ...allowanceAttributes(message.allowance),
      ...(message.requestedBy ? memberAttributes(REQUESTER, message.requestedBy) : {}),
    }),
    ...(buttons?.length ? { buttons: { L: buttons.map(buttonValue) } } : {}),
    ...(mentions?.length ? { mentions: { L: mentions.map(mentionValue) } } : {}),
  };
}

/** The prefix of the requester's attributes (`requesterMemberId`); the audience's have none (`memberId`). */
const REQUESTER = 'requester';

function audienceAttributes(audience: Audience) {
  if (audience.kind === 'channel') return { audience: 'channel', ...targetAttributes('', audience.target) };
  return { audience: 'member', ...memberAttributes('', audience) };
}

function memberAttributes(prefix: string, audience: MemberAudience) {
  const name = (field: string) => prefixed(prefix, field);
  return {
    [name('platform')]: audience.space.platform,
    [name('spaceId')]: audience.space.id,
    [name('memberPlatform')]: audience.member.platform,
    [name('memberUserId')]: audience.member.id,
    [name('memberId')]: audience.memberId,
    [name('privacyKey')]: audience.privacyKey,
    [name('person')]: audience.person,
    [name('memberName')]: audience.name,
    ...(audience.greetIn ? targetAttributes(prefixed(prefix, 'greet'), audience.greetIn) : {}),
  };
}

/** A channel target's attributes, named with `prefix` (`greetChannelId`) or plain (`channelId`). */
function targetAttributes(prefix: string, target: ChannelTarget) {
  const name = (field: string) => prefixed(prefix, field);
  return {
    [name('platform')]: target.space.platform,
    [name('spaceId')]: target.space.id,
    [name('channelId')]: target.channelId,
    [name('threadId')]: target.threadId,
  };
}

/** `channelId` as itself, or as `greetChannelId` under the prefix `greet`. */
function prefixed(prefix: string, field: string): string {
  return prefix ? `${prefix}${field[0]?.toUpperCase()}${field.slice(1)}` : field;
}

function allowanceAttributes(allowance: Allowance) {
  if (allowance.kind !== 'subscribed') return { allowance: allowance.kind };
  return { allowance: allowance.kind, topic: allowance.topic, perWeek: allowance.perWeek };
}

function buttonValue(button: Button): AttributeValue {
  return { M: toItem({ actionId: button.actionId, label: button.label, value: button.value }) };
}

function mentionValue(mention: Mention): AttributeValue {
  return {
    M: toItem({ platform: mention.member.platform, id: mention.member.id, name: mention.name }),
  };
}

/**
 * The message an item holds. An ended item has lost its text and any platform user id: it reads with an
 * empty text and, for a private message, a member whose id is empty (only the opaque ids are left).
 */
export function fromOutboxItem(item: Item): OutboxMessage {
  const date = (name: string) => {
    const value = readString(item, name);
    return value ? new Date(value) : undefined;
  };
  const optional = <T>(name: string, value: T | undefined) => (value === undefined ? {} : { [name]: value });
  const postedChannelId = readString(item, 'postedChannelId');
  const postedMessageId = readString(item, 'postedMessageId');
  return {
    id: readString(item, 'id') ?? '',
    communityId: readString(item, 'communityId') ?? '',
    key: readString(item, 'key') ?? '',
    purpose: readString(item, 'purpose') ?? '',
    status: readString(item, 'status') as OutboxStatus,
    createdAt: date('createdAt') ?? new Date(0),
    dueAt: date('dueAt') ?? new Date(0),
    attempts: readNumber(item, 'attempts'),
    audience: readAudience(item),
    message: readMessage(item),
    allowance: readAllowance(item),
    ...optional('notBefore', date('notBefore')),
    ...optional('expiresAt', date('sendBy')),
    ...optional('promisedAt', date('promisedAt')),
    ...optional('firstAttemptAt', date('firstAttemptAt')),
    ...optional('reason', readString(item, 'reason')),
    ...optional('endedAt', date('endedAt')),
    ...optional(
      'requestedBy',
      readString(item, 'requesterMemberId') ? readMember(item, REQUESTER) : undefined,
    ),
    ...(postedChannelId && postedMessageId
      ? { posted: { channelId: postedChannelId, messageId: postedMessageId } }
      : {}),
  };
}

function readSpace(item: Item, prefix = ''): Space {
  const name = (field: string) => prefixed(prefix, field);
  return {
    platform: readString(item, name('platform')) as Platform,
    id: readString(item, name('spaceId')) ?? '',
  };
}

function readTarget(item: Item, prefix = ''): ChannelTarget {
  const name = (field: string) => prefixed(prefix, field);
  const threadId = readString(item, name('threadId'));
  return {
    space: readSpace(item, prefix),
    channelId: readString(item, name('channelId')) ?? '',
    ...(threadId ? { threadId } : {}),
  };
}

function readAudience(item: Item): Audience {
  if (readString(item, 'audience') === 'channel') return { kind: 'channel', target: readTarget(item) };
  return readMember(item, '');
}

/** A private message's audience or its requester; after the end, `member.id` is empty. */
function readMember(item: Item, prefix: string): MemberAudience {
  const read = (field: string) => readString(item, prefixed(prefix, field));
  const space = readSpace(item, prefix);
  const greet = prefixed(prefix, 'greet');
  const name = read('memberName');
  return {
    kind: 'member',
    space,
    member: {
      platform: (read('memberPlatform') as Platform | undefined) ?? space.platform,
      id: read('memberUserId') ?? '',
    },
    memberId: read('memberId') ?? '',
    privacyKey: read('privacyKey') ?? '',
    person: read('person') ?? '',
    ...(readString(item, prefixed(greet, 'channelId')) ? { greetIn: readTarget(item, greet) } : {}),
    ...(name ? { name } : {}),
  };
}

function readMessage(item: Item): OutboundMessage {
  const buttons = (item.buttons?.L ?? []).map((value): Button => {
    const fields = value.M ?? {};
    const buttonValue = readString(fields, 'value');
    return {
      actionId: readString(fields, 'actionId') ?? '',
      label: readString(fields, 'label') ?? '',
      ...(buttonValue === undefined ? {} : { value: buttonValue }),
    };
  });
  const mentions = (item.mentions?.L ?? []).map((value): Mention => {
    const fields = value.M ?? {};
    const name = readString(fields, 'name');
    const member: Member = {
      platform: readString(fields, 'platform') as Platform,
      id: readString(fields, 'id') ?? '',
    };
    return { member, ...(name === undefined ? {} : { name }) };
  });
  return {
    text: readString(item, 'text') ?? '',
    ...(buttons.length > 0 ? { buttons } : {}),
    ...(mentions.length > 0 ? { mentions } : {}),
  };
}

function readAllowance(item: Item): Allowance {
  const kind = readString(item, 'allowance');
  if (kind === 'subscribed') {
    return { kind, topic: readString(item, 'topic') ?? '', perWeek: readNumber(item, 'perWeek') };
  }
  return { kind: kind === 'reply' ? 'reply' : 'unsolicited' };
}
