/**
 * `/community content suggest`: any member, in their community, sends an item for the library (a form).
 * It waits as a draft under review, credited to them, until a moderator approves or rejects it from the
 * queue (queue.ts); they hear the outcome privately. Moderators are not messaged: they pull the queue.
 */
import type { FormSubmitted } from '../events.js';
import { answer, type CommandTurn, type Handler, type Outcome, type Turn } from '../feature.js';
import { commandText, isSpace, itemFields, librarySpace, personOf } from './authoring-common.js';
import { draftOf, saveNewItem } from './authoring-items.js';
import { itemId } from './ids.js';
import { type ContentItem, NO_COUNTS } from './model.js';
import { checkDraft, describeProblems } from './validate.js';

/** The form `content suggest` opens; its submission is handled under the same id. */
export const SUGGEST_FORM_ID = 'content.suggest';

export const SUGGESTION_THANKS = 'Thanks: moderators will review it; you will hear the outcome privately.';

async function openSuggestForm(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content suggest');
  if (!isSpace(space)) return space;
  const { topics } = await turn.services.stores.content.meta(space.communityId);
  return {
    kind: 'form',
    form: {
      formId: SUGGEST_FORM_ID,
      title: 'Suggest an item',
      submitLabel: 'Suggest',
      // A member's suggestion is never promotional: the kind field does not offer it.
      fields: itemFields(topics, false),
    },
  };
}

async function submitSuggestion(turn: Turn<FormSubmitted>): Promise<Outcome> {
  const space = librarySpace(turn, 'content suggest');
  if (!isSpace(space)) return space;
  const { services, event, now } = turn;
  const { content } = services.stores;
  const meta = await content.meta(space.communityId);
  const check = checkDraft(draftOf(event.values, false), meta.topics);
  if (!check.ok) {
    return answer(
      `${describeProblems('Nothing was sent:', check.problems)}\nRun ${commandText('content suggest')} again.`,
    );
  }
  const { platform, id } = event.location.space;
  const member = { platform: event.member.platform, id: event.member.id };
  const at = now.toISOString();
  const item: ContentItem = {
    communityId: space.communityId,
    id: itemId(space.communityId, event.id),
    ...check.item,
    author: {
      kind: 'member',
      person: await personOf(services, space.communityId, { platform, id }, member),
      member,
      space: { platform, id },
    },
    status: 'draft',
    review: { state: 'pending' },
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
  };
  const saved = await saveNewItem(content, item);
  if (saved.kind === 'taken')
    return answer('That id was taken by chance: nothing was sent. Please try again.');
  return answer(SUGGESTION_THANKS);
}

export const suggestCommandHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'content suggest': { run: openSuggestForm },
};

export const suggestFormHandlers: Readonly<Record<string, Handler<Turn<FormSubmitted>>>> = {
  [SUGGEST_FORM_ID]: { run: submitSuggestion },
};
