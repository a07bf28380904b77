/**
 * `/community content suggest`: any member, in their community, sends an item for the library (a form).
 * It waits as a draft under review, credited to them, until a moderator approves or rejects it from the
 * queue (queue.ts); they hear the outcome privately. Moderators are not messaged: they pull the queue.
 */
import type { FormSubmitted } from '../events.js';
import { answer, type CommandTurn, type Handler, type Outcome, type Turn } from '../feature.js';
import { isSpace, itemFields, librarySpace, personOf } from './authoring-common.js';
import { addSubmitted, isItem } from './authoring-items.js';

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
  const { services, event } = turn;
  const { platform, id } = event.location.space;
  const member = { platform: event.member.platform, id: event.member.id };
  const added = await addSubmitted(
    turn,
    space,
    { command: 'content suggest', nothing: 'Nothing was sent', promotional: false },
    async () => ({
      author: {
        kind: 'member',
        person: await personOf(services, space.communityId, { platform, id }, member),
        member,
        space: { platform, id },
      },
      status: 'draft',
      review: { state: 'pending' },
    }),
  );
  return isItem(added) ? answer(SUGGESTION_THANKS) : added;
}

export const suggestCommandHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'content suggest': { run: openSuggestForm },
};

export const suggestFormHandlers: Readonly<Record<string, Handler<Turn<FormSubmitted>>>> = {
  [SUGGEST_FORM_ID]: { run: submitSuggestion },
};
