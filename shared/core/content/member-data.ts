/**
 * What the library keeps about a member, for `me` and `forget`: their votes, what they were shown, their
 * digest subscription, and their suggestions (pending ones deleted, the credit on approved ones removed).
 */
import type { MemberDataKind } from '../feature.js';

export const contentMemberData: readonly MemberDataKind[] = [
  {
    name: 'library votes, items shown, digest and suggestions',
    purpose:
      'which items you found helpful or not for you, which you were shown (so a tip brings something new), ' +
      'your weekly digest subscription, and items you suggested (with your credit on them)',
    keptFor:
      'votes and suggestions until you erase them; items shown 180 days; the digest until you turn it off',
    count: (scope, stores) => stores.content.countMember(scope.communityId, scope.memberIds),
    erase: (scope, stores) => stores.content.eraseMember(scope.communityId, scope.memberIds, scope.now),
  },
];
