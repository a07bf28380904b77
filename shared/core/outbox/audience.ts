/**
 * Who a private message goes to, resolved once when it is enqueued: the member's opaque id (their mute), the
 * key of their privacy marker (their opt-out) and the person behind every identity they linked (one budget
 * per person, whichever platform the bot writes to them on).
 */
import type { Member, Space } from '../events.js';
import type { CoreServices } from '../feature.js';
import type { ChannelTarget } from '../messenger.js';
import type { AttentionSettings, MemberAudience } from './model.js';
import { describeLocal } from './zone.js';

/** The member as an audience; `undefined` when they opted out (nothing unasked ever reaches them). */
export async function memberAudience(
  services: CoreServices,
  communityId: string,
  space: Space,
  member: Member,
  extra: { readonly greetIn?: ChannelTarget; readonly name?: string } = {},
): Promise<MemberAudience | undefined> {
  const [pseudonyms, linked] = await Promise.all([
    services.pseudonyms(),
    services.stores.members.identities(communityId, member),
  ]);
  const identities = linked.some((one) => one.platform === member.platform && one.id === member.id)
    ? linked
    : [member, ...linked];
  const keys = identities.map((identity) => pseudonyms.privacyKey(identity));
  const privacy = await services.stores.members.privacy(keys);
  const privacyKey = pseudonyms.privacyKey(member);
  if (privacy.get(privacyKey)?.optedOut) return undefined;
  const ids = identities.map((identity, index) =>
    pseudonyms.memberId(identity, privacy.get(keys[index] ?? '')?.generation ?? 0),
  );
  const memberId = pseudonyms.memberId(member, privacy.get(privacyKey)?.generation ?? 0);
  const person = [...ids].sort()[0] ?? memberId;
  return {
    kind: 'member',
    space,
    member,
    memberId,
    privacyKey,
    person,
    ...(extra.greetIn ? { greetIn: extra.greetIn } : {}),
    ...(extra.name ? { name: extra.name } : {}),
  };
}

/** When a message is expected to go, for the member who caused it: `now`, or a local time and why. */
export function describeWhen(
  expectedAt: Date | undefined,
  reason: string | undefined,
  settings: AttentionSettings,
  now: Date,
): string {
  if (!expectedAt) return `it will not be sent${reason ? ` (${reason})` : ''}`;
  if (expectedAt.getTime() - now.getTime() < 60_000) return 'now';
  return `${describeLocal(expectedAt, settings.timeZone)}${reason ? ` (${reason})` : ''}`;
}
