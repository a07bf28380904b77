/**
 * `/community feedback [note]`: any member sends a short private note to the community's moderators.
 * Without a note it opens a form (a modal on Slack and Discord, a guided private exchange on Telegram).
 * The note is stored until a moderator marks it read, delivered to each moderator privately from a later
 * invocation (each delivery at most once), and the member hears "Thanks, moderators have it".
 */

import { answerOnce, IN_REQUEST_MS } from '../answers.js';
import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed, InteractionEvent, Member, Space } from '../events.js';
import { answer, type Feature, type Outcome, type Turn } from '../feature.js';
import { placesOf, sumCounts } from '../members/kinds.js';
import type { Form, OutboundMessage } from '../messenger.js';

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

/** Runs later: each moderator gets the note privately once, however often this job runs. */
async function deliverToModerators(turn: Turn): Promise<OutboundMessage> {
  const { event, services } = turn;
  const { space } = event.location;
  const note = await services.stores.feedback.get(space, noteId(event));
  if (!note) return { text: THANKS_KEPT };
  const moderators = await services.messenger.moderators(space);
  let reached = 0;
  for (const moderator of moderators) {
    if (moderator.id === event.member.id) continue;
    if (await deliverOnce(turn, note.id, moderator, noteMessage(space, note.id, note.text, note.from))) {
      reached += 1;
    }
  }
  services.logger.info('feedback delivered', { noteId: note.id, moderators: moderators.length, reached });
  return { text: reached > 0 ? THANKS : THANKS_KEPT };
}

/** Sends one moderator the note, at most once however often the job runs; true when it reached them. */
async function deliverOnce(
  { services, now, event }: Turn,
  id: string,
  moderator: Member,
  message: OutboundMessage,
): Promise<boolean> {
  const claim = {
    space: event.location.space,
    key: `feedback:${id}:to:${moderator.id}`,
    inProgressMs: IN_REQUEST_MS,
    now: () => now,
  };
  const sent = await answerOnce(services.stores.ledger, services.logger, claim, async () =>
    services.messenger.sendPrivate(event.location.space, moderator, message),
  );
  // Delivered by an earlier run (the ledger says so): it reached them then.
  if (sent === 'duplicate') return true;
  return sent !== 'in_progress' && sent.kind === 'sent';
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
