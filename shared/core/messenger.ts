/**
 * The Messenger port: the one way the core speaks. The core decides what to say and to whom; each adapter
 * implements this port in its platform's native form (bots/<platform>/messenger.ts) and declares what it
 * can do in {@link MessengerCapabilities}. Where a platform lacks something, the core's fallback is the one
 * named in the capabilities (see answers.ts and forms.ts), never an adapter's private improvisation.
 */
import type { Member, Space } from './events.js';

/** A button under a message. A press arrives back as a `button_pressed` event with this action id and value. */
export interface Button {
  /** Routes the press to a handler (see dispatcher.ts): `<feature>.<action>`, e.g. `feedback.read`. */
  readonly actionId: string;
  readonly label: string;
  /**
   * Carried back with the press on every platform. Keep action id + value within
   * {@link BUTTON_PAYLOAD_LIMIT} characters: Telegram's `callback_data` holds 64 bytes.
   */
  readonly value?: string;
}

/** The longest `actionId` + separator + `value` every platform carries back (Telegram: 64 bytes). */
export const BUTTON_PAYLOAD_LIMIT = 64;

/**
 * What the bot says, before any platform formats it. Text is light format (see light-format.ts): `**bold**`,
 * `_italic_`, `` `code` `` and fenced blocks.
 */
export interface OutboundMessage {
  readonly text: string;
  readonly buttons?: readonly Button[];
  /**
   * Members mentioned in the text: `{@0}` in the text is the first one, `{@1}` the second. Each platform
   * renders its own mention (Slack `<@U1>`, Discord `<@1>`, Telegram a link to the user named `name`).
   */
  readonly mentions?: readonly Mention[];
}

/** A member named in a message so the platform notifies them. */
export interface Mention {
  readonly member: Member;
  /** Shown where the platform needs a visible name for the mention (Telegram); from the join payload. */
  readonly name?: string;
}

/** The placeholder for the `index`-th mention in a message's text. */
export function mentionToken(index: number): string {
  return `{@${index}}`;
}

/** Replaces each `{@i}` with what `render` makes of mention i (unknown indexes are left as they are). */
export function renderMentions(
  text: string,
  mentions: readonly Mention[] | undefined,
  render: (mention: Mention) => string,
): string {
  if (!mentions?.length) return text;
  return text.replace(/\{@(\d+)\}/g, (token, index: string) => {
    const mention = mentions[Number(index)];
    return mention ? render(mention) : token;
  });
}

/** Somewhere in a space the bot can post: a channel, optionally a thread or forum topic in it. */
export interface ChannelTarget {
  readonly space: Space;
  readonly channelId: string;
  /** Slack thread ts, Discord thread channel, Telegram forum topic id. */
  readonly threadId?: string;
}

/** A message the bot posted, enough to update or delete it later. Serialisable. */
export interface PostedMessage {
  readonly space: Space;
  readonly channelId: string;
  readonly messageId: string;
}

/** Whether a private message reached the member. */
export type PrivateDelivery =
  | { readonly kind: 'sent'; readonly message?: PostedMessage }
  /** The platform refused (the member never started the bot, closed DMs, left): nothing was shown anywhere. */
  | { readonly kind: 'unreachable'; readonly reason: string };

/** A form with text fields: a Slack or Discord modal, or a guided exchange of private replies. */
export interface Form {
  /** Routes the submission to a handler: the same name as a form handler registered with the dispatcher. */
  readonly formId: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly fields: readonly FormField[];
  /** Carried back with the submission (at most {@link FORM_CONTEXT_LIMIT} characters). */
  readonly context?: string;
}

export const FORM_CONTEXT_LIMIT = 80;

export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly style: 'short' | 'paragraph';
  readonly required: boolean;
  /** Discord allows at most 4000 characters in a text input; Slack 3000 in a plain text input. */
  readonly maxLength: number;
  readonly placeholder?: string;
}

