/**
 * The moderators' review of members' suggestions: `/community content queue` shows the oldest pending ones
 * with Approve / Reject buttons; Approve makes the item live, credits its author (a `content_contributed`
 * engagement record) and tells them through the outbox; Reject asks for an optional note, retires the item
 * and tells the author with the note.
 *
 * A press may come from anywhere (a Telegram private answer is pressed in the private chat, as a press in
 * the group it answered for), so the presser's rights are asked server side, for the community of the
 * space the press counts in, at every press and again at the note's submission; the button's value is the
 * item id alone, looked up in that community's library only.
 */
import { recordActivity } from '../activity.js';
import type { SpaceRecord } from '../communities/model.js';
import { type ButtonPressed, type FormSubmitted, SPACE_WIDE } from '../events.js';
import { answer, type CommandTurn, type Handler, type Outcome, type Turn } from '../feature.js';
import type { OutboundMessage } from '../messenger.js';
import { memberAudience } from '../outbox/audience.js';
import { commandText, isSpace, librarySpace, personOf, readItemId, unknownItem } from './authoring-common.js';
import type { ContentItem } from './model.js';
import { queueMessage } from './queue-render.js';
import { CONTENT_ACTIONS } from './render.js';
import { SKIP_WORDS } from './validate.js';

/** The form a Reject press opens (an optional note to the author). */
export const REJECT_FORM_ID = 'content.reject';
export const REJECT_NOTE_MAX_LENGTH = 500;

async function showQueue(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content queue');
  if (!isSpace(space)) return space;
  const pending = await turn.services.stores.content.queue(space.communityId);
  if (pending.length === 0) {
    return answer(`No suggestions are waiting. Members send them with ${commandText('content suggest')}.`);
  }
  return { kind: 'answer', message: queueMessage(pending) };
}

/** The library a review acts on, and its pending suggestion: or the answer that stops the review. */
type Review = { readonly space: SpaceRecord; readonly item: ContentItem };

/**
 * The suggestion a press (or the note's submission) names, once the presser's rights are asked, server side,
 * for the community of the space it happened in: another community's item is simply not in this library.
 */
async function reviewOf(
  turn: Turn<ButtonPressed | FormSubmitted>,
  value: string | undefined,
): Promise<Review | Outcome> {
  const { event, services, space } = turn;
  const id = readItemId(value);
  if (!id) return answer('This button is no longer in use.');
  if (!space || event.location.direct) {
    return answer(`Review suggestions in your community: ${commandText('content queue')} shows them there.`);
  }
  if (!(await turn.isCommunityModerator())) {
    return answer(
      `Only this community's moderators review its suggestions (on ${space.platform}: ${services.moderatorRule}).`,
    );
  }
  const item = await services.stores.content.get(space.communityId, id);
  if (!item) return unknownItem(id);
  if (!item.review) return answer(`\`${item.id}\` is not a suggestion: nothing to review.`);
  if (item.review.state !== 'pending') {
    // Telling the author again is a no-op when it was done (both are keyed), and finishes it when it was not.
    await creditAndTell(turn, space.communityId, item);
    const presser = await personOf(
      services,
      space.communityId,
      { platform: space.platform, id: space.id },
      event.member,
    );
    return answer(decidedText(item, presser));
  }
  return { space, item };
}

function isReview(found: Review | Outcome): found is Review {
  return 'item' in found;
}

/** Who decided, as the presser reads it: their opaque id would tell them nothing. */
function decidedText(item: ContentItem, presser: string): string {
  const { review } = item;
  const who = review?.by ? (review.by === presser ? ' by you' : ' by another moderator') : '';
  const when = review?.at ? ` on ${review.at.slice(0, 10)}` : '';
  return `**${item.title}** (\`${item.id}\`) was already ${review?.state ?? 'decided'}${who}${when}: nothing changed.`;
}

/** Writes the decision unless the item changed since it was read. */
async function decide(turn: Turn, review: Review, decision: 'approved' | 'rejected', note?: string) {
  const { services, event, now } = turn;
  const { space, item } = review;
  const at = now.toISOString();
  const by = await personOf(
    services,
    space.communityId,
    { platform: space.platform, id: space.id },
    event.member,
  );
  const decided: ContentItem = {
    ...item,
    status: decision === 'approved' ? 'live' : 'retired',
    review: { state: decision, ...(note ? { note } : {}), by, at },
    updatedAt: at,
  };
  const saved = await services.stores.content.save(decided, {
    kind: 'replace',
    expectedUpdatedAt: item.updatedAt,
  });
  return saved === 'written' ? decided : undefined;
}

