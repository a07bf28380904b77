/**
 * Channel roles: a moderator names what a channel of their space is for by running
 * `/community channel announcements` (or `questions`, `content`) in it; `/community channel` lists them.
 *
 * A space has one announcements channel (announcements and greetings go there, so two would post everything
 * twice): naming another moves the role. A space may have several questions or content channels.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import type { Space } from '../events.js';
import { answer, type CommandTurn, type Outcome } from '../feature.js';
import type { ChannelRole, ChannelSettings } from '../outbox/model.js';
import { auditAction } from './audit.js';

/** The roles only one channel of a space holds at a time. */
const SINGLE_ROLES: ReadonlySet<ChannelRole> = new Set<ChannelRole>(['announcements']);

/** `channel` / `channel list`: the space's channels with a role or muted. */
export async function listChannels(turn: CommandTurn): Promise<Outcome> {
  const { location } = turn.event;
  const channels = await turn.services.stores.attention.channels(location.space);
  if (channels.length === 0) {
    return answer(
      'No channel of this space has a role or is muted yet. Run ' +
        `\`/${COMMAND_NAME} channel announcements\` (or \`questions\`, \`content\`) in a channel to give it that role.`,
    );
  }
  const lines = channels.map((channel) => {
    const here = channel.channelId === location.channelId ? ' (this channel)' : '';
    const what = [...channel.roles, ...(channel.muted ? ['muted'] : [])];
    return `- \`${channel.channelId}\`${here}: ${what.length > 0 ? what.join(', ') : 'no role'}`;
  });
  return answer(`**Channels of this space**\n${lines.join('\n')}`);
}

/** `channel <role>`, run in the channel: gives it the role, or takes the role away when it has it. */
export async function toggleRole(turn: CommandTurn, role: ChannelRole): Promise<Outcome> {
  const space = turn.space as SpaceRecord;
  const { location } = turn.event;
  const { attention } = turn.services.stores;
  const current = await attention.channel(location.space, location.channelId);
  const on = !current.roles.includes(role);
  const moved = on && SINGLE_ROLES.has(role) ? await takeRoleFromOthers(turn, location.space, role) : [];
  await attention.setChannelRole(location.space, location.channelId, role, on);
  await auditAction(
    turn,
    space.communityId,
    `${on ? 'made' : 'unmade'} channel ${location.channelId} ${articleFor(role)} ${role} channel`,
  );
  const from = moved.length > 0 ? ` (it was ${moved.map((id) => `\`${id}\``).join(', ')})` : '';
  if (!on) {
    return answer(`This channel is no longer ${articleFor(role)} ${role} channel.`);
  }
  return answer(
    SINGLE_ROLES.has(role)
      ? `This channel is now the space's ${role} channel${from}.${current.muted ? mutedNote() : ''}`
      : `This channel is now a ${role} channel.${current.muted ? mutedNote() : ''}`,
  );
}

/** Takes a single role from the space's other channels; returns their ids. */
async function takeRoleFromOthers(turn: CommandTurn, space: Space, role: ChannelRole): Promise<string[]> {
  const { attention } = turn.services.stores;
  const holders = (await attention.channels(space)).filter(
    (channel: ChannelSettings) =>
      channel.roles.includes(role) && channel.channelId !== turn.event.location.channelId,
  );
  await Promise.all(
    holders.map((channel) => attention.setChannelRole(space, channel.channelId, role, false)),
  );
  return holders.map((channel) => channel.channelId);
}

function articleFor(role: ChannelRole): string {
  return SINGLE_ROLES.has(role) ? 'the' : 'a';
}

function mutedNote(): string {
  return ` It is muted, so nothing unasked is posted here until \`/${COMMAND_NAME} unmute channel\`.`;
}
