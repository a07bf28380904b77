/**
 * Who may be recorded, decided on the recording path: the opaque ids an event's record carries, or nothing
 * at all when the member (or the member a reply is addressed to) opted out or is being erased. The space's
 * item and the privacy markers are read in one round trip (members/model.ts `RecordingReads`).
 */
import type { Member } from '../events.js';
import { DEFAULT_PRIVACY, type PrivacyState } from './model.js';
import type { Pseudonyms } from './pseudonyms.js';

/** The people an event names: who acted, and whom they addressed (when the platform said). */
export interface EventPeople {
  readonly member: Member;
  readonly toMember?: Member;
}

/** What may be recorded about an event's people. */
export type RecordingIds =
  | { readonly record: true; readonly memberId: string; readonly toMemberId?: string }
  | { readonly record: false };

/** The marker keys to read for an event: the actor's first, then the addressee's when there is one. */
export function privacyKeysOf(pseudonyms: Pseudonyms, people: EventPeople): string[] {
  const keys = [pseudonyms.privacyKey(people.member)];
  if (people.toMember) keys.push(pseudonyms.privacyKey(people.toMember));
  return keys;
}

/**
 * An opted-out or erasing actor: nothing is recorded. An opted-out addressee: the act is recorded without
 * them (the actor's own engagement is theirs), so no edge ever points at someone who said stop.
 */
export function recordingIds(
  pseudonyms: Pseudonyms,
  people: EventPeople,
  keys: readonly string[],
  markers: ReadonlyMap<string, PrivacyState>,
): RecordingIds {
  const stateOf = (key: string | undefined) => (key && markers.get(key)) || DEFAULT_PRIVACY;
  const actor = stateOf(keys[0]);
  if (actor.optedOut || actor.erasing) return { record: false };
  const memberId = pseudonyms.memberId(people.member, actor.generation);
  if (!people.toMember) return { record: true, memberId };
  const addressee = stateOf(keys[1]);
  if (addressee.optedOut || addressee.erasing) return { record: true, memberId };
  return { record: true, memberId, toMemberId: pseudonyms.memberId(people.toMember, addressee.generation) };
}
