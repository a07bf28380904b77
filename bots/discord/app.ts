/**
 * Discord interactions (HTTP endpoint) -> core interactions, answered through a responder (responder.ts)
 * whose one call becomes the interaction response.
 *
 * Every interaction type Discord documents gets a valid answer: PING a PONG; `/community`, a press on a
 * button and a modal submit go to the core, which answers each exactly once; what the bot does not use
 * (other commands, context menus, autocomplete, select menus) is ignored on purpose, with a log line and
 * the answer Discord expects for that type, so the member never sees "interaction failed".
 *
 * Messages, replies, reactions and joins are gateway-only on Discord (a long-running connection, not a
 * webhook): gateway/ingest.ts turns them into the same core's events, for the relay that holds the
 * connection. This endpoint never imports it.
 */
// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  type APIInteractionResponse,
  InteractionResponseType,
  InteractionType,
} from 'discord-api-types/payloads/v10';
import { COMMAND_NAME } from '../../shared/core/command-table.js';
import type { Community } from '../../shared/core/community.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import type { InteractionEvent } from '../../shared/core/events.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { type Ignored, ignore, isIgnored, logIgnored } from '../../shared/platform/ignored.js';
import { isModerator } from './moderators.js';
import {
  type Interaction,
  otherCommand,
  parseInteraction,
  toButtonPressed,
  toCommandInvoked,
  toFormSubmitted,
} from './parse.js';
import { renderPrivate } from './render.js';
import { createResponder, type DeliveredAs } from './responder.js';
import type { InteractionVerifier, SignatureHeaders } from './verify.js';

/** What the app is built from, once per cold start (edge.ts). */
export interface InteractionsAppDeps {
  readonly community: Community;
  readonly verify: InteractionVerifier;
  readonly logger: Logger;
  /** DISCORD_APPLICATION_ID: whose webhook answers the interactions later. */
  readonly applicationId: string;
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

/** Wires verification, parsing and the core together; built once per cold start by edge.ts. */
export function createInteractionsApp({
  community,
  verify,
  logger,
  applicationId,
  now = () => new Date(),
}: InteractionsAppDeps): InteractionsApp {
  const ignored = (interaction: Interaction, result: Ignored): void =>
    logIgnored(logger, result, { interactionId: interaction.id, interactionType: interaction.type });

  /** Hands one interaction to the core with a responder of its kind; the responder's call is the answer. */
  async function interact(
    interaction: Interaction,
    event: InteractionEvent,
    deliveredAs: DeliveredAs,
  ): Promise<APIInteractionResponse> {
    const responder = createResponder(deliveredAs);
    // The member's rights as Discord computed them for this channel (signed with the payload); in a DM
    // there is no member, and nobody moderates a DM.
    await community.onInteraction(event, responder, () => Promise.resolve(isModerator(interaction)));
    return responder.response();
  }

  async function onCommand(interaction: Interaction): Promise<APIInteractionResponse> {
    const other = otherCommand(interaction);
    if (other) {
      ignored(interaction, other);
      return privately(`${other.ignored}. Try \`/${COMMAND_NAME} help\`.`);
    }
    return interact(interaction, toCommandInvoked(interaction, applicationId), 'command');
  }

  async function onComponent(interaction: Interaction): Promise<APIInteractionResponse> {
    const press = toButtonPressed(interaction, applicationId);
    if (!isIgnored(press)) return interact(interaction, press, 'component');
    ignored(interaction, press);
    // Acknowledge without changing the message the component sits on (valid for every component type).
    return { type: InteractionResponseType.DeferredMessageUpdate };
  }

  function onAutocomplete(interaction: Interaction): APIInteractionResponse {
    ignored(interaction, ignore('autocomplete: no option of this bot autocompletes'));
    // An empty list: Discord shows "no options match" instead of an error in the member's command picker.
    return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } };
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
          return interact(interaction, toFormSubmitted(interaction, applicationId), 'modal');
        default:
          // Not a type Discord documents: there is no answer it would accept, so say why.
          throw new MalformedRequestError(`Unsupported interaction type ${interaction.type}`);
      }
    },
  };
}

function privately(text: string): APIInteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: renderPrivate({ text }) };
}
