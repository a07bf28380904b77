/**
 * Discord interactions (HTTP endpoint) -> core events, core replies -> interaction responses.
 *
 * Every interaction type Discord documents gets a valid answer: PING a PONG, `/community` its reply, a
 * press on one of the bot's buttons is recorded and acknowledged. What the bot does not use (other
 * commands, context menus, autocomplete, modal submits, select menus) is ignored on purpose, with a log
 * line and the answer Discord expects for that type, so the member never sees "interaction failed".
 *
 * Messages, replies, reactions and joins are gateway-only on Discord (a long-running connection, not a
 * webhook), so they are not recorded yet; a later gateway relay (bots/discord/gateway.ts) will feed them
 * to the same core.
 */
// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  type APIInteractionResponse,
  InteractionResponseType,
  InteractionType,
} from 'discord-api-types/payloads/v10';
import { COMMAND_NAME } from '../../shared/core/commands.js';
import type { Community } from '../../shared/core/community.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import { privateReply, type Reply } from '../../shared/core/reply.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { type Ignored, ignore, isIgnored, logIgnored } from '../../shared/platform/ignored.js';
import { isModerator } from './moderators.js';
import {
  type Interaction,
  otherCommand,
  parseInteraction,
  toButtonPressed,
  toCommandInvoked,
} from './parse.js';
import { renderReply } from './render.js';
import type { InteractionVerifier, SignatureHeaders } from './verify.js';

/** What a modal submit is told: the bot opens no forms, so one reaching it belongs to another app version. */
export const FORM_NOT_HANDLED = 'This form is not handled by this bot.';

/** What the app is built from, once per cold start (edge.ts). */
export interface InteractionsAppDeps {
  readonly community: Community;
  readonly verify: InteractionVerifier;
  readonly logger: Logger;
  /** The clock signatures are checked against. */
  readonly now?: () => Date;
}

/** One delivery to the interactions endpoint: the raw body and its signature headers. */
export interface InteractionDelivery extends SignatureHeaders {
  readonly body: string;
}

/** The interactions endpoint without HTTP: one delivery in, one interaction response out. */
export interface InteractionsApp {
  /**
   * Verifies, parses and answers one interaction. Throws InvalidSignatureError (401),
   * MalformedRequestError (400) or a store error (500); the edge maps them.
   */
  handle(delivery: InteractionDelivery): Promise<APIInteractionResponse>;
}

/** Wires verification, parsing and the core together; built once per cold start by handler.ts. */
export function createInteractionsApp({
  community,
  verify,
  logger,
  now = () => new Date(),
}: InteractionsAppDeps): InteractionsApp {
  const ignored = (interaction: Interaction, result: Ignored): void =>
    logIgnored(logger, result, { interactionId: interaction.id, interactionType: interaction.type });

  async function onCommand(interaction: Interaction): Promise<APIInteractionResponse> {
    const other = otherCommand(interaction);
    if (other) {
      ignored(interaction, other);
      return message(privateReply(`${other.ignored}. Try \`/${COMMAND_NAME} help\`.`));
    }
    const reply = await community.onCommand(toCommandInvoked(interaction), () =>
      Promise.resolve(isModerator(interaction)),
    );
    // Discord never redelivers an interaction, but a reply is still owed to whoever sent this one.
    return message(reply ?? privateReply('This command was already handled.'));
  }

  async function onComponent(interaction: Interaction): Promise<APIInteractionResponse> {
    const press = toButtonPressed(interaction);
    if (isIgnored(press)) ignored(interaction, press);
    else await community.onEvent(press);
    // Acknowledge without changing the message the component sits on (valid for every component type).
    return { type: InteractionResponseType.DeferredMessageUpdate };
  }

  function onAutocomplete(interaction: Interaction): APIInteractionResponse {
    ignored(interaction, ignore('autocomplete: no option of this bot autocompletes'));
    // An empty list: Discord shows "no options match" instead of an error in the member's command picker.
    return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } };
  }

  function onModalSubmit(interaction: Interaction): APIInteractionResponse {
    ignored(interaction, ignore('modal submit: the bot opens no forms'));
    // A message is valid for every modal submit; an update (type 6) only for one opened from a component.
    return message(privateReply(FORM_NOT_HANDLED));
  }

  return {
    async handle({ body, signature, timestamp }) {
      await verify(body, { signature, timestamp }, now());
      const interaction = parseInteraction(body);
      switch (interaction.type) {
        case InteractionType.Ping:
          return { type: InteractionResponseType.Pong };
        case InteractionType.ApplicationCommand:
          return onCommand(interaction);
        case InteractionType.MessageComponent:
          return onComponent(interaction);
        case InteractionType.ApplicationCommandAutocomplete:
          return onAutocomplete(interaction);
        case InteractionType.ModalSubmit:
          return onModalSubmit(interaction);
        default:
          // Not a type Discord documents: there is no answer it would accept, so say why.
          throw new MalformedRequestError(`Unsupported interaction type ${interaction.type}`);
      }
    },
  };
}

function message(reply: Reply): APIInteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: renderReply(reply) };
}
