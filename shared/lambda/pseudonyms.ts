import { createHmac } from 'node:crypto';
import type { Member } from '../core/events.js';
import { MIN_MEMBER_KEY_LENGTH, type Pseudonyms } from '../core/members/pseudonyms.js';

/** Keyed hashes (HMAC-SHA-256), each with its own purpose label, so one never reveals another. */
export function createPseudonyms(key: string): Pseudonyms {
  if (key.length < MIN_MEMBER_KEY_LENGTH) {
    throw new RangeError(`The member key must have at least ${MIN_MEMBER_KEY_LENGTH} characters`);
  }
  const hash = (purpose: string, text: string, length: number) =>
    createHmac('sha256', key).update(`${purpose}\u0000${text}`).digest('base64url').slice(0, length);
  const memberId = (member: Member, generation: number) =>
    `m_${hash('member', `${member.platform}:${member.id}#${generation}`, 22)}`;
  return {
    memberId,
    memberIds: (member, generation) =>
      Array.from({ length: generation + 1 }, (_, index) => memberId(member, index)),
    privacyKey: (member) => hash('privacy', `${member.platform}:${member.id}`, 32),
  };
}
