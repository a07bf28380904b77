/**
 * Linking spaces into one community: `/community link` issues a one-time code in space A; `/community link
 * <code>` in space B (any platform) shows what will be joined and asks for confirmation; the confirmation
 * moves B alone into A's community (one item changes: B's space item). `/community unlink` detaches a space
 * into a community of its own again.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed, Space } from '../events.js';
import { answer, type CommandTurn, type Handler, type Outcome, type Turn } from '../feature.js';
import { memberAudience } from '../outbox/audience.js';
import {
  isLinkCodeDigest,
  LINK_CODE_TTL_MS,
  linkCodeDigest,
  newLinkCode,
  normaliseLinkCode,
} from './link-codes.js';
import { type LinkCode, type SpaceRecord, spaceKey } from './model.js';

export const JOIN_ACTION = 'link.join';
export const CANCEL_ACTION = 'link.cancel';

const NEW_CODE = `Ask a moderator of that community for a new one (\`/${COMMAND_NAME} link\` in one of its spaces).`;

/** `/community link [code]`: issues a code, or (with one) asks to confirm joining its community. */
export const linkCommand: Handler<CommandTurn> = {
  // A waiting space (approved mode) is linked exactly this way.
  beforeApproval: true,
  run: async (turn) => {
    const code = turn.values.code;
    return typeof code === 'string' && code.trim() ? askToJoin(turn, code) : issueCode(turn);
  },
};

export const joinButton: Handler<Turn<ButtonPressed>> = { beforeApproval: true, run: join };

export const cancelButton: Handler<Turn<ButtonPressed>> = {
  beforeApproval: true,
  run: async () => ({
    kind: 'update',
    message: { text: 'Nothing changed. The code still works until it expires.' },
  }),
};

/** `/community unlink [space]`: a space leaves its community and becomes a community of its own. */
export const unlinkCommand: Handler<CommandTurn> = {
  run: async (turn) => {
    const here = turn.space as SpaceRecord;
    const { spaces, communities } = turn.services.stores;
    const named = typeof turn.values.space === 'string' ? turn.values.space.trim() : spaceKey(here);
    const members = await spaces.spacesOf(here.communityId);
    const target = members.find((space) => spaceKey(space) === named);
    if (!target) {
      return answer(`No space \`${named}\` in this community. \`/${COMMAND_NAME} spaces\` lists them.`);
    }
    if (members.length === 1) return answer(`${describe(target)} is a community of its own already.`);
    await spaces.move(target, undefined, turn.now);
    await communities.audit(here.communityId, {
      at: turn.now.toISOString(),
      actor: turn.event.member,
      action: `unlinked ${spaceKey(target)}: it is a community of its own now`,
      where: spaceKey(here),
    });
    return answer(
      `${describe(target)} is now a community of its own: its own moderators run it, its history stays ` +
        `with it, and this community no longer sees it.`,
    );
  },
};

async function issueCode(turn: CommandTurn): Promise<Outcome> {
  const here = turn.space as SpaceRecord;
  if (here.status !== 'active') {
    return answer(
      `This space is not enabled yet, so it cannot invite others. To join a community, send ` +
        `\`/${COMMAND_NAME} link <code>\` here with a code from one of its spaces.`,
    );
  }
  const code = newLinkCode();
  const expiresAt = new Date(turn.now.getTime() + LINK_CODE_TTL_MS);
  const record: LinkCode = {
    communityId: here.communityId,
    issuedIn: { platform: here.platform, id: here.id },
    issuedBy: turn.event.member,
    expiresAt: expiresAt.toISOString(),
  };
  await turn.services.stores.communities.putLinkCode(await linkCodeDigest(code), record, turn.now);
  await turn.services.stores.communities.audit(here.communityId, {
    at: turn.now.toISOString(),
    actor: turn.event.member,
    action: 'asked for a link code',
    where: spaceKey(here),
  });
  return answer(
    `Your one-time link code: \`${code}\`\nIn the space that should join this community (on any platform), ` +
      `a moderator sends \`/${COMMAND_NAME} link ${code}\` within 15 minutes. It works once; keep it private.`,
  );
}

async function askToJoin(turn: CommandTurn, typed: string): Promise<Outcome> {
  const here = turn.space as SpaceRecord;
  const code = normaliseLinkCode(typed);
  if (!code) {
    const shown = typed.replace(/`/g, '').slice(0, 20);
    return answer(`\`${shown}\` is not a space link code: they look like \`S-7Q4K-9D2M\`.`);
  }
  const digest = await linkCodeDigest(code);
  const found = await usableCode(turn, digest, here);
  if ('refusal' in found) return found.refusal;
  const spaces = await turn.services.stores.spaces.spacesOf(found.code.communityId);
  const list = spaces.map((space) => `- ${describe(space)}`).join('\n');
  return answer(
    `Join ${describe(here)} to the community of ${describe(spaces.find((space) => isSame(space, found.code.issuedIn)) ?? found.code.issuedIn)}? ` +
      `It has ${spaces.length === 1 ? '1 space' : `${spaces.length} spaces`}:\n${list}\n` +
      `Only this space moves. It adopts that community's settings and moderators; its history comes along, ` +
      `and that community's moderators will see its numbers.`,
    [
      // The space rides along: on Telegram the question is answered in a private chat (perhaps through a
      // deep link), where the press itself says nothing about the group it is for.
      { actionId: JOIN_ACTION, label: 'Join', value: `${digest}/${here.id}` },
      { actionId: CANCEL_ACTION, label: 'Cancel' },
    ],
  );
}

