/**
 * Hands announcements to the outbox and says where and when each will go. The key names the command's event,
 * so a redelivered or retried command finds its announcements already queued instead of posting them twice.
 */
import { COMMAND_NAME } from '../command-table.js';
import { describe } from '../communities/links.js';
import type { SpaceRecord } from '../communities/model.js';
import type { CommandTurn } from '../feature.js';
import { spacesOf } from '../members/scope.js';
import type { ChannelTarget, OutboundMessage } from '../messenger.js';
import { describeWhen, memberAudience } from '../outbox/audience.js';
import type { AttentionSettings, Enqueued } from '../outbox/model.js';

/** Why an announcement cannot go to a muted channel, in words for the moderator. */
export const MUTED_HERE =
  `This channel is muted for the bot, so nothing unasked is posted here: nothing was announced. ` +
  `\`/${COMMAND_NAME} unmute channel\` lifts the mute.`;

/** Queues the announcement for the channel the command was run in. */
export async function announceHere(
  turn: CommandTurn,
  space: SpaceRecord,
  text: string,
): Promise<OutboundMessage> {
  const { location } = turn.event;
  const { attention } = turn.services.stores;
  const [channel, settings] = await Promise.all([
    attention.channel(location.space, location.channelId),
    attention.settings(space.communityId),
  ]);
  if (channel.muted) return { text: MUTED_HERE };
  const target = { space: location.space, channelId: location.channelId };
  const queued = await enqueueAnnouncement(turn, space.communityId, target, text);
  return { text: `**Announcement** for this channel: ${when(queued, settings, turn.now)}.` };
}

/** Queues the announcement for the announcements channel of each active space of the community. */
export async function announceEverywhere(
  turn: CommandTurn,
  space: SpaceRecord,
  text: string,
): Promise<OutboundMessage> {
  const { attention } = turn.services.stores;
  const [spaces, settings] = await Promise.all([
    spacesOf(turn.services, space),
    attention.settings(space.communityId),
  ]);
  const sent: string[] = [];
  const without: string[] = [];
  const muted: string[] = [];
  for (const each of spaces.filter((candidate) => candidate.status === 'active')) {
    const where = { platform: each.platform, id: each.id };
    const channel = (await attention.channels(where)).find((c) => c.roles.includes('announcements'));
    if (!channel) without.push(describe(each));
    else if (channel.muted) muted.push(describe(each));
    else {
      const queued = await enqueueAnnouncement(
        turn,
        space.communityId,
        { space: where, channelId: channel.channelId },
        text,
      );
      sent.push(`- ${describe(each)}, channel \`${channel.channelId}\`: ${when(queued, settings, turn.now)}`);
    }
  }
  return { text: everywhereText(sent, without, muted) };
}

function everywhereText(
  sent: readonly string[],
  without: readonly string[],
  muted: readonly string[],
): string {
  const naming = `\`/${COMMAND_NAME} channel announcements\` run in a channel names it`;
  const lines = sent.length > 0 ? ['**Announcement**', ...sent] : ['**Nothing was announced.**'];
  if (without.length > 0) {
    lines.push(`No announcements channel (${naming}): ${without.join(', ')}`);
  }
  if (muted.length > 0) {
    lines.push(
      `Announcements channel muted (\`/${COMMAND_NAME} unmute channel\` there): ${muted.join(', ')}`,
    );
  }
  return lines.join('\n');
}

async function enqueueAnnouncement(
  turn: CommandTurn,
  communityId: string,
  target: ChannelTarget,
  text: string,
): Promise<Enqueued> {
  const { event, services } = turn;
  // The moderator hears (privately, through the outbox) if it is held later than this answer says.
  const requestedBy = await memberAudience(services, communityId, event.location.space, event.member);
  return services.outbox.enqueue(
    {
      key: `announce:${communityId}:${event.id}:${target.space.platform}:${target.space.id}:${target.channelId}`,
      communityId,
      purpose: 'announcement',
      audience: { kind: 'channel', target },
      message: { text },
      allowance: { kind: 'unsolicited' },
      ...(requestedBy ? { requestedBy } : {}),
    },
    turn.now,
  );
}

/**
 * When it goes, in the community's zone. The outbox forecasts only for a requester it may tell later; a
 * moderator who opted out is not one, so their answer says only that it is queued.
 */
function when(queued: Enqueued, settings: AttentionSettings, now: Date): string {
  if (queued.expectedAt === undefined && queued.reason === undefined) return 'queued';
  return describeWhen(queued.expectedAt, queued.reason, settings, now);
}
