import type { Api } from 'grammy/web';
import type { Logger } from '../../shared/lambda/logger.js';
import type { CacheRepository } from '../../shared/store/cache-repository.js';

/** Who is a moderator on Telegram, in words (the check below implements it). */
export const TELEGRAM_MODERATOR_RULE = 'the chat creator and administrators';

/**
 * Cache name in the shared table: one entry per chat and user, holding the member's status. The user part is
 * a keyed hash where the handler has one ({@link ModeratorCheckDeps.userKey}), so no item names the person.
 */
export const ADMIN_CACHE = 'telegram-admin';
/** How long a chat member's status is trusted: long enough to absorb bursts, short enough for demotions. */
export const ADMIN_CACHE_TTL_SECONDS = 300;

const MODERATOR_STATUSES: ReadonlySet<string> = new Set(['creator', 'administrator']);

/** The parts of the Telegram API and the cache the check uses. */
export interface ModeratorCheckDeps {
  readonly api: Pick<Api, 'getChatMember'>;
  readonly cache: Pick<CacheRepository, 'get' | 'put'>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** How the cache names a user: the handler's keyed hash of the identity; the raw id when not given. */
  readonly userKey?: (userId: number) => Promise<string>;
}

/** Answers "is this user a moderator of this chat?" (see {@link TELEGRAM_MODERATOR_RULE}). */
export type ModeratorCheck = (chatId: number, userId: number) => Promise<boolean>;

/**
 * Moderators are the chat's creator and administrators, as getChatMember says. The status is cached in the
 * table for a few minutes, so every Lambda instance shares one answer. The cache only saves calls: when
 * the table cannot be read or written the check still asks Telegram.
 */
export function createModeratorCheck({
  api,
  cache,
  logger,
  now = () => new Date(),
  userKey = async (userId) => String(userId),
}: ModeratorCheckDeps): ModeratorCheck {
  return async (chatId, userId) => {
    const key = `${chatId}:${await userKey(userId)}`;
    const cached = await cache.get(ADMIN_CACHE, key, now()).catch((error: unknown) => {
      logger.warn('admin cache unreadable; asking Telegram', { error: error as Error });
      return undefined;
    });
    if (cached !== undefined) return MODERATOR_STATUSES.has(cached);
    const { status } = await api.getChatMember(chatId, userId);
    await cache.put(ADMIN_CACHE, key, status, ADMIN_CACHE_TTL_SECONDS, now()).catch((error: unknown) => {
      logger.warn('admin cache not written', { error: error as Error });
    });
    return MODERATOR_STATUSES.has(status);
  };
}
