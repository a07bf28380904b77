/**
 * Members pull: `/community tip [topic]` gives the best live item this member was not shown yet, and
 * `/community find <words>` the top 3 matches, each opened with a press. Answers are private; the item's
 * buttons vote (votes.ts) and share it into the channel (share.ts). Moderators read the feedback with
 * `content stats` (stats.ts); members subscribe to a weekly digest (digest-command.ts).
 */
import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed } from '../events.js';
import { answer, type CommandTurn, type Outcome, type Turn } from '../feature.js';
import type { Button } from '../messenger.js';
import { digestHandler } from './digest-command.js';
import type { FeatureParts } from './feature.js';
import type { ContentItem } from './model.js';
import {
  audienceAt,
  IN_COMMUNITY,
  NOT_IN_LIBRARY,
  type PullPlace,
  placeOf,
  placeOfPress,
  shareHere,
} from './pull-place.js';
import { CONTENT_ACTIONS, itemLine, privateItem, readShareValue, shareValue } from './render.js';
import { bestFirst, excerpt, type Library, libraryFor, searchLibrary } from './search.js';
import { shareHandler } from './share.js';
import { statsHandler } from './stats.js';
import { voteHandler } from './votes.js';

export { noteMute } from './votes.js';

/** The longest `find` query read: longer is refused, not cut. */
export const FIND_MAX_LENGTH = 200;

const EMPTY_LIBRARY = "This community's library is empty for now: moderators can add items.";
const SUGGEST = `\`/${COMMAND_NAME} content suggest\``;

export const pullParts: FeatureParts = {
  commandHandlers: {
    tip: { run: tip },
    find: { run: find },
    digest: digestHandler,
    'content stats': statsHandler,
  },
  buttonHandlers: {
    [CONTENT_ACTIONS.show]: { run: show },
    [CONTENT_ACTIONS.helpful]: voteHandler('helpful'),
    [CONTENT_ACTIONS.notForMe]: voteHandler('not_for_me'),
    [CONTENT_ACTIONS.share]: shareHandler,
  },
};

async function tip(turn: CommandTurn): Promise<Outcome> {
  const place = placeOf(turn);
  if (!place) return IN_COMMUNITY;
  const { content } = turn.services.stores;
  const [library, audience] = await Promise.all([
    libraryFor(content, place.communityId, turn.now),
    audienceAt(turn, place),
  ]);
  if (library.items.length === 0) return answer(EMPTY_LIBRARY);
  const topic = typeof turn.values.topic === 'string' ? turn.values.topic.trim().toLowerCase() : '';
  if (topic && !library.meta.topics.includes(topic)) return answer(unknownTopic(topic, library));
  const candidates = topic ? library.items.filter((item) => item.topics.includes(topic)) : library.items;
  if (candidates.length === 0) return answer(`Nothing on _${topic}_ in the library yet. ${suggestLine()}`);
  // An opted-out member is not remembered: they get the best item, and nothing about them is stored.
  const seen = audience
    ? await content.shownTo(place.communityId, [audience.person], turn.now)
    : new Set<string>();
  const [best] = bestFirst(candidates.filter((item) => !seen.has(item.id)));
  if (!best) return answer(allSeen(topic));
  return showItem(turn, place, best, audience?.person);
}

/** Notes the item as shown (to the member, unless opted out, and on its counts) and answers with it. */
async function showItem(
  turn: Turn,
  place: PullPlace,
  item: ContentItem,
  person: string | undefined,
): Promise<Outcome> {
  const { content } = turn.services.stores;
  await Promise.all([
    person ? content.markShown(place.communityId, person, [item.id], turn.now) : undefined,
    content.count(place.communityId, item.id, { shown: 1 }),
  ]);
  return { kind: 'answer', message: privateItem(item, shareHere(place)) };
}

function unknownTopic(topic: string, library: Library): string {
  const known = library.meta.topics;
  return known.length > 0
    ? `There is no topic _${topic}_. Topics: ${known.map((each) => `\`${each}\``).join(', ')}.`
    : `There is no topic _${topic}_: this library has no topics yet. Try \`/${COMMAND_NAME} tip\` alone.`;
}

function allSeen(topic: string): string {
  const about = topic ? ` on _${topic}_` : '';
  return (
    `You have seen every item${about} in the library. Search it with \`/${COMMAND_NAME} find <words>\`, ` +
    `or add what you know: ${SUGGEST}.`
  );
}

function suggestLine(): string {
  return `Know something useful? ${SUGGEST}.`;
}

async function find(turn: CommandTurn): Promise<Outcome> {
  const place = placeOf(turn);
  if (!place) return IN_COMMUNITY;
  const words = typeof turn.values.words === 'string' ? turn.values.words.trim() : '';
  if (words.length > FIND_MAX_LENGTH) {
    return answer(
      `Please search with fewer words: at most ${FIND_MAX_LENGTH} characters (yours has ${words.length}).`,
    );
  }
  if (!words) return answer(`What are you looking for? \`/${COMMAND_NAME} find <words>\`.`);
  const library = await libraryFor(turn.services.stores.content, place.communityId, turn.now);
  if (library.items.length === 0) return answer(EMPTY_LIBRARY);
  const found = await searchLibrary(library, words);
  if (found.length === 0) {
    return answer(`Nothing in the library matches _${words}_. Try other words, or ${SUGGEST}.`);
  }
  const lines = found.map((item, index) => `${index + 1}. ${itemLine(item)}\n${excerpt(item.body)}`);
  const buttons: Button[] = found.map((item, index) => ({
    actionId: CONTENT_ACTIONS.show,
    label: `Open ${index + 1}`,
    value: showValue(item.id, place),
  }));
  return answer(`**Found for _${words}_**\n${lines.join('\n')}`, buttons);
}

/** A result's button value: where `find` was asked, so a press in a private chat knows the community. */
function showValue(itemId: string, place: PullPlace): string {
  const share = shareHere(place);
  return share ? shareValue({ itemId, ...share }) : itemId;
}

/** `content.show`: one result of `find`, in full. */
async function show(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const target = readShareValue(turn.event.value);
  const itemId = target?.itemId ?? turn.event.value ?? '';
  const place = await placeOfPress(turn, target?.spaceId);
  if (!place) return IN_COMMUNITY;
  const pressedIn = place.channelId ? place : { ...place, channelId: target?.channelId };
  const [library, audience] = await Promise.all([
    libraryFor(turn.services.stores.content, place.communityId, turn.now),
    audienceAt(turn, place),
  ]);
  const item = library.byId.get(itemId);
  if (!item) return answer(NOT_IN_LIBRARY);
  return showItem(turn, pressedIn, item, audience?.person);
}
