import { createHmac } from 'node:crypto';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import type { Platform } from '../../shared/core/events.js';

/**
 * The opaque member id a record must carry for a platform user, computed here from the documented format
 * rather than by the code under test (shared/lambda/pseudonyms.ts): `m_` + the first 22 characters of
 * base64url(HMAC-SHA-256(key, "member\0<platform>:<platform user id>#<generation>")), with the key the tests
 * and `npm run dev` use. Engagement records use the member's current generation (0 unless they were erased);
 * interaction claims always 0.
 */
export function expectedMemberId(platform: Platform, id: string, generation = 0): string {
  const digest = createHmac('sha256', LOCAL_MEMBER_KEY)
    .update(`member\u0000${platform}:${id}#${generation}`)
    .digest('base64url');
  return `m_${digest.slice(0, 22)}`;
}
