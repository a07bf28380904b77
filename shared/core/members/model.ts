/**
 * Members: one person across platforms, only when they say so, and what the product holds about them.
 *
 * A member is known by opaque ids (pseudonyms.ts); the platform identities a person linked live in one
 * mapping, in their community's partition. Whether a person wants to be recorded at all lives in a privacy
 * marker keyed by a keyed hash of each identity: it outlives an erasure, so "forget me" stays true.
 */

import type { SpaceRecord } from '../communities/model.js';
import type { Member, Space } from '../events.js';

/** What the product remembers about a person's choices, per platform identity. */
export interface PrivacyState {
  /** Nothing about them is recorded, and nothing is sent to them unasked. */
  readonly optedOut: boolean;
  /** Which pseudonym their records carry now; an erasure moves them to the next one. */
  readonly generation: number;
  /** A community whose erasure of this identity started and has not finished (resumes from here). */
  readonly erasing?: string;
}

/** A person nobody asked about: recorded, generation 0. */
export const DEFAULT_PRIVACY: PrivacyState = { optedOut: false, generation: 0 };

/** A member link code as stored (the code itself never is: only its digest). */
export interface MemberCode {
  readonly communityId: string;
  /** Who asked for the code: the identity the redeeming one is linked to. */
  readonly issuer: Member;
  readonly expiresAt: string;
  /** Set once the code linked someone (single use). */
  readonly usedAt?: string;
}

/** Why a code could not be used. */
export type CodeRefusal = 'unknown' | 'expired' | 'used';

/** Privacy markers, identity mappings and member codes (shared/store/member-repository.ts). */
export interface MemberStore {
  /** The markers behind these keys (strongly consistent); a key without a marker is absent from the map. */
  privacy(keys: readonly string[]): Promise<Map<string, PrivacyState>>;
  setOptedOut(key: string, optedOut: boolean, now: Date): Promise<void>;
  /**
   * The tombstone an erasure starts with: opted out, `erasing` the community, and (once per erasure) the
   * next generation. Returns the state, with the generation whose ids hold the data still to erase.
   */
  beginErasure(key: string, communityId: string, now: Date): Promise<{ state: PrivacyState; erase: number }>;
  /** The erasure finished: the marker keeps only the opt-out and the generation. */
  endErasure(key: string, now: Date): Promise<void>;
  /** The identities linked with `member` in the community, itself included (only itself when unlinked). */
  identities(communityId: string, member: Member): Promise<Member[]>;
  /** Writes one linked set: every identity's mapping names all of them. */
  saveIdentities(communityId: string, identities: readonly Member[], now: Date): Promise<void>;
  /** Deletes an identity's mapping (unlink, forget). */
  deleteIdentity(communityId: string, member: Member): Promise<boolean>;
  /** Keeps a code's digest for `issuer` (one code per identity: a new one replaces the last). */
  putCode(digest: string, code: MemberCode): Promise<void>;
  /** The code behind a digest, if any was issued and not deleted (expired ones included: the caller says so). */
  findCode(digest: string): Promise<MemberCode | undefined>;
  /** Uses the code up; a refusal when it expired or was used already (of two redemptions, one wins). */
  useCode(digest: string, code: MemberCode, now: Date): Promise<CodeRefusal | undefined>;
  /** Deletes the code an identity holds (forget). */
  deleteCode(communityId: string, member: Member): Promise<boolean>;
}

/** Who an erasure or a `me` answer is about, inside one community. */
export interface MemberScope {
  readonly communityId: string;
  /** The community's spaces as stored (former ids included). */
  readonly spaces: readonly SpaceRecord[];
  /** The person's linked platform identities. */
  readonly identities: readonly Member[];
  /** Every opaque id their records may carry, in every generation. */
  readonly memberIds: readonly string[];
  readonly now: Date;
}

/** Every platform id a space has had (a Telegram group keeps its old id's data). */
export function spaceIds(space: SpaceRecord): Space[] {
  return [space, ...space.formerIds.map((id) => ({ platform: space.platform, id }))].map((s) => ({
    platform: s.platform,
    id: s.id,
  }));
}

/** The recording path's one read: a space's item (on a cache miss) with the privacy markers of an event. */
export interface RecordingReads {
  read(
    space: Space | undefined,
    privacyKeys: readonly string[],
  ): Promise<{ readonly space?: SpaceRecord; readonly privacy: Map<string, PrivacyState> }>;
}
