import { PermissionFlagsBits } from 'discord-api-types/payloads/v10';

/** Who is a moderator on Discord, in words ({@link isModerator} and {@link isGuildModerator} implement it). */
export const DISCORD_MODERATOR_RULE = 'members with the Manage Server permission';

/** A moderator can manage the server, or is an administrator (which implies every permission). */
const MODERATOR_PERMISSIONS = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator;
/** A decimal bitfield; 40 digits hold 128 bits, far more than Discord defines (and keep BigInt cheap). */
const BITFIELD = /^\d{1,40}$/;

/**
 * Moderator = Manage Server or Administrator in the member's permissions (a decimal bitfield string,
 * computed by Discord for the channel). A DM has no member, and nobody moderates a DM.
 */
export function isModerator(interaction: { readonly member?: unknown }): boolean {
  const { member } = interaction;
  // Read defensively: the payload is signed, not necessarily well formed.
  const permissions =
    typeof member === 'object' && member !== null ? Reflect.get(member, 'permissions') : undefined;
  return typeof permissions === 'string' && hasModeratorBits(permissions);
}

function hasModeratorBits(permissions: string): boolean {
  return BITFIELD.test(permissions) && (BigInt(permissions) & MODERATOR_PERMISSIONS) !== 0n;
}

/** What the REST API says about a guild and one of its members (GET guild, roles, member). */
export interface GuildRights {
  readonly guildId: string;
  readonly ownerId: string;
  /** Every role of the guild: id and permissions bitfield (the `@everyone` role's id is the guild's). */
  readonly roles: readonly { readonly id: string; readonly permissions: string }[];
}

/**
 * The same rule from the guild's side, as Discord computes server-wide permissions: the owner has every
 * permission; everyone else has the union of `@everyone` and their roles' permissions. Channel overwrites
 * do not matter: Manage Server and Administrator are server-wide.
 */
export function isGuildModerator(
  guild: GuildRights,
  memberId: string,
  memberRoles: readonly string[],
): boolean {
  if (memberId === guild.ownerId) return true;
  const held = new Set([guild.guildId, ...memberRoles]);
  return guild.roles.some((role) => held.has(role.id) && hasModeratorBits(role.permissions));
}
