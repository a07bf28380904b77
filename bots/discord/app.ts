/**
 * Discord interactions (HTTP endpoint) -> core events, core replies -> interaction responses.
 *
 * Only what Discord sends to the interactions endpoint arrives here: PING, slash commands and button
 * presses. Messages, replies, reactions and joins are gateway-only on Discord (a long-running connection,
 * not a webhook), so they are not recorded yet; a later gateway relay (bots/discord/gateway.ts) will feed
 * them to the same core.
 */
// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  type APIInteractionResponse,
  ApplicationCommandOptionType,
  ComponentType,
  InteractionResponseType,
  InteractionType,
} from 'discord-api-types/payloads/v10';
import { COMMAND_NAME } from '../../shared/core/commands.js';
import type { Community } from '../../shared/core/community.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import type { ButtonPressed, CommandInvoked, Location, Member } from '../../shared/core/events.js';
import { privateReply, type Reply } from '../../shared/core/reply.js';
import { parseJsonBody } from '../../shared/lambda/http.js';
import type { Logger } from '../../shared/lambda/logger.js';
import { isModerator } from './moderators.js';
import { renderReply } from './render.js';
import type { InteractionVerifier, SignatureHeaders } from './verify.js';

/** The space of a direct message with the bot, which belongs to no guild (Discord's own name for it). */
export const DM_SPACE_ID = '@me';

/** Discord snowflakes count milliseconds from the first second of 2015. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const SNOWFLAKE = /^\d{1,20}$/;

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

export interface InteractionsApp {
  /**
   * Verifies, parses and answers one interaction. Throws InvalidSignatureError (401),
   * MalformedRequestError (400) or a store error (500); the edge maps them.
   */
  handle(delivery: InteractionDelivery): Promise<APIInteractionResponse>;
}

/** The part of an interaction the adapter reads; everything else Discord sends is ignored. */
export interface Interaction {
  readonly id: string;
  readonly type: number;
  readonly guild_id?: string;
  readonly channel_id?: string;
  readonly channel?: { readonly id?: string };
  readonly member?: { readonly user?: { readonly id?: string }; readonly permissions?: string };
  readonly user?: { readonly id?: string };
  readonly data?: Record<string, unknown>;
}

/** An option of a chat input command: a subcommand (group) with nested options, or a value. */
interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly value?: unknown;
  readonly options?: readonly CommandOption[];
}

/** Wires verification, parsing and the core together; built once per cold start by handler.ts. */
export function createInteractionsApp({
  community,
  verify,
  logger,
  now = () => new Date(),
}: InteractionsAppDeps): InteractionsApp {
  async function onCommand(interaction: Interaction): Promise<APIInteractionResponse> {
    const name = stringField(interaction.data, 'name');
    if (name !== COMMAND_NAME) {
      // Only /community is registered (commands.ts); another name means a stale registration.
      logger.debug('ignored command', { interactionId: interaction.id, command: name });
      return message(privateReply(`Unknown command \`/${name}\`. Try \`/${COMMAND_NAME} help\`.`));
    }
    const reply = await community.onCommand(toCommandInvoked(interaction), () =>
      Promise.resolve(isModerator(interaction)),
    );
    // Discord never redelivers an interaction, but a reply is still owed to whoever sent this one.
    return message(reply ?? privateReply('This command was already handled.'));
  }

  async function onComponent(interaction: Interaction): Promise<APIInteractionResponse> {
    const componentType = interaction.data?.component_type;
    if (componentType === ComponentType.Button) {
      await community.onEvent(toButtonPressed(interaction));
    } else {
      // The bot renders buttons only; a select menu here belongs to some other message.
      logger.debug('ignored component', { interactionId: interaction.id, componentType });
    }
    // Acknowledge without changing the message the button sits on.
    return { type: InteractionResponseType.DeferredMessageUpdate };
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
        default:
          throw new MalformedRequestError(`Unsupported interaction type ${interaction.type}`);
      }
    },
  };
}

function message(reply: Reply): APIInteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: renderReply(reply) };
}

/** Reads the envelope every interaction has; the fields a type needs are checked where it is handled. */
export function parseInteraction(body: string): Interaction {
  const value = parseJsonBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedRequestError('Interaction must be a JSON object');
  }
  const { id, type } = value as Record<string, unknown>;
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw new MalformedRequestError('Interaction has no integer type');
  }
  if (typeof id !== 'string' || !SNOWFLAKE.test(id)) {
    throw new MalformedRequestError('Interaction has no snowflake id');
  }
  return value as Interaction;
}

/** `/community <subcommand> [options]` as the core's command event; `args` is what followed the name. */
export function toCommandInvoked(interaction: Interaction): CommandInvoked {
  return {
    kind: 'command_invoked',
    ...eventBase(interaction),
    args: commandArgs(readOptions(interaction.data?.options)).join(' '),
  };
}

/** A press on a button the bot rendered (render.ts puts the action id in `custom_id`). */
export function toButtonPressed(interaction: Interaction): ButtonPressed {
  const actionId = stringField(interaction.data, 'custom_id');
  return { kind: 'button_pressed', ...eventBase(interaction), actionId };
}

/** The subcommand path and option values, in order: `stats`, or `group sub value`. */
export function commandArgs(options: readonly CommandOption[]): string[] {
  return options.flatMap((option) => {
    const nested =
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup;
    if (nested) return [option.name, ...commandArgs(option.options ?? [])];
    return option.value === undefined ? [] : [String(option.value)];
  });
}

/** When Discord created the interaction, read from its snowflake id (so every delivery agrees). */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS));
}

function eventBase(interaction: Interaction): {
  id: string;
  location: Location;
  member: Member;
  occurredAt: Date;
} {
  const memberId = interaction.member?.user?.id ?? interaction.user?.id;
  if (typeof memberId !== 'string' || !memberId) {
    throw new MalformedRequestError('Interaction has neither member.user.id nor user.id');
  }
  const channelId = interaction.channel_id ?? interaction.channel?.id;
  if (typeof channelId !== 'string' || !channelId) {
    throw new MalformedRequestError('Interaction has no channel_id');
  }
  const guildId = interaction.guild_id ?? DM_SPACE_ID;
  if (typeof guildId !== 'string') throw new MalformedRequestError('Interaction guild_id is not a string');
  return {
    // The interaction id is unique per interaction and identical in every delivery of it.
    id: interaction.id,
    location: { space: { platform: 'discord', id: guildId }, channelId },
    member: { platform: 'discord', id: memberId },
    occurredAt: snowflakeTime(interaction.id),
  };
}

function stringField(data: Record<string, unknown> | undefined, field: string): string {
  const value = data?.[field];
  if (typeof value !== 'string' || !value)
    throw new MalformedRequestError(`Interaction data has no ${field}`);
  return value;
}

function readOptions(value: unknown): CommandOption[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isCommandOption)) {
    throw new MalformedRequestError('Interaction data options are not a list of named options');
  }
  return value;
}

function isCommandOption(value: unknown): value is CommandOption {
  if (typeof value !== 'object' || value === null) return false;
  const { name, type, options } = value as Record<string, unknown>;
  const nestedValid = options === undefined || (Array.isArray(options) && options.every(isCommandOption));
  return typeof name === 'string' && typeof type === 'number' && nestedValid;
}
