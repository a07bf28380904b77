import { PermissionFlagsBits } from 'discord-api-types/payloads/v10';

/** Who is a moderator on Discord, in words ({@link isModerator} implements it). */
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
  if (typeof permissions !== 'string' || !BITFIELD.test(permissions)) return false;
  return (BigInt(permissions) & MODERATOR_PERMISSIONS) !== 0n;
}
