import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type AuditEntry,
  type CommunityStore,
  ERASED_MEMBER_ID,
  type LinkCode,
} from '../core/communities/model.js';
import type { Member, Platform } from '../core/events.js';
import { epochSeconds, type Item, readString, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { communityPartition } from './keys.js';
import { queryAll } from './reads.js';
import { TABLE } from './table.js';

/** How long an audit entry is kept. */
const AUDIT_FOR_SECONDS = 365 * 24 * 3600;

/**
 * A community's own partition (`COMMUNITY#<id>`): its moderators (`MOD#<platform>:<member>`) and its audit
 * trail (`AUDIT#<time>#<random>`). Link codes are the one item found without knowing the community (that is
 * what a code is for): `LINKCODE#<digest of the code>`, never the code itself, expiring after 15 minutes.
 * Erasing a member deletes their moderator item and rewrites the audit entries that name them, by actor or in
 * the action's words, to name {@link ERASED_MEMBER_ID} instead; the action, its time and place are kept.
 */
export class CommunityRepository implements CommunityStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async moderators(communityId: string): Promise<Member[]> {
    const items = await this.query(communityId, 'MOD#', 100, true);
    return items.map((item) => ({
      platform: readString(item, 'platform') as Platform,
      id: readString(item, 'memberId') ?? '',
    }));
  }

  async isModerator(communityId: string, member: Member): Promise<boolean> {
    const { Item } = await this.client
      .send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: moderatorKey(communityId, member),
          ConsistentRead: true,
        }),
      )
      .catch(storeError('GetItem'));
    return Item !== undefined;
  }

  async addModerator(communityId: string, member: Member): Promise<void> {
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...moderatorKey(communityId, member),
            ...toItem({ platform: member.platform, memberId: member.id }),
          },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async removeModerator(communityId: string, member: Member): Promise<void> {
    await this.client
      .send(new DeleteItemCommand({ TableName: this.tableName, Key: moderatorKey(communityId, member) }))
      .catch(storeError('DeleteItem'));
  }

  async audit(communityId: string, entry: AuditEntry): Promise<void> {
    const random = Math.random().toString(36).slice(2, 10);
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            [TABLE.partitionKey]: communityPartition(communityId),
            [TABLE.sortKey]: `AUDIT#${entry.at}#${random}`,
            at: entry.at,
            actorPlatform: entry.actor.platform,
            actorId: entry.actor.id,
            action: entry.action,
            where: entry.where,
            [TABLE.timeToLiveAttribute]: epochSeconds(new Date(entry.at)) + AUDIT_FOR_SECONDS,
          }),
        }),
      )
      .catch(storeError('PutItem'));
  }

  async auditTrail(communityId: string, limit: number): Promise<AuditEntry[]> {
    const items = await this.query(communityId, 'AUDIT#', limit, false);
    return items.map((item) => ({
      at: readString(item, 'at') ?? '',
      actor: {
        platform: readString(item, 'actorPlatform') as Platform,
        id: readString(item, 'actorId') ?? '',
      },
      action: readString(item, 'action') ?? '',
      where: readString(item, 'where') ?? '',
    }));
  }

  async eraseMember(communityId: string, member: Member): Promise<number> {
    // An empty id would match inside every action text.
    if (!member.id) throw new Error('Cannot erase a member without an id');
    const { Attributes } = await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: moderatorKey(communityId, member),
          ReturnValues: 'ALL_OLD',
        }),
      )
      .catch(storeError('DeleteItem'));
    let changed = Attributes ? 1 : 0;
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      // The filter narrows what comes back; whether an entry names the member is decided below.
      FilterExpression: '(actorPlatform = :platform AND actorId = :id) OR contains(#action, :id)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, '#action': 'action' },
      ExpressionAttributeValues: toItem({
        ':pk': communityPartition(communityId),
        ':prefix': 'AUDIT#',
        ':platform': member.platform,
        ':id': member.id,
      }),
      ConsistentRead: true,
    });
    for (const entry of entries) {
      if (await this.eraseFromAuditEntry(entry, member)) changed += 1;
    }
    return changed;
  }

  /**
   * Names the erased member instead of `member` in one audit entry, as actor and in its action's words. False
   * when the entry does not name them (already erased, or the id only appears inside a longer one) or changed
   * meanwhile (another erasure got there first, or it expired).
   */
  private async eraseFromAuditEntry(entry: Item, member: Member): Promise<boolean> {
    const actorId = readString(entry, 'actorId') ?? '';
    const action = readString(entry, 'action') ?? '';
    const byMember = readString(entry, 'actorPlatform') === member.platform && actorId === member.id;
    const erasedAction = withoutMemberId(action, member.id);
    if (!byMember && erasedAction === action) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({
            [TABLE.partitionKey]: readString(entry, TABLE.partitionKey),
            [TABLE.sortKey]: readString(entry, TABLE.sortKey),
          }),
          UpdateExpression: 'SET actorId = :newActor, #action = :newAction',
          ConditionExpression: 'actorId = :oldActor AND #action = :oldAction',
          ExpressionAttributeNames: { '#action': 'action' },
          ExpressionAttributeValues: toItem({
            ':newActor': byMember ? ERASED_MEMBER_ID : actorId,
            ':newAction': erasedAction,
            ':oldActor': actorId,
            ':oldAction': action,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  async putLinkCode(digest: string, code: LinkCode, now: Date): Promise<void> {
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...linkCodeKey(digest),
            ...toItem({
              communityId: code.communityId,
              issuedInPlatform: code.issuedIn.platform,
              issuedInId: code.issuedIn.id,
              issuedByPlatform: code.issuedBy.platform,
              issuedById: code.issuedBy.id,
              expiresAtIso: code.expiresAt,
              [TABLE.timeToLiveAttribute]: epochSeconds(new Date(code.expiresAt)),
              createdAt: now.toISOString(),
            }),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async findLinkCode(digest: string, now: Date): Promise<LinkCode | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: linkCodeKey(digest), ConsistentRead: true }))
      .catch(storeError('GetItem'));
    if (!Item) return undefined;
    const usedBy = readString(Item, 'usedBy');
    const expiresAt = readString(Item, 'expiresAtIso') ?? '';
    // TTL deletion is lazy: an expired code may still be in the table.
    if (!(new Date(expiresAt).getTime() > now.getTime())) return undefined;
    return {
      communityId: readString(Item, 'communityId') ?? '',
      issuedIn: {
        platform: readString(Item, 'issuedInPlatform') as Platform,
        id: readString(Item, 'issuedInId') ?? '',
      },
      issuedBy: {
        platform: readString(Item, 'issuedByPlatform') as Platform,
        id: readString(Item, 'issuedById') ?? '',
      },
      expiresAt,
      ...(usedBy ? { usedBy } : {}),
      ...(readString(Item, 'doneAt') ? { done: true } : {}),
    };
  }

  async consumeLinkCode(digest: string, usedBy: string, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: linkCodeKey(digest),
          UpdateExpression: 'SET usedAt = :now, usedBy = :by',
          // The same space may finish a confirmation that failed half-way (until it is marked done); nobody
          // else may use it again.
          ConditionExpression:
            'attribute_exists(#pk) AND (attribute_not_exists(usedAt) OR (usedBy = :by AND attribute_not_exists(doneAt))) AND #expires > :seconds',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#expires': TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: toItem({
            ':now': now.toISOString(),
            ':by': usedBy,
            ':seconds': epochSeconds(now),
          }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError('UpdateItem', { cause: error });
    }
  }

  async finishLinkCode(digest: string, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: linkCodeKey(digest),
          UpdateExpression: 'SET doneAt = :now',
          ExpressionAttributeValues: toItem({ ':now': now.toISOString() }),
        }),
      )
      .catch(storeError('UpdateItem'));
  }

  private async query(communityId: string, prefix: string, limit: number, forward: boolean) {
    const { Items } = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: toItem({ ':pk': communityPartition(communityId), ':prefix': prefix }),
          ScanIndexForward: forward,
          Limit: limit,
          ConsistentRead: true,
        }),
      )
      .catch(storeError('Query'));
    return Items ?? [];
  }
}

function moderatorKey(communityId: string, member: Member): Item {
  return toItem({
    [TABLE.partitionKey]: communityPartition(communityId),
    [TABLE.sortKey]: `MOD#${member.platform}:${member.id}`,
  });
}

/**
 * `text` with every mention of the member id `id` replaced by {@link ERASED_MEMBER_ID}: the id as a whole
 * token (`slack:U1` matches, `slack:U12` and `telegram:-1001` for id `1` do not).
 */
function withoutMemberId(text: string, id: string): string {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'g'), ERASED_MEMBER_ID);
}

function linkCodeKey(digest: string): Item {
  return toItem({ [TABLE.partitionKey]: `LINKCODE#${digest}`, [TABLE.sortKey]: 'LINKCODE' });
}
