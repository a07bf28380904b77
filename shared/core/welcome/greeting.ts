/**
 * Where a new member is greeted when the platform will not let the bot write to them first (outbox/model.ts
 * `greetIn`): the channel they joined (a Telegram group, the Slack channel of `member_joined_channel`), else
 * the space's announcements channel, else nowhere (the welcome then waits for a private chat it may never get).
 */
import type { JoinTurn } from '../feature.js';
import type { ChannelTarget } from '../messenger.js';

/** The channel a join's greeting goes to, if any; never a muted one (the outbox would drop it anyway). */
export async function greetingChannel(turn: JoinTurn): Promise<ChannelTarget | undefined> {
  const { location } = turn.event;
  const { attention } = turn.services.stores;
  if (!location.direct && location.channelId) {
    const joined = await attention.channel(location.space, location.channelId);
    if (!joined.muted) return { space: location.space, channelId: location.channelId };
  }
  const announcements = (await attention.channels(location.space)).find(
    (channel) => channel.roles.includes('announcements') && !channel.muted,
  );
  return announcements ? { space: location.space, channelId: announcements.channelId } : undefined;
}
