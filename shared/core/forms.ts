/**
 * Forms where the platform has none (capability `forms: 'guided'`, Telegram): the core asks each field in
 * the member's private chat and reads their private replies, then submits the form like a modal would.
 * The session (with the answers so far) is kept until the last answer, a `cancel`, or its expiry.
 */
import type { FormSubmitted, Member, PrivateText } from './events.js';
import type { SerializedInteraction } from './later.js';
import type { Form, Messenger, OutboundMessage } from './messenger.js';

/** A guided form in progress. */
export interface FormSession {
  readonly form: Form;
  readonly answers: Readonly<Record<string, string>>;
  /** The interaction that opened the form; the submission answers through its handle. */
  readonly origin: SerializedInteraction;
}

/** Sessions by member (shared/store/form-session-repository.ts): one open guided form per member. */
export interface FormSessionStore {
  put(member: Member, session: FormSession, now: Date): Promise<void>;
  get(member: Member, now: Date): Promise<FormSession | undefined>;
  delete(member: Member): Promise<void>;
}

/** How long a guided form waits for the next answer. */
export const FORM_SESSION_SECONDS = 30 * 60;

const CANCEL_WORDS = new Set(['cancel', '/cancel', 'stop']);

/** The question for the next unanswered field. */
export function promptFor(session: FormSession): OutboundMessage {
  const { form } = session;
  const index = form.fields.findIndex((field) => session.answers[field.id] === undefined);
  const field = form.fields[index] ?? form.fields[0];
  const step = form.fields.length > 1 ? ` (${index + 1} of ${form.fields.length})` : '';
  return {
    text: `**${form.title}**${step}\n${field?.label ?? ''}\n_Reply with your answer, or send \`cancel\`._`,
  };
}

/** What one private reply did to the member's guided form. */
export type GuidedStep =
  | { readonly kind: 'none' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'asked' }
  | { readonly kind: 'submitted'; readonly submission: FormSubmitted };

/**
 * Reads one private reply into the member's open form: asks the next field, refuses an answer that is too
 * long, or returns the submission when the last field is answered.
 */
export async function continueGuided(
  store: FormSessionStore,
  messenger: Messenger,
  reply: PrivateText,
  now: Date,
): Promise<GuidedStep> {
  const { member } = reply;
  const session = await store.get(member, now);
  if (!session) return { kind: 'none' };
  const say = (text: string) => messenger.sendPrivate(reply.location.space, member, { text });
  const text = reply.text.trim();
  if (CANCEL_WORDS.has(text.toLowerCase())) {
    await store.delete(member);
    await say(`Cancelled: ${session.form.title}.`);
    return { kind: 'cancelled' };
  }
  const field = session.form.fields.find((candidate) => session.answers[candidate.id] === undefined);
  if (!field) return { kind: 'none' };
  if (text.length > field.maxLength || (field.required && !text)) {
    await say(`Please answer in 1 to ${field.maxLength} characters, or send \`cancel\`.`);
    return { kind: 'asked' };
  }
  const next: FormSession = { ...session, answers: { ...session.answers, [field.id]: text } };
  if (session.form.fields.some((candidate) => next.answers[candidate.id] === undefined)) {
    await store.put(member, next, now);
    await messenger.sendPrivate(reply.location.space, member, promptFor(next));
    return { kind: 'asked' };
  }
  // The session is deleted once the submission is answered (dispatcher.ts), so a failure keeps the answers.
  const { origin } = session;
  return {
    kind: 'submitted',
    submission: {
      kind: 'form_submitted',
      // The last reply's id: a redelivery of it submits the same form, which the ledger answers once.
      id: `form:${reply.id}`,
      location: origin.location,
      member: origin.member,
      occurredAt: reply.occurredAt,
      answer: origin.answer,
      formId: session.form.formId,
      ...(session.form.context === undefined ? {} : { context: session.form.context }),
      values: next.answers,
    },
  };
}
