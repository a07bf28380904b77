import type { Api } from 'grammy/web';
import type { ButtonPressed, CommandInvoked } from '../../shared/core/events.js';
import type {
  InteractionResponder,
  Messenger,
  OutboundMessage,
  PrivateDelivery,
} from '../../shared/core/messenger.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { readAnswerHandle } from './answer-handle.js';
import { alertText } from './render.js';

/**
 * How one Telegram interaction is acknowledged and answered. A webhook delivery has no answer of its own
 * (the bot's reply is a separate call), so "acknowledging" a command is sending nothing, and a deferred
 * answer is a normal send from the later invocation. A button press is acknowledged with
 * answerCallbackQuery, which stops the button's spinner.
 */

function formsAreGuided(): Promise<void> {
  // The capability is `forms: 'guided'`: the dispatcher asks the fields in the private chat instead.
  return Promise.reject(new Error('Telegram has no forms: the core guides them (capability forms: guided)'));
}

/** A `/community` command: every answer is a message (private unless the core says otherwise). */
export function commandResponder(messenger: Messenger, event: CommandInvoked): InteractionResponder {
  const answer = (message: OutboundMessage) => messenger.respond(event.answer, message, 'private');
  return {
    answer,
    // Only presses have a message to replace; for a command the new content is simply its answer.
    update: async (message) => {
      await answer(message);
    },
    openForm: formsAreGuided,
    // Nothing to send now: Telegram needs no acknowledgement, and "typing…" in a group would announce an
    // answer that arrives elsewhere (privately).
    defer: async () => {},
    acknowledge: async () => {},
  };
}

export interface PressResponderDeps {
  readonly api: Pick<Api, 'answerCallbackQuery'>;
  readonly messenger: Messenger;
  readonly logger: Logger;
}

/**
 * A press on an inline button. answerCallbackQuery is called once: with the answer itself as an alert when
 * it fits one (shown only to the member who pressed) and asks for no reply, else without text, the answer
 * following privately (a guided form's question: the member answers it in the private chat).
 * A repeated delivery (`acknowledge`) calls nothing: the first one answered the query, and Telegram
 * refuses a second answer to it.
 */
export function pressResponder(
  { api, messenger, logger }: PressResponderDeps,
  queryId: string,
  event: ButtonPressed,
): InteractionResponder {
  let answered = false;
  /** Answers the query once; only cosmetic, and refused for queries older than a few minutes. */
  const answerQuery = async (alert?: string): Promise<boolean> => {
    if (answered) return false;
    answered = true;
    try {
      await api.answerCallbackQuery(queryId, alert === undefined ? {} : { text: alert, show_alert: true });
      return true;
    } catch (error) {
      logger.warn('callback query not answered', { eventId: event.id, error: error as Error });
      return false;
    }
  };
  return {
    async answer(message, options): Promise<PrivateDelivery> {
      const alert = options?.awaitsReply ? undefined : alertText(message);
      if (alert !== undefined && (await answerQuery(alert))) return { kind: 'sent' };
      await answerQuery();
      return messenger.respond(event.answer, message, 'private');
    },
    async update(message) {
      await answerQuery();
      const answer = readAnswerHandle(event.answer);
      await messenger.update(
        {
          space: event.location.space,
          channelId: String(answer.chatId),
          messageId: String(answer.messageId),
        },
        message,
      );
    },
    openForm: formsAreGuided,
    defer: async () => {
      await answerQuery();
    },
    acknowledge: async () => {},
  };
}
