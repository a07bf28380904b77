import { createHash } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { epochSeconds, type Item, readString, readStringSet, toItem } from './attributes.js';
import { isConditionalCheckFailed, StoreError, storeError } from './errors.js';
import { INSTALLATION_ITEM, spacePartition } from './keys.js';
import { TABLE } from './table.js';

/**
 * Slack installations, one per workspace, in the workspace's space partition (`SPACE#slack:<team>` /
 * `INSTALLATION`): what `oauth.v2.access` granted the bot there. Written by the OAuth function, read by the
 * Slack events function at a workspace's first event per instance, deleted with the space's tokens when the
 * app is uninstalled (the core's `bot_removed`, shared/store/space-repository.ts). The table is encrypted
 * with a customer-managed KMS key (infra/community-stack.ts), and no value of this item is ever logged.
 *
 * Also the OAuth callback's claims (`OAUTH#<sha-256 of the code>` / `CODE`): a callback delivered twice
 * (a double click, a retried request) exchanges its code and stores its installation once.
 */

/** What a workspace's installation holds. */
export interface SlackInstallation {
  readonly teamId: string;
  /** The `xoxb-` bot token: a credential, never logged, never shown. */
  readonly botToken: string;
  /** The bot's id in this workspace (`B...`): its own messages carry it. */
  readonly botId: string;
  /** The bot's user id in this workspace (`U...`): its own events are never engagement. */
  readonly botUserId: string;
  /** The bot scopes granted. */
  readonly scopes: readonly string[];
  /** Who installed the app (`U...`). */
  readonly installerUserId: string;
  /** ISO time of the installation. */
  readonly installedAt: string;
}

/** What the events function needs to act as the bot in one workspace. */
export interface InstalledBot {
  readonly token: string;
  readonly botId: string;
  readonly botUserId: string;
}

/** The attributes read to act as the bot: the token and ids only. */
const BOT_ATTRIBUTES = ['botToken', 'botId', 'botUserId'] as const;

export class InstallationRepository {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Stores a workspace's installation; a reinstall replaces the one before (a new token). */
  async save(installation: SlackInstallation): Promise<void> {
    await this.client
      .send(new PutItemCommand({ TableName: this.tableName, Item: toInstallationItem(installation) }))
      .catch(storeError('PutItem'));
  }

  /** A workspace's installation, read strongly consistently; undefined when the app is not installed there. */
  async find(teamId: string): Promise<SlackInstallation | undefined> {
    const item = await this.get(teamId);
    return item ? fromInstallationItem(item) : undefined;
  }

  /**
   * The bot token and ids of a workspace (a strongly consistent read: the first event may follow the
   * installation within a second); undefined when the app is not installed there.
   */
  async findBotToken(teamId: string): Promise<InstalledBot | undefined> {
    const item = await this.get(teamId, BOT_ATTRIBUTES);
    const token = readString(item, 'botToken');
    const botId = readString(item, 'botId');
    const botUserId = readString(item, 'botUserId');
    return token && botId && botUserId ? { token, botId, botUserId } : undefined;
  }

  /** Deletes a workspace's installation (its tokens); deleting one that is gone is no error. */
  async delete(teamId: string): Promise<void> {
    await this.client
      .send(new DeleteItemCommand({ TableName: this.tableName, Key: installationKey(teamId) }))
      .catch(storeError('DeleteItem'));
  }

  private async get(teamId: string, attributes?: readonly string[]): Promise<Item | undefined> {
    const names = attributes?.map((name, index) => [`#a${index}`, name] as const);
    const { Item } = await this.client
      .send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: installationKey(teamId),
          ConsistentRead: true,
          ...(names
            ? {
                ProjectionExpression: names.map(([alias]) => alias).join(', '),
                ExpressionAttributeNames: Object.fromEntries(names),
              }
            : {}),
        }),
      )
      .catch(storeError('GetItem'));
    return Item;
  }
}

function installationKey(teamId: string): Item {
  return toItem({
    [TABLE.partitionKey]: spacePartition({ platform: 'slack', id: teamId }),
    [TABLE.sortKey]: INSTALLATION_ITEM,
  });
}

