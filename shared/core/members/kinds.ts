/**
 * The kinds of member items the core's own stores keep. Features register theirs next to their commands
 * (feedback notes in feedback/, community roles in communities/); `me` lists them all and `forget` erases them.
 */
import type { Member, Space } from '../events.js';
import type { MemberDataKind } from '../feature.js';
import { IDENTITY_MAPPING_KIND } from './erasure.js';
import { type MemberScope, spaceIds } from './model.js';
import { DEFAULT_RETENTION_DAYS } from './retention.js';

/** Every (space id, identity on that space's platform) pair of a scope: where platform-keyed items live. */
export function placesOf(scope: MemberScope): Array<{ space: Space; member: Member }> {
  return scope.spaces
    .flatMap(spaceIds)
    .flatMap((space) =>
      scope.identities
        .filter((identity) => identity.platform === space.platform)
        .map((member) => ({ space, member })),
    );
}

/** The total of counts taken at once (each kind erases or counts per space or per account). */
export async function sumCounts(counts: readonly Promise<number>[]): Promise<number> {
  return (await Promise.all(counts)).reduce((total, count) => total + count, 0);
}

export const CORE_MEMBER_DATA: readonly MemberDataKind[] = [
  {
    name: 'engagement records',
    purpose:
      'who takes part, how and with whom (ids, times, message lengths, reactions; never the text), and the ' +
      'claims that make each command answered once',
    keptFor: `${DEFAULT_RETENTION_DAYS} days after their day unless the community set another retention (then only daily totals stay); command claims two days`,
    count: (scope, stores) =>
      sumCounts(
        scope.spaces
          .flatMap(spaceIds)
          .map(async (space) => (await stores.engagement.memberActivity(space, scope.memberIds)).length),
      ),
    erase: (scope, stores) =>
      sumCounts(
        scope.spaces
          .flatMap(spaceIds)
          .map((space) => stores.engagement.eraseMember(space, scope.memberIds, scope.now)),
      ),
  },
  {
    name: 'private answers waiting behind a link',
    purpose: 'an answer for you kept until you open the bot privately (Telegram)',
    keptFor: 'until opened, at most a day',
    erase: (scope, stores) =>
      sumCounts(placesOf(scope).map(({ space, member }) => stores.pending.eraseMember(space, member))),
  },
  {
    name: 'forms in progress',
    purpose: 'your answers so far to a question the bot asked you privately',
    keptFor: '30 minutes',
    count: (scope, stores) =>
      sumCounts(
        scope.identities.map(async (identity) => ((await stores.forms.get(identity, scope.now)) ? 1 : 0)),
      ),
    erase: (scope, stores) =>
      sumCounts(
        scope.identities.map(async (identity) => {
          const held = await stores.forms.get(identity, scope.now);
          await stores.forms.delete(identity);
          return held ? 1 : 0;
        }),
      ),
  },
  {
    name: 'account link codes',
    purpose: 'a code you asked for to link your accounts',
    keptFor: '15 minutes',
    erase: (scope, stores) =>
      sumCounts(
        scope.identities.map(async (identity) =>
          Number(await stores.members.deleteCode(scope.communityId, identity)),
        ),
      ),
  },
  {
    name: IDENTITY_MAPPING_KIND,
    purpose: 'which of your accounts on different platforms are one member (only links you made)',
    keptFor: 'until you unlink them or erase your data',
    count: async (scope) => (scope.identities.length > 1 ? scope.identities.length : 0),
    erase: (scope, stores) =>
      sumCounts(
        scope.identities.map(async (identity) =>
          Number(await stores.members.deleteIdentity(scope.communityId, identity)),
        ),
      ),
  },
];
