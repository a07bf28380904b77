import type { webcrypto } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import { InvalidSignatureError } from '../../shared/lambda/edge.js';

/**
 * Replay protection: Discord signs `timestamp + body`, so a captured request stays valid forever unless the
 * timestamp is checked. Five minutes covers clock skew and API Gateway latency.
 */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

/** The two headers Discord signs every interaction with. */
export interface SignatureHeaders {
  /** `X-Signature-Ed25519`: hex Ed25519 signature of `timestamp + raw body`. */
  readonly signature: string | undefined;
  /** `X-Signature-Timestamp`: Unix seconds, as a string. */
  readonly timestamp: string | undefined;
}

/** Checks one request; throws {@link InvalidSignatureError} (answered 401) unless it is Discord's and fresh. */
export type InteractionVerifier = (body: string, headers: SignatureHeaders, now?: Date) => Promise<void>;

/**
 * Verifies interactions with Discord's own `verifyKey` (discord-interactions: no dependencies, WebCrypto
 * Ed25519). The public key is imported once, on first use, and the CryptoKey reused: no work at cold start.
 */
export function createInteractionVerifier(publicKeyHex: string): InteractionVerifier {
  let publicKey: Promise<webcrypto.CryptoKey> | undefined;
  return async (body, { signature, timestamp }, now = new Date()) => {
    if (!signature || !timestamp) {
      throw new InvalidSignatureError('Missing X-Signature-Ed25519 or X-Signature-Timestamp header');
    }
    if (!isFresh(timestamp, now)) throw new InvalidSignatureError('Stale or invalid X-Signature-Timestamp');
    publicKey ??= importPublicKey(publicKeyHex);
    if (!(await verifyKey(body, signature, timestamp, await publicKey))) throw new InvalidSignatureError();
  };
}

/** Whether a signature timestamp lies within {@link MAX_SIGNATURE_AGE_SECONDS} of `now`, either way. */
export function isFresh(timestamp: string, now: Date): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) <= MAX_SIGNATURE_AGE_SECONDS;
}

/** The key is validated at start (config.ts), so the import cannot fail later. */
function importPublicKey(hex: string): Promise<webcrypto.CryptoKey> {
  return crypto.subtle.importKey('raw', Buffer.from(hex, 'hex'), { name: 'Ed25519' }, false, ['verify']);
}
