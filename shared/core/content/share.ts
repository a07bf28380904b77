/**
 * "Share": a member posts an item they pulled into the channel they pulled it in, credited to them. It goes
 * through the outbox like everything the bot posts (as the result of the member's own act: paced, muted
 * channels respected, no budget spent), once per member, item and channel however often it is pressed.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed, Member, Space } from '../events.js';
import { answer, type Handler, type Outcome, type Turn } from '../feature.js';
import { mentionToken, type OutboundMessage } from '../messenger.js';
import type { ContentItem } from './model.js';
import { audienceAt, IN_COMMUNITY, NOT_IN_LIBRARY, placeOf, placeOfPress } from './pull-place.js';
import { itemText, readShareValue, voteButtons } from './render.js';

export const shareHandler: Handler<Turn<ButtonPressed>> = { run: share };

async function share(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const target = readShareValue(turn.event.value);
  if (!target) return answer('This button is no longer in use.');
  const here = placeOf(turn);
  // Only into the member's own space: a value naming another space is refused (communities are walls).
  if (here && here.space.id !== target.spaceId) return answer(NOT_IN_LIBRARY);
  const place = here ?? (await placeOfPress(turn, target.spaceId));
  if (!place) return IN_COMMUNITY;
  const { content, attention } = turn.services.stores;
  const channel: Space = place.space;
  const [item, audience, settings] = await Promise.all([
    content.get(place.communityId, target.itemId),
    audienceAt(turn, place),
    attention.channel(channel, target.channelId),
  ]);
  if (item?.status !== 'live') return answer(NOT_IN_LIBRARY);
  if (!audience) {
    return answer(`You opted out (\`/${COMMAND_NAME} me optout\`), so nothing is shared in your name.`);
  }
  if (settings.muted) return answer('That channel is muted for the bot: nothing is posted there.');
  const queued = await turn.services.outbox.enqueue(
    {
      key: `content:share:${item.id}:${channel.id}:${target.channelId}:${audience.person}`,
      communityId: place.communityId,
      purpose: 'content_share',
      audience: { kind: 'channel', target: { space: channel, channelId: target.channelId } },
      allowance: { kind: 'reply' },
      message: sharedMessage(item, turn.event.member, channel.id),
    },
    turn.now,
  );
  if (!queued.added) return answer('You already shared this item there.');
  await content.count(place.communityId, item.id, { shared: 1 });
  return answer('Shared into the channel.');
}

/**
 * The item as the channel reads it, with a mention of the member who shared it, and the vote buttons (the
 * channel's readers judge it too; a share is no scheduled post, so it does not move a channel's pace).
 */
export function sharedMessage(item: ContentItem, sharer: Member, spaceId: string): OutboundMessage {
  const { text, mentions = [] } = itemText(item);
  return {
    text: `${text}\n_shared by ${mentionToken(mentions.length)}_`,
    mentions: [...mentions, { member: sharer }],
    buttons: voteButtons({ kind: 'answer', itemId: item.id, spaceId }),
  };
}
