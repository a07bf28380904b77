import type {
  ButtonPressed,
  CommandInvoked,
  FormSubmitted,
  InteractionEvent,
} from '../../shared/core/events.js';
import type {
  Form,
  InteractionResponder,
  OutboundMessage,
  PrivateDelivery,
} from '../../shared/core/messenger.js';
import type { SlackMessenger } from './messenger.js';
import { type FormOrigin, formMetadata, readAnswerHandle } from './parse-interactions.js';
import { renderModal, renderResponse, type SlackResponse } from './render.js';

/**
 * The InteractionResponder per Slack delivery: how a command, a press and a modal submission are
 * acknowledged and answered. Bolt's `ack` is the HTTP answer; the receiver sends it once the listener is
 * done, so whatever a responder does before or after `ack` happens inside the request.
 */

const SENT: PrivateDelivery = { kind: 'sent' };

/** A slash command's `ack`: its body is the answer Slack shows (ephemeral unless said otherwise). */
export type CommandAck = (response?: SlackResponse) => Promise<void>;

/** A view submission's `ack`: empty closes the modal; `push` shows another on top. */
export type ViewAck = (response?: {
  readonly response_action: 'push';
  readonly view: ReturnType<typeof renderModal>;
}) => Promise<void>;

/**
 * `/community ...`: a private answer goes in the acknowledgement itself; a form opens as a modal (with the
 * command's `trigger_id`, its event id) before the acknowledgement; a later answer follows through the
 * command's `response_url`.
 */
export function commandResponder(
  event: CommandInvoked,
  ack: CommandAck,
  slack: SlackMessenger,
): InteractionResponder {
  const answer = async (message: OutboundMessage): Promise<PrivateDelivery> => {
    await ack(renderResponse(message));
    return SENT;
  };
  return {
    // Every answer is the acknowledgement's body, or follows it from a later invocation.
    answersInAcknowledgement: true,
    answer,
    // A command carries no message to replace: the answer is the update.
    update: async (message) => {
      await answer(message);
    },
    async openForm(form) {
      await slack.openModal(event.location.space.id, event.id, form, originOf(event, form));
      await ack();
    },
    defer: () => ack(),
    acknowledge: () => ack(),
  };
}

/**
 * A button press, acknowledged before the core runs (Slack ignores a press's acknowledgement body): the
 * answer goes through the press's `response_url`, ephemerally, or replaces the pressed message.
 */
export function pressResponder(event: ButtonPressed, slack: SlackMessenger): InteractionResponder {
  return {
    answer: (message) => slack.respond(event.answer, message),
    update: (message) => slack.replace(event.answer, message),
    // A press's trigger_id (its event id) opens a modal as a command's does.
    openForm: (form) => slack.openModal(event.location.space.id, event.id, form, originOf(event, form)),
    defer: async () => {},
    acknowledge: async () => {},
  };
}

/**
 * A modal submission: the acknowledgement closes the modal; a private answer goes to the channel it was
 * opened from (the opener's `response_url`, else an ephemeral message, else the DM), sent before the
 * acknowledgement so that a failure leaves the modal open for the member to submit again.
 */
export function submissionResponder(
  event: FormSubmitted,
  ack: ViewAck,
  slack: SlackMessenger,
): InteractionResponder {
  const answer = async (message: OutboundMessage): Promise<PrivateDelivery> => {
    const delivery = await slack.respond(event.answer, message);
    await ack();
    return delivery;
  };
  return {
    answer,
    update: async (message) => {
      await answer(message);
    },
    openForm: (form) =>
      ack({ response_action: 'push', view: renderModal(form, formMetadata(originOf(event, form))) }),
    defer: () => ack(),
    acknowledge: () => ack(),
  };
}

/** Where a modal opened for this interaction answers from: its channel, member and `response_url`. */
function originOf(event: InteractionEvent, form: Form): FormOrigin {
  const answer = readAnswerHandle(event.answer);
  return {
    channelId: answer?.channelId ?? event.location.channelId,
    userId: event.member.id,
    ...(answer?.responseUrl ? { responseUrl: answer.responseUrl } : {}),
    ...(form.context !== undefined ? { context: form.context } : {}),
  };
}
