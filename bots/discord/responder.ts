/**
 * The core's {@link InteractionResponder} on Discord: each call sets the interaction response, which the
 * edge returns as the HTTP answer (Discord waits up to three seconds for it). What a call becomes
 * depends on what was delivered: a command, a press on a component, or a modal submit.
 */
import {
  type APIInteractionResponse,
  InteractionResponseType,
  MessageFlags,
} from 'discord-api-types/payloads/v10';
import type { InteractionResponder } from '../../shared/core/messenger.js';
import { renderMessage, renderModal, renderPrivate } from './render.js';

/** What a repeated delivery of a command or form is told (a press is acknowledged silently). */
export const ALREADY_ANSWERED = 'This was already answered.';

/** A form answering a form: Discord cannot open a modal from a modal submit. */
export const NO_FORM_FROM_FORM = 'That needs another form, which Discord cannot open from a form.';

export type DeliveredAs = 'command' | 'component' | 'modal';

export interface DiscordResponder extends InteractionResponder {
  /** The interaction response the one call set. */
  response(): APIInteractionResponse;
}

export function createResponder(deliveredAs: DeliveredAs): DiscordResponder {
  let response: APIInteractionResponse | undefined;
  const set = (value: APIInteractionResponse): void => {
    if (response) throw new Error('An interaction is answered once');
    response = value;
  };
  const message = (text: string): APIInteractionResponse => ({
    type: InteractionResponseType.ChannelMessageWithSource,
    data: renderPrivate({ text }),
  });
  return {
    // Discord takes every answer as the interaction response, the HTTP body itself.
    answersInAcknowledgement: true,
    async answer(outbound) {
      set({ type: InteractionResponseType.ChannelMessageWithSource, data: renderPrivate(outbound) });
      return { kind: 'sent' };
    },
    async update(outbound) {
      if (deliveredAs !== 'component') {
        // Only a press has a message of its own to replace: anything else is answered privately.
        set({ type: InteractionResponseType.ChannelMessageWithSource, data: renderPrivate(outbound) });
        return;
      }
      // Replaces content and buttons (none left unless the new message has some).
      set({
        type: InteractionResponseType.UpdateMessage,
        data: { components: [], ...renderMessage(outbound) },
      });
    },
    async openForm(form) {
      set(
        deliveredAs === 'modal'
          ? message(NO_FORM_FROM_FORM)
          : { type: InteractionResponseType.Modal, data: renderModal(form) },
      );
    },
    async defer() {
      // The answer edits this original from a later invocation (messenger.respond), still ephemeral.
      set({
        type: InteractionResponseType.DeferredChannelMessageWithSource,
        data: { flags: MessageFlags.Ephemeral },
      });
    },
    async acknowledge() {
      set(
        deliveredAs === 'component'
          ? { type: InteractionResponseType.DeferredMessageUpdate }
          : message(ALREADY_ANSWERED),
      );
    },
    response() {
      if (!response) throw new Error('The interaction was never answered');
      return response;
    },
  };
}
