/**
 * "Helpful" / "Not for me": one vote per person and item, changeable. A vote moves the item's counts (its
 * rating) and, pressed on a channel post, the post's (the channel's pace listens to them). The answer is
 * private: a channel post is never edited for one member's vote. A mute soon after a post counts against
 * it too ({@link noteMute}).
 */
import { recordActivity } from '../activity.js';
import { COMMAND_NAME } from '../command-table.js';
import { type ButtonPressed, SPACE_WIDE, type Space } from '../events.js';
import { answer, type CoreServices, type Handler, type Outcome, type Turn } from '../feature.js';
import type { ChannelPost, VoteOutcome, VoteValue } from './model.js';
import { audienceAt, IN_COMMUNITY, NOT_IN_LIBRARY, type PullPlace, placeOfPress } from './pull-place.js';
import { readVoteValue, type VoteTarget } from './render.js';

/** A mute this soon after the channel's newest post counts against that post. */
export const MUTE_COUNTS_WITHIN_MS = 48 * 3600 * 1000;

const WORDS: Record<VoteValue, string> = { helpful: 'helpful', not_for_me: 'not for me' };

/** The handler of one vote button. */
export function voteHandler(value: VoteValue): Handler<Turn<ButtonPressed>> {
  return { run: (turn) => vote(turn, value) };
}

async function vote(turn: Turn<ButtonPressed>, value: VoteValue): Promise<Outcome> {
  const target = readVoteValue(turn.event.value);
  if (!target) return answer('This button is no longer in use.');
  const place = await placeOfPress(turn, target.kind === 'answer' ? target.spaceId : undefined);
  if (!place) return IN_COMMUNITY;
  const { content } = turn.services.stores;
  const [item, audience] = await Promise.all([
    content.get(place.communityId, target.itemId),
    audienceAt(turn, place),
  ]);
  if (!item || item.status === 'draft') return answer(NOT_IN_LIBRARY);
  if (item.status === 'retired') return answer('That item was retired: votes on it are no longer kept.');
  if (!audience) {
    return answer(`You opted out (\`/${COMMAND_NAME} me optout\`), so votes are not kept.`);
  }
  const post = await postOf(turn, place, target);
  const outcome = await content.vote(
    {
      communityId: place.communityId,
      itemId: item.id,
      person: audience.person,
      value,
      at: turn.now.toISOString(),
    },
    post,
  );
  if (value === 'helpful' && outcome.kind !== 'same') {
    await recordActivity(turn.services, {
      kind: 'content_helpful',
      space: place.space,
      channelId: place.channelId ?? post?.channelId ?? SPACE_WIDE,
      member: turn.event.member,
      id: `content_helpful:${item.id}:${audience.person}`,
      at: turn.now,
      ...(place.keepDays ? { keepDays: place.keepDays } : {}),
    });
  }
  return answer(outcomeText(outcome, value));
}

/** The channel post voted on, when the press was on one of this item's posts in this channel. */
async function postOf(turn: Turn, place: PullPlace, target: VoteTarget): Promise<ChannelPost | undefined> {
  if (target.kind !== 'post' || !place.channelId) return undefined;
  const post = await turn.services.stores.content.post(place.space, place.channelId, target.postId);
  return post?.itemId === target.itemId ? post : undefined;
}

function outcomeText(outcome: VoteOutcome, value: VoteValue): string {
  switch (outcome.kind) {
    case 'new':
      return `Thanks, noted: ${WORDS[value]}.`;
    case 'changed':
      return `Changed to ${WORDS[value]}.`;
    case 'same':
      return `Already noted: ${WORDS[value]}.`;
  }
}

/**
 * A member muted the bot in a channel: the channel's newest post of the last 48 hours counts one mute (its
 * pace listens). Wired into the mute command; nothing happens where nothing was posted lately.
 */
export async function noteMute(
  services: CoreServices,
  space: Space,
  channelId: string,
  now: Date,
): Promise<void> {
  const since = new Date(now.getTime() - MUTE_COUNTS_WITHIN_MS);
  const [newest] = await services.stores.content.posts(space, channelId, since, 1);
  if (newest) await services.stores.content.countPost(newest, 'mutes', 1);
}
