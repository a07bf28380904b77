import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Member, Platform } from '../core/events.js';
import type { CodeRefusal, MemberCode, MemberStore, PrivacyState } from '../core/members/model.js';
import { epochSeconds, type Item, readNumber, readString, readStringSet, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { communityPartition } from './keys.js';
import { getAll } from './reads.js';
import { TABLE } from './table.js';

const { byDay: codeIndex } = TABLE.indexes;

/**
 * Privacy markers (`PRIVACY#<keyed hash>`: the one item about a person with no community in its key, because
 * it must hold before any community knows them and outlive their erasure; it names nobody), identity mappings
 * and member codes (both in their community's partition).
 */
export class MemberRepository implements MemberStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async privacy(keys: readonly string[]): Promise<Map<string, PrivacyState>> {
    const items = await getAll(this.client, this.tableName, keys.map(privacyItemKey), true);
    return privacyStates(items);
  }

  async setOptedOut(key: string, optedOut: boolean, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: privacyItemKey(key),
          UpdateExpression:
            'SET optedOut = :out, updatedAt = :at, generation = if_not_exists(generation, :zero)',
          ExpressionAttributeValues: toItem({
            ':out': optedOut ? 1 : 0,
            ':at': now.toISOString(),
            ':zero': 0,
          }),
        }),
      )
      .catch(storeError('UpdateItem'));
  }

  async beginErasure(key: string, communityId: string, now: Date) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: privacyItemKey(key),
          UpdateExpression: 'SET optedOut = :out, erasing = :community, updatedAt = :at ADD generation :one',
          // An erasure already under way for this community keeps its generation: a resumed job must look
          // for the same ids, and the member must not move on twice.
          ConditionExpression: 'attribute_not_exists(erasing) OR erasing <> :community',
          ExpressionAttributeValues: toItem({
            ':out': 1,
            ':community': communityId,
            ':at': now.toISOString(),
            ':one': 1,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const state = fromPrivacyItem(Attributes ?? {});
      return { state, erase: state.generation - 1 };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
    }
    const state = (await this.privacy([key])).get(key) ?? {
      optedOut: true,
      generation: 1,
      erasing: communityId,
    };
    return { state, erase: state.generation - 1 };
  }

  async endErasure(key: string, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: privacyItemKey(key),
          UpdateExpression: 'REMOVE erasing SET updatedAt = :at',
          ExpressionAttributeValues: toItem({ ':at': now.toISOString() }),
        }),
      )
      .catch(storeError('UpdateItem'));
  }

  async identities(communityId: string, member: Member): Promise<Member[]> {
    const [item] = await getAll(this.client, this.tableName, [identityKey(communityId, member)], true);
    // A string set has no order in DynamoDB: sorted, so `me` lists accounts the same way every time.
    const linked = readStringSet(item, 'identities').sort().map(parseIdentity);
    return linked.length > 0 ? linked : [member];
  }

  async saveIdentities(communityId: string, identities: readonly Member[], now: Date): Promise<void> {
    const names = identities.map(identityName).sort();
    for (const identity of identities) {
      await this.client
        .send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...identityKey(communityId, identity),
              ...toItem({ identities: names, linkedAt: now.toISOString() }),
            },
          }),
        )
        .catch(storeError('PutItem'));
    }
  }

  async deleteIdentity(communityId: string, member: Member): Promise<boolean> {
    return this.deleteItem(identityKey(communityId, member));
  }

  async putCode(digest: string, code: MemberCode): Promise<void> {
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...codeKey(code.communityId, code.issuer),
            ...toItem({
              [codeIndex.partitionKey]: codeIndexPartition(digest),
              [codeIndex.sortKey]: 'MEMBERCODE',
              digest,
              communityId: code.communityId,
              issuerPlatform: code.issuer.platform,
              issuerId: code.issuer.id,
              validUntil: code.expiresAt,
              [TABLE.timeToLiveAttribute]: epochSeconds(new Date(code.expiresAt)),
            }),
          },
        }),
      )
      .catch(storeError('PutItem'));
  }

  async findCode(digest: string): Promise<MemberCode | undefined> {
    // The index is eventually consistent: a code is typed by a person on another platform, seconds later.
    const { Items } = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: codeIndex.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': codeIndex.partitionKey },
          ExpressionAttributeValues: toItem({ ':pk': codeIndexPartition(digest) }),
        }),
      )
      .catch(storeError('Query'));
    // The index projects keys only (and `memberId`): the code itself is read from the table.
    const keys = (Items ?? []).map((found) =>
      toItem({
        [TABLE.partitionKey]: readString(found, TABLE.partitionKey),
        [TABLE.sortKey]: readString(found, TABLE.sortKey),
      }),
    );
    const items = keys.length > 0 ? await getAll(this.client, this.tableName, keys, true) : [];
    const item = items.find((found) => readString(found, 'digest') === digest);
    return item ? fromCodeItem(item) : undefined;
  }

  async useCode(digest: string, code: MemberCode, now: Date): Promise<CodeRefusal | undefined> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: codeKey(code.communityId, code.issuer),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'digest = :digest AND attribute_not_exists(usedAt) AND validUntil > :now',
          ExpressionAttributeValues: toItem({ ':digest': digest, ':now': now.toISOString() }),
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('UpdateItem', { cause: error });
    }
    const [item] = await getAll(this.client, this.tableName, [codeKey(code.communityId, code.issuer)], true);
    if (!item || readString(item, 'digest') !== digest) return 'unknown';
    return readString(item, 'usedAt') ? 'used' : 'expired';
  }

  async deleteCode(communityId: string, member: Member): Promise<boolean> {
    return this.deleteItem(codeKey(communityId, member));
  }

  private async deleteItem(key: Item): Promise<boolean> {
    const { Attributes } = await this.client
      .send(new DeleteItemCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }))
      .catch(storeError('DeleteItem'));
    return Attributes !== undefined;
  }
}

