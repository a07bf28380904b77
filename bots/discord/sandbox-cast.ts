/**
 * TEST ONLY. The sandbox's fixed Discord world: one application, one guild, a cast of members with their
 * rights, and the ids they have. Ids are derived from names, so the fake API (sandbox-api.ts), the signed
 * deliveries (sandbox.ts) and the tests agree without sharing state, even across processes
 * (`npm run dev` and `npm run say`).
 */
import { createHash } from 'node:crypto';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { isSandboxModerator } from '../../shared/platform/sandbox.js';

/** Sandbox application id (DISCORD_APPLICATION_ID). */
export const SANDBOX_APPLICATION_ID = '1300000000000000001';
/** Sandbox bot token (DISCORD_BOT_TOKEN); the fake API accepts only this one. Test only. */
export const SANDBOX_BOT_TOKEN = 'sandbox-discord-bot-token';
/** The sandbox's first guild (space `a`); the channel `dm` is a direct message with the bot instead. */
export const SANDBOX_GUILD_ID = '1300000000000000002';
/**
 * The sandbox's servers, by short name (`npm run say --space b`): communities to try side by side (a third,
 * `c`, for what takes two others, such as a link code used twice). All have the same cast, with the same
 * rights; any other guild is unknown to the fake API.
 */
export const SANDBOX_SPACES = ['a', 'b', 'c'] as const;
export const SANDBOX_COMMAND_ID = '1300000000000000003';

/** Discord snowflakes count milliseconds from the first second of 2015. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export const MEMBER_PERMISSIONS =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory;

/**
 * The guild's members, by name. Rules, so a test reads like the situation it sets up:
 * - names starting with `mod` hold the Moderators role (Manage Server), except `modmia`, who holds the
 *   Admins role (Administrator) instead;
 * - `olga` owns the guild and holds no role (an owner moderates by ownership);
 * - names containing `closed` have closed their DMs: Discord answers 50007 to a message for them.
 * Anyone else is not a member of the guild (Discord: 10007 Unknown Member).
 */
export const SANDBOX_CAST = [
  'alice',
  'bob',
  'carol',
  'dana',
  'erin',
  'frank',
  'modsam',
  'modmia',
  'modclosed',
  'olga',
] as const;

export const SANDBOX_OWNER = 'olga';
export const SANDBOX_ADMIN = 'modmia';

export const SANDBOX_ROLES = {
  moderators: { id: '1300000000000000010', name: 'Moderators', permissions: PermissionFlagsBits.ManageGuild },
  admins: { id: '1300000000000000011', name: 'Admins', permissions: PermissionFlagsBits.Administrator },
} as const;

/** A stable snowflake-shaped id for a sandbox name (user, channel). */
export function sandboxId(kind: string, name: string): string {
  const digest = createHash('sha256').update(`${kind}:${name}`).digest();
  return (digest.readBigUInt64BE(0) >> 2n).toString();
}

/** A sandbox server's guild id: `a` (the default) is {@link SANDBOX_GUILD_ID}, others derive from the name. */
export function sandboxGuildId(space = 'a'): string {
  return space === 'a' ? SANDBOX_GUILD_ID : sandboxId('guild', space);
}

/** The space name of a sandbox guild, or undefined for a guild the sandbox does not have. */
export function sandboxSpaceOf(guildId: string): string | undefined {
  return SANDBOX_SPACES.find((space) => sandboxGuildId(space) === guildId);
}

/** What Discord calls a sandbox server (`Sandbox community`, `Sandbox community b`). */
export function sandboxGuildName(guildId: string): string {
  const space = sandboxSpaceOf(guildId);
  return space === 'a' || space === undefined ? 'Sandbox community' : `Sandbox community ${space}`;
}

export function sandboxUserId(name: string): string {
  return sandboxId('user', name);
}

/** The guild roles a cast member holds. */
export function sandboxRoles(name: string): string[] {
  if (name === SANDBOX_ADMIN) return [SANDBOX_ROLES.admins.id];
  return isSandboxModerator(name) ? [SANDBOX_ROLES.moderators.id] : [];
}

/** The permissions Discord computes for a member in a channel (what an interaction's `member` carries). */
export function sandboxPermissions(name: string): bigint {
  // The owner and administrators have every permission; Discord sends them all.
  if (name === SANDBOX_OWNER || name === SANDBOX_ADMIN) return (1n << 53n) - 1n;
  return isSandboxModerator(name) ? MEMBER_PERMISSIONS | PermissionFlagsBits.ManageGuild : MEMBER_PERMISSIONS;
}

/** Whether Discord refuses DMs to this sandbox member (50007). */
export function hasClosedDms(name: string): boolean {
  return name.includes('closed');
}

/** Cast members by user id. */
export const CAST_BY_ID: ReadonlyMap<string, string> = new Map(
  SANDBOX_CAST.map((name) => [sandboxUserId(name), name]),
);

/** The DM channel between the bot and a user: the same id whoever opens it (the fake API or a delivery). */
export function sandboxDmChannel(userId: string): string {
  return sandboxId('dm-channel', userId);
}
