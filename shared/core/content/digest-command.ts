/**
 * `/community digest on|off`: a member's private weekly digest of the best new items. This part stores and
 * erases the subscription and says when the first one comes; the scheduler sends them (through the outbox,
 * as something the member subscribed to) with {@link digestMessage}.
 */
import { COMMAND_NAME } from '../command-table.js';
import { answer, type CommandTurn, type Handler, type Outcome } from '../feature.js';
import type { OutboundMessage } from '../messenger.js';
import { describeLocal } from '../outbox/zone.js';
import type { ContentItem } from './model.js';
import { audienceAt, IN_COMMUNITY, placeOf } from './pull-place.js';
import { bestFirst, excerpt } from './search.js';

/** A digest comes once a week. */
export const DIGEST_EVERY_MS = 7 * 24 * 3600 * 1000;
/** At most this many items in one digest. */
export const DIGEST_MAX_ITEMS = 5;

export const digestHandler: Handler<CommandTurn> = { run: digest };

async function digest(turn: CommandTurn): Promise<Outcome> {
  const place = placeOf(turn);
  if (!place) return IN_COMMUNITY;
  const audience = await audienceAt(turn, place);
  if (!audience) {
    return answer(`You opted out (\`/${COMMAND_NAME} me optout\`), so the bot sends you no digest.`);
  }
  const { content, attention } = turn.services.stores;
  if (turn.values.state === 'off') {
    const had = await content.deleteDigest(place.communityId, audience.person);
    return answer(had ? 'Weekly digest off.' : 'You had no weekly digest: nothing to stop.');
  }
  const [existing, settings] = await Promise.all([
    content.digest(place.communityId, audience.person),
    attention.settings(place.communityId),
  ]);
  if (existing) {
    const next = describeLocal(new Date(existing.nextAt), settings.timeZone);
    return answer(`Your weekly digest is already on: the next one comes ${next}.`);
  }
  const nextAt = new Date(turn.now.getTime() + DIGEST_EVERY_MS);
  await content.saveDigest({
    communityId: place.communityId,
    person: audience.person,
    space: place.space,
    member: turn.event.member,
    since: turn.now.toISOString(),
    nextAt: nextAt.toISOString(),
  });
  return answer(
    `Weekly digest on: the best new items, privately. The first comes ${describeLocal(nextAt, settings.timeZone)}. ` +
      `\`/${COMMAND_NAME} digest off\` stops it.`,
  );
}

/**
 * A digest: of `items` (the week's new ones, as the scheduler picks them by date), the live ones, best first,
 * at most {@link DIGEST_MAX_ITEMS}, each a title and a one-line excerpt.
 */
export function digestMessage(items: readonly ContentItem[]): OutboundMessage {
  const best = bestFirst(items.filter((item) => item.status === 'live')).slice(0, DIGEST_MAX_ITEMS);
  const more = `\`/${COMMAND_NAME} tip\` for more.`;
  if (best.length === 0)
    return { text: `**Your weekly digest**\nNothing new in the library this week. ${more}` };
  const lines = best.map((item) => `- **${item.title}**: ${excerpt(item.body)}`);
  return { text: ['**Your weekly digest: new this week**', ...lines, more].join('\n') };
}