/**
 * Adapter-owned and JSON-serialisable: what the adapter needs to answer one interaction, now or in a later
 * invocation (Slack `response_url`, Discord application id + token, Telegram chat, message and topic). The
 * core stores and passes it, and never reads it.
 */
export type AnswerHandle = Readonly<Record<string, string | number | boolean>>;

/** What each platform can do, and which fallback the core uses where it cannot. */
export interface MessengerCapabilities {
  /**
   * `modal`: {@link InteractionResponder.openForm} shows a native form (Slack, Discord).
   * `guided`: no forms; the core asks each field privately and reads the member's private replies (Telegram).
   */
  readonly forms: 'modal' | 'guided';
  /**
   * How an interaction's private answer reaches the member. `ephemeral`: always (Slack, Discord show it to
   * that member only, in place). `direct`: only in a private chat, which may be refused; then the core
   * posts a public note with a single-use deep link ({@link Messenger.deepLink}) and delivers the answer
   * there once the member opens it (Telegram).
   */
  readonly privateAnswers: 'ephemeral' | 'direct';
  /** Posts can go into a thread or forum topic ({@link ChannelTarget.threadId}). */
  readonly threads: boolean;
}

/**
 * The adapter's side of one interaction (a command, a press, a form submission), built per delivery. Each
 * method acknowledges the interaction; the dispatcher calls exactly one of them, once.
 */
export interface InteractionResponder {
  /**
   * True when every answer this responder gives travels in the acknowledgement (the HTTP response: a Slack
   * command, any Discord interaction), so nothing can fail between deciding an answer and giving it.
   */
  readonly answersInAcknowledgement?: boolean;
  /**
   * Answers privately now (in the acknowledgement where the platform has one). `awaitsReply`: the member
   * answers it with a message (a guided form's question), so it must stay readable: never a passing popup.
   */
  answer(message: OutboundMessage, options?: { readonly awaitsReply?: boolean }): Promise<PrivateDelivery>;
  /** Replaces the message that carried the pressed button (presses only). */
  update(message: OutboundMessage): Promise<void>;
  /** Shows a form (capability `forms: 'modal'` only); its submission comes back as `form_submitted`. */
  openForm(form: Form): Promise<void>;
  /** Acknowledges now; the answer follows from a later invocation through {@link Messenger.respond}. */
  defer(): Promise<void>;
  /** Acknowledges without a word: a repeated delivery whose answer is already given or under way. */
  acknowledge(): Promise<void>;
}

/** The port: everything the core may say or ask, outside of an acknowledgement. */
export interface Messenger {
  readonly capabilities: MessengerCapabilities;
  /**
   * Answers an interaction after its acknowledgement window (Slack `response_url`, Discord edit of the
   * deferred original, Telegram a normal send). Private unless `visibility` is `public`.
   */
  respond(
    handle: AnswerHandle,
    message: OutboundMessage,
    visibility?: 'private' | 'public',
  ): Promise<PrivateDelivery>;
  /** Posts in a channel (or a thread / forum topic of it). */
  post(target: ChannelTarget, message: OutboundMessage): Promise<PostedMessage>;
  /** Sends a private message: Slack DM, Discord DM, Telegram private chat. */
  sendPrivate(space: Space, member: Member, message: OutboundMessage): Promise<PrivateDelivery>;
  update(message: PostedMessage, content: OutboundMessage): Promise<void>;
  delete(message: PostedMessage): Promise<void>;
  /** A link that opens a private chat with the bot carrying `token` (capability `privateAnswers: 'direct'`). */
  deepLink(token: string): string | undefined;
  /** Asks the platform whether the member moderates the space (server side, never trusted from a payload). */
  isModerator(space: Space, member: Member): Promise<boolean>;
  /** The space's moderators, as the platform says (for private notes to them). */
  moderators(space: Space): Promise<readonly Member[]>;
  /**
   * Shows `view` as the member's own home with the bot (Slack's App Home tab, replaced whole each time).
   * Optional: a platform without a home leaves it out, and the core shows nothing there.
   */
  publishHome?(space: Space, member: Member, view: OutboundMessage): Promise<void>;
}
