import type { Member } from '../../shared/core/events.js';
import { SLACKBOT_USER_ID } from './parse.js';

/** Who is a moderator on Slack, in words (the check below implements it). */
export const SLACK_MODERATOR_RULE = 'workspace owners and admins';

/** How long a Slack role answer is trusted in one Lambda instance. */
export const MODERATOR_CACHE_MS = 60_000;

/** Bounds the cache of a long-lived instance: expired answers are dropped once it holds this many. */
const MAX_CACHED = 1000;

/** The part of the WebClient the moderator check uses; the token is the workspace's bot token. */
export interface UsersInfoClient {
  readonly users: {
    info(args: { user: string; token: string }): Promise<{
      readonly user?: {
        readonly is_admin?: boolean;
        readonly is_owner?: boolean;
        readonly is_primary_owner?: boolean;
      };
    }>;
  };
}

/** A Web API client and the bot token of the workspace it asks about. */
export interface WorkspaceApi<Client> {
  readonly client: Client;
  readonly token: string;
}

/** Answers "is this member a moderator?" for Slack: a workspace admin, owner or primary owner. */
export type ModeratorCheck = (
  api: WorkspaceApi<UsersInfoClient>,
  teamId: string,
  userId: string,
) => Promise<boolean>;

/**
 * A moderator check that asks Slack (`users.info`) and remembers the answer briefly, so a burst of
 * commands costs one API call. Only answers are cached: a failed call is asked again next time.
 */
export function createModeratorCheck(ttlMs = MODERATOR_CACHE_MS, now = () => Date.now()): ModeratorCheck {
  const answers = new Map<string, { readonly moderator: boolean; readonly expiresAt: number }>();
  return async ({ client, token }, teamId, userId) => {
    const key = `${teamId}/${userId}`;
    const cached = answers.get(key);
    if (cached && cached.expiresAt > now()) return cached.moderator;
    const { user } = await client.users.info({ user: userId, token });
    const moderator = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
    if (answers.size >= MAX_CACHED) forgetExpired(answers, now());
    answers.set(key, { moderator, expiresAt: now() + ttlMs });
    return moderator;
  };
}

function forgetExpired(answers: Map<string, { readonly expiresAt: number }>, at: number): void {
  for (const [key, answer] of answers) if (answer.expiresAt <= at) answers.delete(key);
}

/** The part of a `users.list` member object the moderator list reads. */
interface ListedUser {
  readonly id?: string;
  readonly deleted?: boolean;
  readonly is_bot?: boolean;
  readonly is_admin?: boolean;
  readonly is_owner?: boolean;
  readonly is_primary_owner?: boolean;
}

/** The part of the WebClient the moderator list uses. */
export interface UsersListClient {
  readonly users: {
    list(args: { limit: number; cursor?: string; token: string }): Promise<{
      readonly members?: readonly ListedUser[];
      readonly response_metadata?: { readonly next_cursor?: string };
    }>;
  };
}

/** A workspace's moderators (admins, owners, the primary owner), as Slack lists them now. */
export type ModeratorList = (
  api: WorkspaceApi<UsersListClient>,
  teamId: string,
) => Promise<readonly Member[]>;

/** Slack's recommended page size for `users.list`; it may return fewer and still have more. */
const USERS_PAGE_SIZE = 200;

/** Stops a runaway cursor: 100 pages are 20,000 members, beyond any community this bot serves. */
const MAX_USER_PAGES = 100;

/**
 * Lists the moderators with `users.list`, page by page along its cursor: admins, owners and the primary
 * owner, never a bot, a deactivated account or Slackbot. The list is remembered briefly per workspace, so a
 * job that runs again (Lambda's retry) does not walk the directory twice.
 */
export function createModeratorList(ttlMs = MODERATOR_CACHE_MS, now = () => Date.now()): ModeratorList {
  const lists = new Map<string, { readonly members: readonly Member[]; readonly expiresAt: number }>();
  return async ({ client, token }, teamId) => {
    const cached = lists.get(teamId);
    if (cached && cached.expiresAt > now()) return cached.members;
    const members: Member[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_USER_PAGES; page += 1) {
      const result = await client.users.list({
        limit: USERS_PAGE_SIZE,
        token,
        ...(cursor ? { cursor } : {}),
      });
      for (const user of result.members ?? []) {
        if (user.id && isModeratorAccount(user)) members.push({ platform: 'slack', id: user.id });
      }
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    lists.set(teamId, { members, expiresAt: now() + ttlMs });
    return members;
  };
}

function isModeratorAccount(user: ListedUser): boolean {
  if (user.deleted || user.is_bot || user.id === SLACKBOT_USER_ID) return false;
  return Boolean(user.is_admin || user.is_owner || user.is_primary_owner);
}
