/**
 * `/community feedback [note]`: any member sends a short private note to the community's moderators.
 * Without a note it opens a form (a modal on Slack and Discord, a guided private exchange on Telegram).
 * The note is stored until a moderator marks it read, delivered to each moderator privately from a later
 * invocation (each delivery at most once), and the member hears "Thanks, moderators have it".
 */

import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed, InteractionEvent, Member, Space } from '../events.js';
import { answer, type Feature, type Outcome, type Turn } from '../feature.js';
import { placesOf, sumCounts } from '../members/kinds.js';
import type { Form, OutboundMessage } from '../messenger.js';
import { memberAudience } from '../outbox/audience.js';

/** Long enough for a paragraph, short enough to read in a notification. */
export const FEEDBACK_MAX_LENGTH = 1000;
export const READ_ACTION = 'feedback.read';
const FORM_ID = 'feedback';

export const THANKS = 'Thanks, moderators have it.';
export const THANKS_KEPT = 'Thanks, your note is kept for the moderators.';

const FEEDBACK_FORM: Form = {
  formId: FORM_ID,
  title: 'Feedback to moderators',
  submitLabel: 'Send',
  fields: [
    {
      id: 'note',
      label: 'Your note to the moderators (only they will see it)',
      style: 'paragraph',
      required: true,
      maxLength: FEEDBACK_MAX_LENGTH,
    },
  ],
};

export const feedbackFeature: Feature = {
  memberData: [
    {
      name: 'feedback notes',
      purpose:
        'notes you sent the moderators (the text until a moderator reads it), and notes you marked read',
      keptFor: 'the text until read, the note at most 90 days',
      erase: (scope, stores) =>
        sumCounts(placesOf(scope).map(({ space, member }) => stores.feedback.eraseMember(space, member))),
    },
  ],
  commands: [
    {
      name: 'feedback',
      summary: 'Send the moderators a private note',
      moderatorOnly: false,
      options: [
        { name: 'note', type: 'text', summary: 'What you want them to know', required: false, rest: true },
      ],
    },
  ],
  commandHandlers: {
    feedback: {
      run: (turn) => {
        const note = turn.values.note;
        return typeof note === 'string' && note.trim() ? keep(turn, note.trim()) : askForNote(turn);
      },
      later: deliverToModerators,
    },
  },
  formHandlers: {
    [FORM_ID]: {
      run: (turn) => keep(turn, (turn.event.values.note ?? '').trim()),
      later: deliverToModerators,
    },
  },
  buttonHandlers: {
    [READ_ACTION]: { run: markRead },
  },
};

async function askForNote(turn: Turn): Promise<Outcome> {
  if (turn.event.location.direct) return notHere();
  return { kind: 'form', form: FEEDBACK_FORM };
}

async function keep(turn: Turn, text: string): Promise<Outcome> {
  const { event, services, now } = turn;
  if (event.location.direct) return notHere();
  if (!text) return answer('Your note is empty: nothing was sent.');
  if (text.length > FEEDBACK_MAX_LENGTH) {
    return answer(`Please keep it under ${FEEDBACK_MAX_LENGTH} characters (yours has ${text.length}).`);
  }
  await services.stores.feedback.add(
    {
      space: event.location.space,
      id: noteId(event),
      from: event.member,
      text,
      createdAt: now.toISOString(),
    },
    now,
  );
  return { kind: 'later' };
}

function notHere(): Outcome {
  return answer(`Send \`/${COMMAND_NAME} feedback\` in your community, so I know whose moderators to tell.`);
}

/**
 * Moderators' notes (feedback) count against their own weekly cap, not the unsolicited one: reading the
 * community's feedback is part of the role. A moderator who mutes the bot or opts out gets none.
 */
export const MODERATOR_NOTES = { kind: 'subscribed', topic: 'moderator notes', perWeek: 20 } as const;

/** Runs later: each moderator's note is queued in the outbox once, however often this job runs. */
async function deliverToModerators(turn: Turn): Promise<OutboundMessage> {
  const { event, services, space: record, now } = turn;
  const { space } = event.location;
  const note = await services.stores.feedback.get(space, noteId(event));
  if (!note || !record) return { text: THANKS_KEPT };
  const moderators = await services.messenger.moderators(space);
  let queued = 0;
  for (const moderator of moderators) {
    if (moderator.id === event.member.id) continue;
    const audience = await memberAudience(services, record.communityId, space, moderator);
    if (!audience) continue;
    await services.outbox.enqueue(
      {
        key: `feedback:${note.id}:to:${audience.memberId}`,
        communityId: record.communityId,
        purpose: 'feedback_note',
        audience,
        allowance: MODERATOR_NOTES,
        message: noteMessage(space, note.id, note.text, note.from),
      },
      now,
    );
    queued += 1;
  }
  services.logger.info('feedback queued', { noteId: note.id, moderators: moderators.length, queued });
  return { text: queued > 0 ? THANKS : THANKS_KEPT };
}

function noteMessage(space: Space, id: string, text: string, from: Member): OutboundMessage {
  return {
    text: `**Private feedback from member \`${from.id}\`**\n${text}`,
    buttons: [{ actionId: READ_ACTION, label: 'Mark as read', value: `${space.id}/${id}` }],
  };
}

async function markRead(turn: Turn<ButtonPressed>): Promise<Outcome> {
  const { event, services, now } = turn;
  const [spaceId, id] = (event.value ?? '').split('/');
  if (!spaceId || !id) return answer('This button is no longer in use.');
  // The press may come from a private chat: rights are checked for the note's community, server side.
  const space: Space = { platform: event.location.space.platform, id: spaceId };
  if (!(await services.messenger.isModerator(space, event.member))) {
    return answer(
      `Only moderators of that community can mark its feedback read (${services.moderatorRule}).`,
    );
  }
  const result = await services.stores.feedback.markRead(space, id, event.member, now);
  switch (result.kind) {
    case 'read':
      return {
        kind: 'update',
        message: {
          text: `**Private feedback from member \`${result.note.from.id}\`**\n${result.note.text}\n_Marked as read._`,
        },
      };
    case 'already':
      return answer(`Already marked as read by \`${result.readBy}\`.`);
    case 'missing':
      return answer('That note is gone: it was read long ago or has expired.');
  }
}

/**
 * A short id for the note (it rides in a button's value, where Telegram allows 64 bytes in all), the same
 * for every delivery of the event that sent it: 64 bits of FNV-1a over the event's identity, in base 36.
 * Notes are keyed by community, so a collision could only ever meet another note of the same community.
 */
export function noteId(event: InteractionEvent): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${event.kind}:${event.id}`)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(36);
}
