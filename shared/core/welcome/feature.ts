/**
 * Welcomes: a space's moderators set a welcome (`/community welcome set`), and every member who joins the
 * space gets it once, ever: privately where the platform lets the bot write first, otherwise greeted in the
 * space (the outbox decides, outbox/model.ts `greetIn`). Through the outbox, inside the budget.
 */

import { auditAction } from '../attention/audit.js';
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import type { FormSubmitted } from '../events.js';
import {
  answer,
  type CommandTurn,
  type Feature,
  type Handler,
  type JoinTurn,
  type Outcome,
  type Turn,
} from '../feature.js';
import { sumCounts } from '../members/kinds.js';
import { spaceIds } from '../members/model.js';
import type { Form } from '../messenger.js';
import { memberAudience } from '../outbox/audience.js';
import { greetingChannel } from './greeting.js';

/** Long enough for a few rules and links; short enough for one message on every platform (Discord: 2000). */
export const WELCOME_MAX_LENGTH = 1500;
export const WELCOME_FORM_ID = 'welcome.set';

const WELCOME_FORM: Form = {
  formId: WELCOME_FORM_ID,
  title: 'Welcome for new members',
  submitLabel: 'Save',
  fields: [
    {
      id: 'text',
      label: 'What every new member of this space gets, once',
      style: 'paragraph',
      required: true,
      maxLength: WELCOME_MAX_LENGTH,
    },
  ],
};

export const welcomeFeature: Feature = {
  commands: [
    {
      name: 'welcome',
      summary: 'The message new members of this space get, once',
      bare: 'show',
      commands: [
        { name: 'show', summary: "This space's welcome", moderatorOnly: true, options: [] },
        {
          name: 'set',
          summary: 'Set the welcome (without text: a form)',
          moderatorOnly: true,
          options: [{ name: 'text', type: 'text', summary: 'The welcome', required: false, rest: true }],
        },
        { name: 'off', summary: 'No welcome in this space', moderatorOnly: true, options: [] },
      ],
    },
  ],
  commandHandlers: {
    'welcome show': { run: showWelcome },
    'welcome set': {
      run: async (turn) => {
        const text = typeof turn.values.text === 'string' ? turn.values.text.trim() : '';
        return text ? saveWelcome(turn, text) : { kind: 'form', form: WELCOME_FORM };
      },
    },
    'welcome off': { run: turnOff },
  },
  formHandlers: { [WELCOME_FORM_ID]: { run: submitForm } satisfies Handler<Turn<FormSubmitted>> },
  memberData: [
    {
      name: 'welcome markers',
      purpose: 'that you were welcomed in a space, so the welcome is sent once, ever',
      keptFor: 'until you erase your data',
      count: (scope, stores) =>
        sumCounts(
          scope.spaces
            .flatMap(spaceIds)
            .flatMap((space) =>
              scope.memberIds.map(async (id) => Number(await stores.welcomes.wasWelcomed(space, id))),
            ),
        ),
      erase: (scope, stores) => stores.welcomes.eraseMember(scope.spaces.flatMap(spaceIds), scope.memberIds),
    },
  ],
  onMemberJoined: welcomeNewMember,
};

async function showWelcome(turn: CommandTurn): Promise<Outcome> {
  const welcome = await turn.services.stores.welcomes.welcome(turn.event.location.space);
  if (!welcome) {
    return answer(`This space has no welcome. \`/${COMMAND_NAME} welcome set <text>\` sets one.`);
  }
  return answer(`**This space's welcome** (set ${welcome.setAt.slice(0, 10)})\n${welcome.text}`);
}

/** A form reaches no rights check of the dispatcher's (only commands do): the submitter is checked here. */
async function submitForm(turn: Turn<FormSubmitted>): Promise<Outcome> {
  if (turn.event.location.direct || !(await turn.isModerator())) {
    return answer(`Only a moderator of this space can set its welcome (${turn.services.moderatorRule}).`);
  }
  return saveWelcome(turn, (turn.event.values.text ?? '').trim());
}

async function saveWelcome(turn: Turn, text: string): Promise<Outcome> {
  if (!text) return answer('The welcome is empty: nothing was changed.');
  if (text.length > WELCOME_MAX_LENGTH) {
    return answer(
      `Please keep the welcome under ${WELCOME_MAX_LENGTH} characters (yours has ${text.length}).`,
    );
  }
  const space = turn.space as SpaceRecord;
  await turn.services.stores.welcomes.setWelcome(turn.event.location.space, {
    text,
    setAt: turn.now.toISOString(),
  });
  await auditAction(turn, space.communityId, 'set the welcome');
  return answer(
    `Welcome set. Every member who joins this space from now on gets it once, within the community's ` +
      `budget and outside quiet hours:\n${text}`,
  );
}

async function turnOff(turn: CommandTurn): Promise<Outcome> {
  const space = turn.space as SpaceRecord;
  const { welcomes } = turn.services.stores;
  if (!(await welcomes.welcome(turn.event.location.space))) return answer('This space has no welcome.');
  await welcomes.setWelcome(turn.event.location.space, undefined);
  await auditAction(turn, space.communityId, 'turned the welcome off');
  return answer('Welcome off: new members of this space get nothing. Welcomes already queued still go.');
}

/**
 * Enqueues the space's welcome for a member who joined, once ever.
 *
 * Order is what makes it exactly once and never lost: the welcome is enqueued first, then the member is
 * marked welcomed. A failure between the two leaves the message queued and the marker missing, so the
 * redelivered join enqueues again under the same key (the outbox stores one message per key) and then marks.
 * The other way round, a failure after the marker would lose the welcome for good. The marker is still
 * needed: the outbox forgets an ended message after a month, and a member who leaves and rejoins later must
 * not be welcomed twice.
 */
async function welcomeNewMember(turn: JoinTurn): Promise<void> {
  const { event, services, space, now } = turn;
  const where = { platform: space.platform, id: space.id };
  const welcome = await services.stores.welcomes.welcome(where);
  if (!welcome) return;
  const greetIn = await greetingChannel(turn);
  const audience = await memberAudience(services, space.communityId, where, event.member, {
    ...(greetIn ? { greetIn } : {}),
    ...(event.name ? { name: event.name } : {}),
  });
  if (!audience || (await services.stores.welcomes.wasWelcomed(where, audience.memberId))) return;
  await services.outbox.enqueue(
    {
      key: `welcome:${space.platform}:${space.id}:${audience.memberId}`,
      communityId: space.communityId,
      purpose: 'welcome',
      audience,
      message: { text: welcome.text },
      allowance: { kind: 'unsolicited' },
    },
    now,
  );
  await services.stores.welcomes.markWelcomed(where, audience.memberId, now);
}
