import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Space } from '../core/events.js';
import {
  type AttentionSettings,
  type AttentionStore,
  type BudgetKey,
  CHANNEL_ROLES,
  type ChannelRole,
  type ChannelSettings,
  DEFAULT_ATTENTION,
  SPEND_KEPT_DAYS,
  type Spend,
} from '../core/outbox/model.js';
import { epochSeconds, type Item, readNumber, readString, readStringSet, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { communityPartition, spacePartition } from './keys.js';
import { getAll, queryAll } from './reads.js';
import { TABLE } from './table.js';
import { deleteAll } from './writes.js';

const DAY_SECONDS = 24 * 3600;

/** The settings' numbers, each stored under its own name (a boolean as 0 or 1). */
const NUMBER_SETTINGS = ['channelPerDay', 'channelPerWeek', 'memberPerWeek'] as const;

/**
 * The attention items. In the community's partition: its settings (`ATTENTION`, only what differs from
 * {@link DEFAULT_ATTENTION}), members' mutes (`MUTE#<member id>`) and a person's budget spends
 * (`SPEND#person#...`). In the space's partition: channels' roles and mutes (`CHANNEL#<channel>`) and the
 * channel and greeting spends (`SPEND#channel#...`, `SPEND#greeting#...`).
 *
 * A spend's sort key names the budget and the message, not the time: a second spend of one message is the
 * same item (a conditional put keeps the first), and the few items a budget holds in its kept days are read
 * whole and filtered by time.
 */
export class AttentionRepository implements AttentionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** What a community that never changed a setting gets (DEFAULT_QUIET_HOURS may turn quiet hours off). */
    private readonly defaults: AttentionSettings = DEFAULT_ATTENTION,
  ) {}

  async settings(communityId: string): Promise<AttentionSettings> {
    return fromSettingsItem(await this.getItem(settingsKey(communityId)), this.defaults);
  }

  async saveSettings(communityId: string, change: Partial<AttentionSettings>): Promise<AttentionSettings> {
    const fields: Record<string, string | number | undefined> = {
      communityId,
      zone: change.timeZone,
      paused: change.paused === undefined ? undefined : Number(change.paused),
      ...Object.fromEntries(NUMBER_SETTINGS.map((name) => [name, change[name]])),
    };
    const remove: string[] = [];
    // A key present with no value turns quiet hours off; an absent key leaves them as they are.
    if ('quietHours' in change) {
      const quiet = change.quietHours;
      Object.assign(fields, quiet ? { quietStart: quiet.start, quietEnd: quiet.end } : { quietOff: 1 });
      remove.push(...(quiet ? ['quietOff'] : ['quietStart', 'quietEnd']));
    }
    const set = Object.entries(fields).filter(([, value]) => value !== undefined);
    const { Attributes } = await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: settingsKey(communityId),
          UpdateExpression: `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')}${
            remove.length > 0 ? ` REMOVE ${remove.map((name) => `#${name}`).join(', ')}` : ''
          }`,
          // Every name through a placeholder: `zone` is one of DynamoDB's reserved words.
          ExpressionAttributeNames: Object.fromEntries(
            [...set.map(([name]) => name), ...remove].map((name) => [`#${name}`, name]),
          ),
          ExpressionAttributeValues: toItem(
            Object.fromEntries(set.map(([name, value]) => [`:${name}`, value])),
          ),
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch(storeError('UpdateItem'));
    return fromSettingsItem(Attributes, this.defaults);
  }

  async channel(space: Space, channelId: string): Promise<ChannelSettings> {
    return fromChannelItem(space, channelId, await this.getItem(channelKey(space, channelId)));
  }

  async channels(space: Space): Promise<ChannelSettings[]> {
    const items = await this.query(spacePartition(space), 'CHANNEL#');
    return items
      .map((item) => fromChannelItem(space, readString(item, 'channelId') ?? '', item))
      .filter((channel) => channel.roles.length > 0 || channel.muted);
  }

  setChannelRole(space: Space, channelId: string, role: ChannelRole, on: boolean): Promise<ChannelSettings> {
    return this.updateChannel(space, channelId, {
      UpdateExpression: `SET channelId = :channel ${on ? 'ADD' : 'DELETE'} #roles :role`,
      ExpressionAttributeNames: { '#roles': 'roles' },
      ExpressionAttributeValues: toItem({ ':channel': channelId, ':role': [role] }),
    });
  }

  setChannelMuted(space: Space, channelId: string, muted: boolean): Promise<ChannelSettings> {
    return this.updateChannel(space, channelId, {
      UpdateExpression: 'SET channelId = :channel, muted = :muted',
      ExpressionAttributeValues: toItem({ ':channel': channelId, ':muted': Number(muted) }),
    });
  }

  async mutedMembers(communityId: string, memberIds: readonly string[]): Promise<Set<string>> {
    const keys = memberIds.map((id) => muteKey(communityId, id));
    const items = await getAll(this.client, this.tableName, keys, true);
    return new Set(items.map((item) => readString(item, 'memberId') ?? ''));
  }

  async setMemberMuted(communityId: string, memberIds: readonly string[], muted: boolean): Promise<void> {
    if (!muted) {
      await deleteAll(
        this.client,
        this.tableName,
        memberIds.map((id) => muteKey(communityId, id)),
      );
      return;
    }
    for (const memberId of memberIds) {
      await this.client
        .send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...muteKey(communityId, memberId), ...toItem({ memberId }) },
          }),
        )
        .catch(storeError('PutItem'));
    }
  }

  async spends(key: BudgetKey, since: Date): Promise<Spend[]> {
    const { pk, prefix } = budgetOf(key);
    const items = await this.query(pk, prefix);
    return items
      .map((item) => ({
        messageId: readString(item, 'messageId') ?? '',
        at: readString(item, 'spentAt') ?? '',
      }))
      .filter((spend) => spend.at >= since.toISOString())
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map((spend) => ({ messageId: spend.messageId, at: new Date(spend.at) }));
  }

  async spend(key: BudgetKey, spend: Spend): Promise<void> {
    const { pk, prefix } = budgetOf(key);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            [TABLE.partitionKey]: pk,
            [TABLE.sortKey]: `${prefix}${keyPart(spend.messageId)}`,
            messageId: spend.messageId,
            spentAt: spend.at.toISOString(),
            [TABLE.timeToLiveAttribute]: epochSeconds(spend.at) + SPEND_KEPT_DAYS * DAY_SECONDS,
          }),
          // The first spend of a message stands: a repeat (a retried worker step) counts nothing.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
  }

  async eraseMember(communityId: string, memberIds: readonly string[]): Promise<number> {
    const pk = communityPartition(communityId);
    const mutes = await getAll(
      this.client,
      this.tableName,
      memberIds.map((id) => muteKey(communityId, id)),
      true,
    );
    const spends = await Promise.all(memberIds.map((id) => this.query(pk, `SPEND#person#${keyPart(id)}#`)));
    const keys = [...mutes, ...spends.flat()].map((item) =>
      toItem({
        [TABLE.partitionKey]: readString(item, TABLE.partitionKey),
        [TABLE.sortKey]: readString(item, TABLE.sortKey),
      }),
    );
    return deleteAll(this.client, this.tableName, keys);
  }

  /**
   * Changes a channel's item and returns what it holds now. An item left with no role and not muted is
   * deleted (conditionally: a concurrent change that gave it one stays), so `channels` lists only what matters.
   */
  private async updateChannel(
    space: Space,
    channelId: string,
    change: Pick<
      UpdateItemCommandInput,
      'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<ChannelSettings> {
    const Key = channelKey(space, channelId);
    const { Attributes } = await this.client
      .send(new UpdateItemCommand({ TableName: this.tableName, Key, ...change, ReturnValues: 'ALL_NEW' }))
      .catch(storeError('UpdateItem'));
    const channel = fromChannelItem(space, channelId, Attributes);
    if (channel.roles.length === 0 && !channel.muted) {
      try {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key,
            ConditionExpression:
              'attribute_not_exists(#roles) AND (attribute_not_exists(muted) OR muted = :no)',
            ExpressionAttributeNames: { '#roles': 'roles' },
            ExpressionAttributeValues: toItem({ ':no': 0 }),
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw new StoreError('DeleteItem', { cause: error });
      }
    }
    return channel;
  }

  private async getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
      .catch(storeError('GetItem'));
    return Item;
  }

  /** A partition's items under one sort-key prefix (consistent: a budget must see the send just counted). */
  private query(pk: string, prefix: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: toItem({ ':pk': pk, ':prefix': prefix }),
      ConsistentRead: true,
    });
  }
}