/** The author's credit (an approval) and their private note, each at most once (keyed by the item). */
async function creditAndTell(turn: Turn, communityId: string, item: ContentItem): Promise<void> {
  const { services, now } = turn;
  const { member, space } = item.author;
  const state = item.review?.state;
  // An author erased since (`forget`) is neither credited nor told.
  if (!member || !space || (state !== 'approved' && state !== 'rejected')) return;
  if (state === 'approved') {
    const keepDays = (await services.stores.spaces.find(space))?.retentionDays;
    await recordActivity(services, {
      kind: 'content_contributed',
      space,
      channelId: SPACE_WIDE,
      member,
      id: `content_contributed:${item.id}`,
      at: now,
      ...(keepDays !== undefined ? { keepDays } : {}),
    });
  }
  const audience = await memberAudience(services, communityId, space, member);
  if (!audience) return;
  await services.outbox.enqueue(
    {
      key: `content:review:${item.id}`,
      communityId,
      purpose: 'content_review',
      audience,
      allowance: { kind: 'reply' },
      message: outcomeNote(item),
    },
    now,
  );
}

/** What the author hears. */
export function outcomeNote(item: ContentItem): OutboundMessage {
  if (item.review?.state === 'approved') {
    return { text: `Your suggestion **${item.title}** is in the library. Thank you: it is credited to you.` };
  }
  const note = item.review?.note ? `\nThe moderators' note: ${item.review.note}` : '';
  return { text: `Your suggestion **${item.title}** was not added to the library.${note}` };
}

async function approve(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const review = await reviewOf(turn, turn.event.value);
  if (!isReview(review)) return review;
  const decided = await decide(turn, review, 'approved');
  if (!decided) return answer('Someone changed that suggestion at the same moment: press Approve again.');
  await creditAndTell(turn, review.space.communityId, decided);
  const rest = (await turn.services.stores.content.queue(review.space.communityId)).filter(
    (item) => item.id !== decided.id,
  );
  const heading = `Approved **${decided.title}** (\`${decided.id}\`): it is live, and its author is told.`;
  return {
    kind: 'update',
    message: rest.length > 0 ? queueMessage(rest, heading) : { text: heading },
  };
}

async function askRejectNote(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const review = await reviewOf(turn, turn.event.value);
  if (!isReview(review)) return review;
  return {
    kind: 'form',
    form: {
      formId: REJECT_FORM_ID,
      title: 'Reject suggestion',
      submitLabel: 'Reject',
      context: review.item.id,
      fields: [
        {
          id: 'note',
          label: `A note to the author about "${review.item.title.slice(0, 40)}" (optional; - for none)`,
          style: 'paragraph',
          required: false,
          maxLength: REJECT_NOTE_MAX_LENGTH,
        },
      ],
    },
  };
}

async function reject(turn: Turn<FormSubmitted>): Promise<Outcome> {
  const review = await reviewOf(turn, turn.event.context);
  if (!isReview(review)) return review;
  const typed = (turn.event.values.note ?? '').trim();
  const note = SKIP_WORDS.has(typed.toLowerCase()) ? '' : typed.slice(0, REJECT_NOTE_MAX_LENGTH);
  const decided = await decide(turn, review, 'rejected', note);
  if (!decided) return answer('Someone changed that suggestion at the same moment: press Reject again.');
  await creditAndTell(turn, review.space.communityId, decided);
  return answer(
    `Rejected **${decided.title}** (\`${decided.id}\`): its author is told${note ? ', with your note' : ''}.`,
  );
}

export const queueCommandHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'content queue': { run: showQueue },
};

export const queueButtonHandlers: Readonly<Record<string, Handler<Turn<ButtonPressed>>>> = {
  [CONTENT_ACTIONS.approve]: { run: approve },
  [CONTENT_ACTIONS.reject]: { run: askRejectNote },
};

export const queueFormHandlers: Readonly<Record<string, Handler<Turn<FormSubmitted>>>> = {
  [REJECT_FORM_ID]: { run: reject },
};
