import { createHash } from 'node:crypto';
import type { User } from 'grammy/types';
import { CommunityError } from '../../shared/core/errors.js';
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
 * fake runs in: a user id is `<role> * 10^15 + <name code>`, a group id `-(10^15 + <name code>)` in the
 * first space (`a`) and `-(2 * 10^15 + <space> * 10^14 + <name code>)` in spaces `b` to `z`. Names of up to
 * 9 characters of [a-z0-9_-] (8 in spaces `b` to `z`) are coded reversibly (so replies can name them),
 * longer ones hashed. Every id stays within the 52 bits Telegram promises.
 */
const ROLES = ['member', 'moderator', 'stranger'] as const;
type Role = (typeof ROLES)[number];
const ROLE_UNIT = 1e15;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789_-';
const BASE = ALPHABET.length + 1;
const CODED_LIMIT = BASE ** 9;
/** The sandbox channel name of a member's private chat with the bot. */
export const PRIVATE_CHANNEL = 'dm';

/** The sandbox's first space: its groups keep the ids they had before there were others. */
export const DEFAULT_SPACE = 'a';
/** Spaces are one letter: `a` (the default) to `z`. */
const SPACES = 'abcdefghijklmnopqrstuvwxyz';
/** Where the groups of spaces `b` to `z` start, and how many ids each of those spaces has. */
const OTHER_SPACES_START = 2 * ROLE_UNIT;
const SPACE_UNIT = 1e14;
const SPACE_CODED_LIMIT = BASE ** 8;

/** A sandbox group: its channel name (when short enough to be read back) and its space. */
export interface SandboxGroup {
  readonly channel: string | undefined;
  readonly space: string;
}

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

/** The index of a space name (`a` is 0); anything but one letter is refused. */
function spaceIndex(space: string): number {
  const index = space.length === 1 ? SPACES.indexOf(space.toLowerCase()) : -1;
  if (index < 0) {
    throw new CommunityError(
      'sandbox_space_invalid',
      `A sandbox space is one letter, a to z (got "${space}")`,
    );
  }
  return index;
}

/** A channel's code within a space other than the first: coded up to 8 characters, else hashed. */
function channelCode(channel: string): number {
  const code = channel.length <= 8 ? nameCode(channel) : CODED_LIMIT;
  if (code < SPACE_CODED_LIMIT) return code;
  return (
    SPACE_CODED_LIMIT + (sandboxHash(`channel:${channel.toLowerCase()}`) % (SPACE_UNIT - SPACE_CODED_LIMIT))
  );
}

/**
 * The chat id of a sandbox channel: a supergroup of `space` (`a` unless given), or for `dm` the member's
 * private chat with the bot (the same in every space: a member is one Telegram user).
 */
export function sandboxChatId(channel: string, user: string, space = DEFAULT_SPACE): number {
  if (channel === PRIVATE_CHANNEL) return sandboxUserId(user);
  const index = spaceIndex(space);
  if (index === 0) return -(ROLE_UNIT + nameCode(channel));
  return -(OTHER_SPACES_START + (index - 1) * SPACE_UNIT + channelCode(channel));
}

/** The space and channel a sandbox group id was built from; undefined for any other chat. */
export function sandboxGroupOf(chatId: number): SandboxGroup | undefined {
  const magnitude = -chatId;
  if (!Number.isSafeInteger(chatId) || magnitude < ROLE_UNIT) return undefined;
  if (magnitude < OTHER_SPACES_START) return { channel: nameOf(magnitude - ROLE_UNIT), space: DEFAULT_SPACE };
  const offset = magnitude - OTHER_SPACES_START;
  const space = SPACES[1 + Math.floor(offset / SPACE_UNIT)];
  if (!space) return undefined;
  const code = offset % SPACE_UNIT;
  return { channel: code < SPACE_CODED_LIMIT ? nameOf(code) : undefined, space };
}

/** A sandbox group's title: its channel name, prefixed by its space outside the first (`b/general`). */
export function sandboxGroupTitle(chatId: number): string | undefined {
  const group = sandboxGroupOf(chatId);
  if (!group?.channel) return undefined;
  return group.space === DEFAULT_SPACE ? group.channel : `${group.space}/${group.channel}`;
}

/**
 * The space a sandbox moderator administers: the letter after a final dash (`modann-b` runs the groups of
 * space `b`), else the first space. So two spaces have different administrators, as two real groups do.
 */
function administeredSpace(name: string | undefined): string {
  const suffix = /-([a-z])$/.exec(name ?? '')?.[1];
  return suffix ?? DEFAULT_SPACE;
}

/**
 * Whether getChatMember says `administrator` for this user in this chat: a sandbox moderator
 * (`isSandboxModerator`) in a group of the space they administer. Chats that are no sandbox group (the
 * documented fixtures' ids) belong to the first space.
 */
export function isSandboxAdministrator(userId: number, chatId: number): boolean {
  const { role, name } = describeSandboxUser(userId);
  if (role !== 'moderator' || chatId > 0) return false;
  return administeredSpace(name) === sandboxSpaceOf(chatId);
}

/** A moderator's sandbox name in `space`: `modann` in the first space, `modann-b` in space `b`. */
export function sandboxModeratorName(name: string, space = DEFAULT_SPACE): string {
  return spaceIndex(space) === 0 ? name : `${name}-${space.toLowerCase()}`;
}

/** The space a sandbox chat belongs to (the first one for a chat that is no sandbox group). */
export function sandboxSpaceOf(chatId: number): string {
  return sandboxGroupOf(chatId)?.space ?? DEFAULT_SPACE;
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