/** Written attribute by attribute: renaming a field of {@link SlackInstallation} never changes what is stored. */
function toInstallationItem(installation: SlackInstallation): Item {
  return {
    ...installationKey(installation.teamId),
    ...toItem({
      teamId: installation.teamId,
      botToken: installation.botToken,
      botId: installation.botId,
      botUserId: installation.botUserId,
      scopes: installation.scopes,
      installerUserId: installation.installerUserId,
      installedAt: installation.installedAt,
    }),
  };
}

function fromInstallationItem(item: Item): SlackInstallation {
  return {
    teamId: readString(item, 'teamId') ?? '',
    botToken: readString(item, 'botToken') ?? '',
    botId: readString(item, 'botId') ?? '',
    botUserId: readString(item, 'botUserId') ?? '',
    scopes: readStringSet(item, 'scopes'),
    installerUserId: readString(item, 'installerUserId') ?? '',
    installedAt: readString(item, 'installedAt') ?? '',
  };
}

/** Where one OAuth callback stands: new to us (now claimed), being completed elsewhere, or done. */
export type CallbackClaim =
  | { readonly state: 'claimed' }
  | { readonly state: 'in_progress' }
  | { readonly state: 'completed'; readonly teamId: string; readonly teamName?: string };

/**
 * How long a claim in progress holds: longer than the OAuth function may run (10 s), so a second delivery
 * of a callback that is still being completed waits for it; short, so a callback whose function died can
 * be delivered again.
 */
export const CLAIM_IN_PROGRESS_SECONDS = 30;

/** How long a completed callback is remembered: Slack's codes expire after 10 minutes. */
export const CLAIM_COMPLETED_SECONDS = 60 * 60;

/**
 * Claims on OAuth callbacks, keyed by a digest of the authorization code (the code itself, a credential for
 * ten minutes, is never stored): in progress, then completed with the workspace it installed, expiring.
 */
export class CallbackClaimRepository {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Claims the callback carrying `code`, unless another delivery of it holds or completed it. */
  async claim(code: string, now: Date): Promise<CallbackClaim> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...claimKey(code),
            ...toItem({
              status: 'in_progress',
              [TABLE.timeToLiveAttribute]: epochSeconds(now) + CLAIM_IN_PROGRESS_SECONDS,
            }),
          },
          // An expired claim (DynamoDB deletes expired items lazily) is as good as none.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expires < :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#expires': TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: toItem({ ':now': epochSeconds(now) }),
        }),
      );
      return { state: 'claimed' };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw new StoreError('PutItem', { cause: error });
    }
    return this.read(code);
  }

  /** The callback installed `teamId`: a later delivery of it is answered from this. */
  async complete(code: string, team: { id: string; name?: string }, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: claimKey(code),
          UpdateExpression: team.name
            ? 'SET #status = :completed, teamId = :team, teamName = :name, #expires = :expires'
            : 'SET #status = :completed, teamId = :team, #expires = :expires',
          ExpressionAttributeNames: { '#status': 'status', '#expires': TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: toItem({
            ':completed': 'completed',
            ':team': team.id,
            ':name': team.name,
            ':expires': epochSeconds(now) + CLAIM_COMPLETED_SECONDS,
          }),
        }),
      )
      .catch(storeError('UpdateItem'));
  }

  /** Gives a failed callback's claim up, so that delivering it again tries again. */
  async release(code: string): Promise<void> {
    await this.client
      .send(new DeleteItemCommand({ TableName: this.tableName, Key: claimKey(code) }))
      .catch(storeError('DeleteItem'));
  }

  private async read(code: string): Promise<CallbackClaim> {
    const { Item } = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: claimKey(code), ConsistentRead: true }))
      .catch(storeError('GetItem'));
    const teamId = readString(Item, 'teamId');
    const teamName = readString(Item, 'teamName');
    if (readString(Item, 'status') === 'completed' && teamId) {
      return { state: 'completed', teamId, ...(teamName ? { teamName } : {}) };
    }
    // Held by another delivery, or released or expired between our put and this read: either way the
    // member is asked to reload in a moment, which is a new delivery.
    return { state: 'in_progress' };
  }
}

function claimKey(code: string): Item {
  const digest = createHash('sha256').update(code).digest('hex');
  return toItem({ [TABLE.partitionKey]: `OAUTH#${digest}`, [TABLE.sortKey]: 'CODE' });
}
