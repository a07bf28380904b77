/** Who is a moderator on Slack, in words (the check below implements it). */
export const SLACK_MODERATOR_RULE = 'workspace owners and admins';

/** How long a Slack role answer is trusted in one Lambda instance. */
export const MODERATOR_CACHE_MS = 60_000;

/** Bounds the cache of a long-lived instance: expired answers are dropped once it holds this many. */
const MAX_CACHED = 1000;

/** The part of the WebClient the moderator check uses (Bolt hands the listener a client with the bot token). */
export interface UsersInfoClient {
  readonly users: {
    info(args: { user: string }): Promise<{
      readonly user?: {
        readonly is_admin?: boolean;
        readonly is_owner?: boolean;
        readonly is_primary_owner?: boolean;
      };
    }>;
  };
}

/** Answers "is this member a moderator?" for Slack: a workspace admin, owner or primary owner. */
export type ModeratorCheck = (client: UsersInfoClient, teamId: string, userId: string) => Promise<boolean>;

/**
 * A moderator check that asks Slack (`users.info`) and remembers the answer briefly, so a burst of
 * commands costs one API call. Only answers are cached: a failed call is asked again next time.
 */
export function createModeratorCheck(ttlMs = MODERATOR_CACHE_MS, now = () => Date.now()): ModeratorCheck {
  const answers = new Map<string, { readonly moderator: boolean; readonly expiresAt: number }>();
  return async (client, teamId, userId) => {
    const key = `${teamId}/${userId}`;
    const cached = answers.get(key);
    if (cached && cached.expiresAt > now()) return cached.moderator;
    const { user } = await client.users.info({ user: userId });
    const moderator = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
    if (answers.size >= MAX_CACHED) forgetExpired(answers, now());
    answers.set(key, { moderator, expiresAt: now() + ttlMs });
    return moderator;
  };
}

function forgetExpired(answers: Map<string, { readonly expiresAt: number }>, at: number): void {
  for (const [key, answer] of answers) if (answer.expiresAt <= at) answers.delete(key);
}
