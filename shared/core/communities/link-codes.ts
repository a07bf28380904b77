/**
 * One-time codes that link a space into a community: `S-7Q4K-9D2M`. The `S-` prefix keeps them apart from
 * member codes (`M-`, issue 8). Eight characters of Crockford's base32 (no I, L, O, U: nothing to misread)
 * carry 40 random bits; a code works once, for 15 minutes, and only a moderator can try one, so guessing is
 * hopeless. The table keeps only a digest of the code, and the code is never logged.
 */

/** How long a code can be redeemed. */
export const LINK_CODE_TTL_MS = 15 * 60_000;

const PREFIX = 'S';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 8;

/** The prefix of member codes (`/community me link`): the same shape, another purpose. */
export const MEMBER_CODE_PREFIX = 'M';

/** A fresh code, from the platform's cryptographic random source. */
export function newLinkCode(prefix = PREFIX): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  // 256 is a multiple of 32: taking each byte modulo 32 keeps every character equally likely.
  const body = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/**
 * The code as typed, normalised: case, spaces and dashes do not matter, and the letters people confuse with
 * digits (O, I, L) are read as the digits. Undefined when it cannot be a space code (a member code, a typo).
 */
export function normaliseLinkCode(typed: string, prefix = PREFIX): string | undefined {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '');
  if (!compact.startsWith(prefix)) return undefined;
  // Only the body is read leniently: the prefix says which kind of code it is.
  const body = compact.slice(prefix.length).replace(/O/g, '0').replace(/[IL]/g, '1');
  if (body.length !== LENGTH || [...body].some((char) => !ALPHABET.includes(char))) return undefined;
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/** What the table keys a code by: 128 bits of its SHA-256, hex (short enough for a button's value). */
export async function linkCodeDigest(code: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code));
  return [...new Uint8Array(hash).slice(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Whether a button's value can be a digest (the button's value comes from the platform: check it). */
export function isLinkCodeDigest(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{32}$/.test(value);
}