/** The privacy states among items of any kind (the recording path reads them with a space's item). */
export function privacyStates(items: readonly Item[]): Map<string, PrivacyState> {
  const states = new Map<string, PrivacyState>();
  for (const item of items) {
    const pk = readString(item, TABLE.partitionKey) ?? '';
    if (pk.startsWith(PRIVACY_PREFIX)) states.set(pk.slice(PRIVACY_PREFIX.length), fromPrivacyItem(item));
  }
  return states;
}

const PRIVACY_PREFIX = 'PRIVACY#';

export function privacyItemKey(key: string): Item {
  return toItem({ [TABLE.partitionKey]: `${PRIVACY_PREFIX}${key}`, [TABLE.sortKey]: 'PRIVACY' });
}

function fromPrivacyItem(item: Item): PrivacyState {
  const erasing = readString(item, 'erasing');
  return {
    optedOut: readNumber(item, 'optedOut') === 1,
    generation: readNumber(item, 'generation'),
    ...(erasing ? { erasing } : {}),
  };
}

function identityName(member: Member): string {
  return `${member.platform}:${member.id}`;
}

function parseIdentity(name: string): Member {
  const at = name.indexOf(':');
  return { platform: name.slice(0, at) as Platform, id: name.slice(at + 1) };
}

function identityKey(communityId: string, member: Member): Item {
  return toItem({
    [TABLE.partitionKey]: communityPartition(communityId),
    [TABLE.sortKey]: `IDENTITY#${identityName(member)}`,
  });
}

function codeKey(communityId: string, member: Member): Item {
  return toItem({
    [TABLE.partitionKey]: communityPartition(communityId),
    [TABLE.sortKey]: `MCODE#${identityName(member)}`,
  });
}

function codeIndexPartition(digest: string): string {
  return `MEMBERCODE#${digest}`;
}

function fromCodeItem(item: Item): MemberCode {
  const usedAt = readString(item, 'usedAt');
  return {
    communityId: readString(item, 'communityId') ?? '',
    issuer: {
      platform: readString(item, 'issuerPlatform') as Platform,
      id: readString(item, 'issuerId') ?? '',
    },
    expiresAt: readString(item, 'validUntil') ?? '',
    ...(usedAt ? { usedAt } : {}),
  };
}
