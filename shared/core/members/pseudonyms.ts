/**
 * The one place a platform id becomes an opaque member id.
 *
 * Recording must cost one write per event, so the id cannot be minted by a write on first sight: it is a
 * keyed hash (HMAC-SHA-256) of the platform identity and its generation, under a secret key (Secrets Manager
 * in AWS, a fixed local key in dev). Without the key nobody can turn an id back into a person, not even by
 * trying every platform id. The hashing itself lives outside the core (shared/lambda/pseudonyms.ts). `forget` moves a person to the next generation, so ids written before the erasure
 * (the edges other members' records still hold) map to no one the product will ever record again.
 *
 * The opt-out marker is keyed by a second keyed hash with its own purpose label, so a member id never
 * reveals the marker's key and the other way round.
 */
import type { Member } from '../events.js';

export interface Pseudonyms {
  /** The opaque id records hold for this identity in this generation (`m_` + 22 characters). */
  memberId(member: Member, generation: number): string;
  /** Every id the identity has had, generation 0 up to `generation` (what an erasure looks for). */
  memberIds(member: Member, generation: number): string[];
  /** The key of the identity's privacy marker (opt-out, generation, erasure in progress). */
  privacyKey(member: Member): string;
}

/** At least this many characters of key: a short key could be guessed, and every pseudonym with it. */
export const MIN_MEMBER_KEY_LENGTH = 32;
