/**
 * Mutes: a member stops the bot's unasked private messages to themselves (`/community mute`), a moderator
 * stops its unasked posts in one channel (`/community mute channel`). The outbox drops what a mute covers
 * when its turn comes, so a mute also stops what is already waiting.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import { noteMute } from '../content/votes.js';
import { answer, type CommandTurn, type Outcome } from '../feature.js';
import { DEFAULT_PRIVACY } from '../members/model.js';
import { auditAction } from './audit.js';

const IN_A_SPACE = `Use this in a space of your community, so I know which community you mean.`;

/**
 * `mute` / `unmute` for oneself: every identity linked with the member in the community, each under the
 * opaque id of its current generation (the id an outbox audience names it by, outbox/audience.ts).
 */
export async function setSelfMuted(turn: CommandTurn, muted: boolean): Promise<Outcome> {
  const space = turn.space;
  if (!space || turn.event.location.direct) return answer(IN_A_SPACE);
  const { members, attention } = turn.services.stores;
  const pseudonyms = await turn.services.pseudonyms();
  const identities = await members.identities(space.communityId, turn.event.member);
  const keys = identities.map((identity) => pseudonyms.privacyKey(identity));
  const markers = await members.privacy(keys);
  const state = (index: number) => markers.get(keys[index] ?? '') ?? DEFAULT_PRIVACY;
  const acting = identities.findIndex(
    (identity) => identity.platform === turn.event.member.platform && identity.id === turn.event.member.id,
  );
  if (muted && state(Math.max(acting, 0)).optedOut) {
    return answer(
      `You opted out (\`/${COMMAND_NAME} me optout\`), so this bot already never sends you anything unasked.`,
    );
  }
  const memberIds = identities.map((identity, index) =>
    pseudonyms.memberId(identity, state(index).generation),
  );
  const before = muted ? await attention.mutedMembers(space.communityId, memberIds) : new Set<string>();
  await attention.setMemberMuted(space.communityId, memberIds, muted);
  // A member who mutes the bot just after a library post says the channel's pace is too much (content/pace.ts).
  if (muted && before.size === 0) {
    const { location } = turn.event;
    await noteMute(turn.services, location.space, location.channelId, turn.now);
  }
  const whom = identities.length > 1 ? `your ${identities.length} linked accounts` : 'you';
  return answer(
    muted
      ? `Muted: this bot sends ${whom} nothing unasked in this community (welcomes, notices); answers to ` +
          `your own commands still come. \`/${COMMAND_NAME} unmute\` undoes it.`
      : `Unmuted: this bot may send ${whom} a few unasked messages again, within the community's budget.`,
  );
}

/** `mute channel` / `unmute channel`: run in the channel, by a moderator of its space. */
export async function setChannelMuted(turn: CommandTurn, muted: boolean): Promise<Outcome> {
  const space = turn.space as SpaceRecord;
  const { location } = turn.event;
  await turn.services.stores.attention.setChannelMuted(location.space, location.channelId, muted);
  await auditAction(
    turn,
    space.communityId,
    `${muted ? 'muted' : 'unmuted'} the bot in channel ${location.channelId}`,
  );
  return answer(
    muted
      ? `Muted here: this bot posts nothing unasked in this channel (announcements, greetings). ` +
          `\`/${COMMAND_NAME} unmute channel\` undoes it.`
      : 'Unmuted here: unasked posts may come to this channel again, within its budget.',
  );
}
