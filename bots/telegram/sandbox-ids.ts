import { createHash } from 'node:crypto';
import type { User } from 'grammy/types';
import { isSandboxModerator } from '../../shared/platform/sandbox.js';

/*
 * TEST ONLY. Fixed credentials for the sandbox, the tests and the bench. The fake Bot API accepts only this
 * token; they protect nothing: never use them with a real bot.
 */
/** Sandbox bot token (TELEGRAM_BOT_TOKEN); the bot's id is the part before `:`. Test only. */
export const SANDBOX_BOT_TOKEN = '7000000001:sandbox-telegram-bot-token-test-only';
/** Sandbox webhook secret (TELEGRAM_SECRET_TOKEN), sent in X-Telegram-Bot-Api-Secret-Token. Test only. */
export const SANDBOX_SECRET_TOKEN = 'sandbox-telegram-secret-token';
/** Sandbox bot username (TELEGRAM_BOT_USERNAME). */
export const SANDBOX_BOT_USERNAME = 'community_sandbox_bot';
/** Telegram's answer when a bot writes first to someone who never started it. */
export const CANNOT_INITIATE = "Forbidden: bot can't initiate conversation with a user";

/** The sandbox bot, as getMe and its own messages show it. */
export const SANDBOX_BOT_USER: User = {
  id: Number(SANDBOX_BOT_TOKEN.split(':')[0]),
  is_bot: true,
  first_name: 'Community',
  username: SANDBOX_BOT_USERNAME,
};

/*
 * Ids carry what the fake API must know, because `npm run say` signs in another process than the one the
 * fake runs in: a user id is `<role> * 10^15 + <name code>`, a group id `-(10^15 + <name code>)`. Names of
 * up to 9 characters of [a-z0-9_-] are coded reversibly (so replies can name them), longer ones hashed.
 */
const ROLES = ['member', 'moderator', 'stranger'] as const;
type Role = (typeof ROLES)[number];
const ROLE_UNIT = 1e15;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789_-';
const BASE = ALPHABET.length + 1;
const CODED_LIMIT = BASE ** 9;
/** The sandbox channel name of a member's private chat with the bot. */
export const PRIVATE_CHANNEL = 'dm';

/** Sandbox names starting with `stranger` never started the bot, so it cannot write to them first. */
export function isSandboxStranger(user: string): boolean {
  return user.toLowerCase().startsWith('stranger');
}

/**
 * Users who have started the bot, beyond everyone who is not a stranger: Telegram lets a bot write first
 * only to them. Kept for this process (see `telegramSandbox.noteDelivery`): a private-chat delivery marks
 * its sender, since nobody can write to a bot without pressing Start first, and a test can mark a member.
 */
const startedUsers = new Set<number>();

/** Marks a sandbox member as having pressed Start in their private chat with the bot. */
export function markSandboxStarted(user: string): void {
  startedUsers.add(sandboxUserId(user));
}

/** Marks a user id (any, not only a sandbox name's) as having started the bot. */
export function markUserStarted(userId: number): void {
  startedUsers.add(userId);
}

/** Whether Telegram would let the bot write first to this user. */
export function hasStartedBot(userId: number): boolean {
  return describeSandboxUser(userId).role !== 'stranger' || startedUsers.has(userId);
}

function roleOf(user: string): Role {
  if (isSandboxModerator(user)) return 'moderator';
  return isSandboxStranger(user) ? 'stranger' : 'member';
}

function nameCode(name: string): number {
  const lower = name.toLowerCase();
  let code = 0;
  for (const char of lower) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0 || lower.length > 9) return CODED_LIMIT + (sandboxHash(`name:${lower}`) % (4 * 1e14));
    code = code * BASE + digit + 1;
  }
  return code;
}

function nameOf(code: number): string | undefined {
  if (code <= 0 || code >= CODED_LIMIT) return undefined;
  let name = '';
  for (let rest = code; rest > 0; rest = Math.floor(rest / BASE)) name = ALPHABET[(rest % BASE) - 1] + name;
  return name;
}

/** The Telegram user id of a sandbox member. */
export function sandboxUserId(user: string): number {
  return (ROLES.indexOf(roleOf(user)) + 1) * ROLE_UNIT + nameCode(user);
}

/** The channel name a sandbox group id was built from, when it is short enough to be coded. */
export function sandboxGroupName(chatId: number): string | undefined {
  return nameOf(-chatId - ROLE_UNIT);
}

/** The chat id of a sandbox channel: a supergroup, or for `dm` the member's private chat with the bot. */
export function sandboxChatId(channel: string, user: string): number {
  return channel === PRIVATE_CHANNEL ? sandboxUserId(user) : -(ROLE_UNIT + nameCode(channel));
}

/** The role and (short) name a sandbox user id was built from. */
export function describeSandboxUser(id: number): { role: Role; name: string | undefined } {
  const role = ROLES[Math.floor(id / ROLE_UNIT) - 1] ?? 'member';
  return { role, name: nameOf(id % ROLE_UNIT) };
}

/** A 48-bit hash: ids that must not collide across a bench run. */
export function sandboxHash(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}