/**
 * One part of a sort key: `#` separates the parts, so it is escaped inside one (with `%`, escaped first), and
 * one budget's prefix can never be the start of another's (`C1#` and `C1#x#`).
 */
function keyPart(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('#', '%23');
}

/** Where a budget's spends live: the space's partition for a channel, the community's for a person. */
function budgetOf(key: BudgetKey): { pk: string; prefix: string } {
  if (key.kind === 'person') {
    return {
      pk: communityPartition(key.communityId),
      prefix: `SPEND#person#${keyPart(key.person)}#${keyPart(key.topic)}#`,
    };
  }
  return { pk: spacePartition(key.space), prefix: `SPEND#${key.kind}#${keyPart(key.channelId)}#` };
}

function settingsKey(communityId: string): Item {
  return toItem({ [TABLE.partitionKey]: communityPartition(communityId), [TABLE.sortKey]: 'ATTENTION' });
}

function channelKey(space: Space, channelId: string): Item {
  return toItem({ [TABLE.partitionKey]: spacePartition(space), [TABLE.sortKey]: `CHANNEL#${channelId}` });
}

function muteKey(communityId: string, memberId: string): Item {
  return toItem({
    [TABLE.partitionKey]: communityPartition(communityId),
    [TABLE.sortKey]: `MUTE#${memberId}`,
  });
}

/** The defaults, overridden by what the community changed; quiet hours `off` is stored as `quietOff`. */
function fromSettingsItem(item: Item | undefined, base: AttentionSettings): AttentionSettings {
  const { quietHours: defaultQuiet, ...defaults } = base;
  const number = (name: (typeof NUMBER_SETTINGS)[number]) =>
    item?.[name]?.N === undefined ? defaults[name] : readNumber(item, name);
  const start = readString(item, 'quietStart');
  const end = readString(item, 'quietEnd');
  const quietHours =
    readNumber(item, 'quietOff') === 1 ? undefined : start && end ? { start, end } : defaultQuiet;
  return {
    timeZone: readString(item, 'zone') ?? defaults.timeZone,
    channelPerDay: number('channelPerDay'),
    channelPerWeek: number('channelPerWeek'),
    memberPerWeek: number('memberPerWeek'),
    paused: item?.paused?.N === undefined ? defaults.paused : readNumber(item, 'paused') === 1,
    ...(quietHours ? { quietHours } : {}),
  };
}

/** A channel's settings; an unknown channel has no role and is not muted. Roles in {@link CHANNEL_ROLES} order. */
function fromChannelItem(space: Space, channelId: string, item: Item | undefined): ChannelSettings {
  const roles = new Set(readStringSet(item, 'roles'));
  return {
    space,
    channelId,
    roles: CHANNEL_ROLES.filter((role) => roles.has(role)),
    muted: readNumber(item, 'muted') === 1,
  };
}