async function join(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const [digest, spaceId] = (turn.event.value ?? '').split('/');
  const here = await spaceOfPress(turn, spaceId);
  if (!here || !isLinkCodeDigest(digest)) return answer('This button is no longer in use.');
  // Rights are checked again on the press, for the space it names: the button may have reached someone else.
  const rights =
    here === turn.space ? turn.isModerator() : turn.services.messenger.isModerator(here, turn.event.member);
  if (!(await rights)) {
    return answer(`Only a moderator of that space can confirm (${turn.services.moderatorRule}).`);
  }
  const found = await usableCode(turn, digest, here);
  if ('refusal' in found) return { kind: 'update', message: { text: refusalText(found.refusal) } };
  const { code } = found;
  const { spaces, communities } = turn.services.stores;
  if (!(await communities.consumeLinkCode(digest, spaceKey(here), turn.now))) {
    return { kind: 'update', message: { text: `That code has been used already. ${NEW_CODE}` } };
  }
  await spaces.move(here, code.communityId, turn.now);
  if (here.status === 'pending') await spaces.activate(here, turn.now);
  // From here the code is spent even for this space (it could otherwise rejoin after an unlink).
  await communities.finishLinkCode(digest, turn.now);
  const moderators = await communities.moderators(code.communityId);
  const founders = moderators.length === 0;
  // The first link makes its two moderators the community's first moderators. A later one brings a platform
  // the community may have no moderator on yet, where nobody could otherwise be named (a member option names
  // members of the caller's platform): its confirming moderator becomes one.
  const firstOnPlatform = !moderators.some((moderator) => moderator.platform === here.platform);
  if (founders) await communities.addModerator(code.communityId, code.issuedBy);
  if (founders || firstOnPlatform) await communities.addModerator(code.communityId, turn.event.member);
  const at = turn.now.toISOString();
  const actor = turn.event.member;
  await communities.audit(code.communityId, {
    at,
    actor,
    action: `linked ${spaceKey(here)} into this community (code from ${spaceKey(code.issuedIn)})`,
    where: spaceKey(here),
  });
  await communities.audit(here.communityId, {
    at,
    actor,
    action: `${spaceKey(here)} left this community to join another`,
    where: spaceKey(here),
  });
  const toldIssuer = await tellIssuer(turn, code, here);
  return {
    kind: 'update',
    message: {
      text:
        `Done: ${describe(here)} is part of that community now.` +
        (founders
          ? ' You and the moderator who issued the code are its community moderators.'
          : firstOnPlatform
            ? ` You are its first community moderator on ${here.platform}.`
            : '') +
        (toldIssuer
          ? ''
          : ` The moderator who issued the code sees it in \`/${COMMAND_NAME} spaces\` and \`/${COMMAND_NAME} audit\`.`),
    },
  };
}

/** The space a Join press is for: the one it was pressed in, or the one its value names (a private chat). */
async function spaceOfPress(turn: Turn<ButtonPressed>, spaceId: string | undefined) {
  if (turn.space && (spaceId === undefined || spaceId === turn.space.id)) return turn.space;
  if (!spaceId) return undefined;
  const named = await turn.services.stores.spaces.find({
    platform: turn.event.location.space.platform,
    id: spaceId,
  });
  return named?.status === 'moved' ? undefined : named;
}

/** The code behind a digest, if this space may use it now; otherwise the answer saying why not. */
async function usableCode(
  turn: Turn,
  digest: string,
  here: SpaceRecord,
): Promise<{ code: LinkCode } | { refusal: Outcome }> {
  const code = await turn.services.stores.communities.findLinkCode(digest, turn.now);
  if (!code) {
    return {
      refusal: answer(`That code is unknown or has expired (codes work for 15 minutes). ${NEW_CODE}`),
    };
  }
  if (code.usedBy && (code.usedBy !== spaceKey(here) || code.done)) {
    return { refusal: answer(`That code has been used already. ${NEW_CODE}`) };
  }
  if (code.communityId === here.communityId) {
    return { refusal: answer('This space is in that community already: nothing to do.') };
  }
  return { code };
}

/**
 * The moderator who issued the code hears that it was used, privately, through the outbox (on whichever
 * platform they issued it): the result of their own action, so it spends no budget. False when they cannot
 * be told (they opted out) or the note could not be queued.
 */
async function tellIssuer(turn: Turn, code: LinkCode, here: SpaceRecord): Promise<boolean> {
  const { services, now } = turn;
  const text = `Your link code was used: ${describe(here)} joined your community.`;
  try {
    const audience = await memberAudience(services, code.communityId, code.issuedIn, code.issuedBy);
    if (!audience) return false;
    await services.outbox.enqueue(
      {
        key: `link-used:${turn.event.id}`,
        communityId: code.communityId,
        purpose: 'link_used',
        audience,
        allowance: { kind: 'reply' },
        message: { text },
      },
      now,
    );
    return true;
  } catch (error) {
    services.logger.warn('link issuer not told', { error });
    return false;
  }
}

/** A space for people: its platform, its name when known, and its key. */
export function describe(space: Space & { readonly name?: string }): string {
  return `${space.platform} ${space.name ? `**${space.name}** ` : ''}\`${spaceKey(space)}\``;
}

function isSame(a: Space, b: Space): boolean {
  return a.platform === b.platform && a.id === b.id;
}

function refusalText(outcome: Outcome): string {
  return outcome.kind === 'answer' || outcome.kind === 'update' ? outcome.message.text : '';
}
