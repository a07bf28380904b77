/**
 * Linking identities, only by the person: `/community me link` gives them a private one-time code, and the
 * same command with the code, sent from their account on another platform (in a space of the same community
 * or privately to the bot), makes the two one member. Nothing links identities automatically.
 */
import { COMMAND_NAME } from '../command-table.js';
import {
  linkCodeDigest,
  MEMBER_CODE_PREFIX,
  newLinkCode,
  normaliseLinkCode,
} from '../communities/link-codes.js';
import type { Member } from '../events.js';
import { answer, type CommandTurn, type Outcome } from '../feature.js';
import type { CodeRefusal } from './model.js';

/** How long a member code can be redeemed. */
export const MEMBER_CODE_MINUTES = 15;

const REFUSALS: Record<CodeRefusal, string> = {
  unknown: `No such code. Check it, or ask for a new one with \`/${COMMAND_NAME} me link\`.`,
  expired: `This code expired (codes last ${MEMBER_CODE_MINUTES} minutes). Ask for a new one with \`/${COMMAND_NAME} me link\`.`,
  used: `This code was used already (a code works once). Ask for a new one with \`/${COMMAND_NAME} me link\`.`,
};

export async function linkMember(turn: CommandTurn): Promise<Outcome> {
  const typed = turn.values.code;
  return typeof typed === 'string' && typed.trim() ? redeem(turn, typed) : issue(turn);
}

async function issue(turn: CommandTurn): Promise<Outcome> {
  if (!turn.space) {
    return answer(
      `Ask for a code in a space of your community: the code says which community it links you in.`,
    );
  }
  const code = newLinkCode(MEMBER_CODE_PREFIX);
  const expiresAt = new Date(turn.now.getTime() + MEMBER_CODE_MINUTES * 60_000).toISOString();
  await turn.services.stores.members.putCode(await linkCodeDigest(code), {
    communityId: turn.space.communityId,
    issuer: turn.event.member,
    expiresAt,
  });
  return answer(
    `Your code: \`${code}\` (works once, for ${MEMBER_CODE_MINUTES} minutes; keep it to yourself). ` +
      `From your account on another platform, send \`/${COMMAND_NAME} me link ${code}\` in a space of this ` +
      'community, or privately to the bot there. The two accounts then count as one member here.',
  );
}

async function redeem(turn: CommandTurn, typed: string): Promise<Outcome> {
  const code = normaliseLinkCode(typed, MEMBER_CODE_PREFIX);
  if (!code) return answer('That is not a member code: they look like `M-XXXX-XXXX`.');
  const digest = await linkCodeDigest(code);
  const { members } = turn.services.stores;
  const found = await members.findCode(digest);
  if (!found) return answer(REFUSALS.unknown);
  if (turn.space && turn.space.communityId !== found.communityId) {
    return answer(
      'This code belongs to another community. Use it in a space of the community where you asked for it, ' +
        'or privately to the bot.',
    );
  }
  if (found.usedAt) return answer(REFUSALS.used);
  if (Date.parse(found.expiresAt) <= turn.now.getTime()) return answer(REFUSALS.expired);
  const me = turn.event.member;
  if (found.issuer.platform === me.platform) {
    return answer(
      `Send this from your account on another platform than ${me.platform}, where you asked for it.`,
    );
  }
  const [theirs, mine] = await Promise.all([
    members.identities(found.communityId, found.issuer),
    members.identities(found.communityId, me),
  ]);
  const clash = mine.find((identity) =>
    theirs.some((other) => other.platform === identity.platform && !same(other, identity)),
  );
  if (clash) {
    return answer(
      `One member has one account per platform, and both sides already have a ${clash.platform} account. ` +
        `Unlink it first (\`/${COMMAND_NAME} me unlink ${clash.platform}\`).`,
    );
  }
  const refusal = await members.useCode(digest, found, turn.now);
  if (refusal) return answer(REFUSALS[refusal]);
  const linked = [...theirs, ...mine.filter((identity) => !theirs.some((other) => same(other, identity)))];
  await members.saveIdentities(found.communityId, linked, turn.now);
  return answer(
    `Linked: ${linked.map((identity) => `${identity.platform} \`${identity.id}\``).join(' and ')} are one member ` +
      `of this community now. \`/${COMMAND_NAME} me\` shows what is held; \`/${COMMAND_NAME} me unlink <platform>\` undoes it.`,
  );
}

function same(a: Member, b: Member): boolean {
  return a.platform === b.platform && a.id === b.id;
}
