/**
 * Text a member sends the bot in a private chat (Telegram): a deep link's `/start <token>` delivers the
 * answer it holds, `/start` and `/help` get the introduction (home/intro.ts), and anything else may be the
 * next answer of a guided form (forms.ts), whose submission is dispatched like a modal's.
 */
import type { PendingAnswerStore } from './answers.js';
import type { TableEntry } from './command-table.js';
import type { FormSubmitted, PrivateText } from './events.js';
import { continueGuided, type FormSessionStore } from './forms.js';
import { asksForIntro, introText } from './home/intro.js';
import type { InteractionResponder, Messenger, OutboundMessage, PrivateDelivery } from './messenger.js';

/** What answering private text needs from the dispatcher. */
export interface PrivateChatDeps {
  readonly stores: { readonly pending: PendingAnswerStore; readonly forms: FormSessionStore };
  readonly messenger: Messenger;
  /** The command table of the features in use (the introduction lists it). */
  readonly table: readonly TableEntry[];
  /** Dispatches a guided form's submission, answered through `responder`. */
  readonly submit: (submission: FormSubmitted, responder: InteractionResponder) => Promise<unknown>;
}

/** Answers one private text, at `at`; run once per delivery by the caller (its answer ledger). */
export async function answerPrivateText(
  deps: PrivateChatDeps,
  event: PrivateText,
  at: Date,
): Promise<'handled' | 'none'> {
  const { stores, messenger } = deps;
  if (event.startToken) return deliverPending(deps, event, at);
  // Before a guided form reads it: `/help` mid-form is a question, not the answer (the form waits on).
  if (asksForIntro(event.text)) {
    await sayPrivately(messenger, event, { text: introText(deps.table) });
    return 'handled';
  }
  const step = await continueGuided(stores.forms, messenger, event, at);
  if (step.kind !== 'submitted') return step.kind === 'none' ? 'none' : 'handled';
  await deps.submit(step.submission, privateChatResponder(messenger, event));
  await stores.forms.delete(event.member);
  return 'handled';
}

/** A deep link's answer, once; a link used up or expired gets the introduction instead. */
async function deliverPending(deps: PrivateChatDeps, event: PrivateText, at: Date): Promise<'handled'> {
  const { stores, messenger } = deps;
  const token = event.startToken ?? '';
  const message = await stores.pending.peek(token, event.member, at);
  if (!message) {
    await sayPrivately(messenger, event, {
      text: `Hello! That link has been used already or has expired.\n\n${introText(deps.table)}`,
    });
    return 'handled';
  }
  // Used up only once it went out: a member who blocked the bot meanwhile can still open it later.
  if ((await sayPrivately(messenger, event, message)).kind === 'sent') {
    await stores.pending.consume(token, event.member);
  }
  return 'handled';
}

function sayPrivately(messenger: Messenger, event: PrivateText, message: OutboundMessage) {
  return messenger.sendPrivate(event.location.space, event.member, message);
}

/** A guided form's submission is answered in the member's private chat, where they sent the last reply. */
function privateChatResponder(messenger: Messenger, event: PrivateText): InteractionResponder {
  const say = (message: OutboundMessage): Promise<PrivateDelivery> => sayPrivately(messenger, event, message);
  return {
    answer: say,
    update: async (message) => {
      await say(message);
    },
    openForm: async () => {
      throw new Error('A guided form cannot open another form');
    },
    defer: async () => {},
    acknowledge: async () => {},
  };
}
