import { PermissionFlagsBits } from 'discord-api-types/payloads/v10';

/** Who is a moderator on Discord, in words ({@link isModerator} implements it). */
export const DISCORD_MODERATOR_RULE = 'members with the Manage Server permission';

/** A moderator can manage the server, or is an administrator (which implies every permission). */
const MODERATOR_PERMISSIONS = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator;

/**
 * Moderator = Manage Server or Administrator in the member's permissions (a decimal bitfield string,
 * computed by Discord for the channel). A DM has no member, and nobody moderates a DM.
 */
export function isModerator(interaction: { readonly member?: { readonly permissions?: string } }): boolean {
  const permissions = interaction.member?.permissions;
  if (typeof permissions !== 'string' || !/^\d+$/.test(permissions)) return false;
  return (BigInt(permissions) & MODERATOR_PERMISSIONS) !== 0n;
}
