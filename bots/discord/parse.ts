/**
 * Discord interaction payloads -> core events, reading only the fields the bot uses, each checked.
 *
 * A correctly signed payload is still only as good as its sender: nothing here trusts a field's type, and
 * nothing walks a payload-chosen depth (a command's options nest at most three lists deep, so anything
 * deeper is refused before it is walked). What cannot be read throws {@link MalformedRequestError}, which
 * the edge answers 400: Discord never redelivers an interaction, so a 500 would only hide the reason.
 */
// The payloads entry only: `discord-api-types/v10` also evaluates REST routes, gateway and RPC enums,
// about three times the load time, and the handler needs none of them (cold start).
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
} from 'discord-api-types/payloads/v10';
import { COMMAND_NAME } from '../../shared/core/commands.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import type { ButtonPressed, CommandInvoked, Location, Member } from '../../shared/core/events.js';
import { parseJsonBody } from '../../shared/lambda/http.js';
import { type Ignored, ignore, type Parsed } from '../../shared/platform/ignored.js';

/** The space of a direct message with the bot, which belongs to no guild (Discord's own name for it). */
export const DM_SPACE_ID = '@me';

/**
 * Discord nests a command's options at most as subcommand group -> subcommand -> value options: three
 * lists. A deeper payload is not a command Discord could send, and is refused before it is walked.
 */
export const MAX_OPTION_DEPTH = 3;

/** Discord snowflakes count milliseconds from the first second of 2015. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;
/** A snowflake is an unsigned 64-bit integer, sent as a decimal string. */
const SNOWFLAKE = /^\d{1,20}$/;
/**
 * Ids that are stored (member, channel, guild). Discord sends snowflakes; any short id-like value is kept
 * as it is (captures with sanitized ids such as `DM_CHANNEL_123` still read), but text, blanks and huge
 * values are refused before they reach the table.
 */
const STORED_ID = /^[\w-]{1,64}$/;
/** Discord's rule for command names; a name outside it is not echoed back to the member. */
const COMMAND_NAME_RULE = /^[-_\p{L}\p{N}]{1,32}$/u;
/** Discord caps a component's `custom_id` at 100 characters. */
const CUSTOM_ID_LIMIT = 100;

type Fields = Readonly<Record<string, unknown>>;

/**
 * An interaction whose envelope (`id`, `type`) has been checked. Every other field is as Discord (or
 * whoever holds the key) sent it: read it through the functions below, never by casting.
 */
export interface Interaction {
  readonly id: string;
  readonly type: number;
  /** The guild member who acted; absent in a DM (see moderators.ts). */
  readonly member?: unknown;
  readonly [field: string]: unknown;
}

/** Reads the envelope every interaction has; the fields a type needs are checked where it is handled. */
export function parseInteraction(body: string): Interaction {
  const value = asObject(parseJsonBody(body));
  if (!value) throw new MalformedRequestError('Interaction must be a JSON object');
  const { id, type } = value;
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw new MalformedRequestError('Interaction has no integer type');
  }
  if (typeof id !== 'string' || !SNOWFLAKE.test(id)) {
    throw new MalformedRequestError('Interaction has no snowflake id');
  }
  return { ...value, id, type };
}

/**
 * Why an APPLICATION_COMMAND is not one the bot runs (a user or message context menu, or a command with
 * another name, from a stale registration), or `undefined` for `/community`. The reason is also what the
 * member is told.
 */
export function otherCommand(interaction: Interaction): Ignored | undefined {
  const data = dataOf(interaction);
  const name = data.name;
  if (typeof name !== 'string' || !name) throw new MalformedRequestError('Interaction data has no name');
  const commandType = data.type ?? ApplicationCommandType.ChatInput;
  if (typeof commandType !== 'number')
    throw new MalformedRequestError('Interaction data type is not a number');
  // User and message context menus (and activity entry points) are commands too; this app registers none.
  if (commandType !== ApplicationCommandType.ChatInput) {
    return ignore('This app has no context menu or activity commands');
  }
  if (name === COMMAND_NAME) return undefined;
  return ignore(COMMAND_NAME_RULE.test(name) ? `Unknown command \`/${name}\`` : 'Unknown command');
}

/** `/community <subcommand> [options]` as the core's command event; `args` is what followed the name. */
export function toCommandInvoked(interaction: Interaction): CommandInvoked {
  return {
    kind: 'command_invoked',
    ...eventBase(interaction),
    args: commandArgs(dataOf(interaction).options).join(' '),
  };
}

/**
 * A press on a button the bot rendered (render.ts puts the action id in `custom_id`); any other component
 * (a select menu on some other message) is ignored.
 */
export function toButtonPressed(interaction: Interaction): Parsed<ButtonPressed> {
  const data = dataOf(interaction);
  const componentType = data.component_type;
  if (typeof componentType !== 'number' || !Number.isInteger(componentType)) {
    throw new MalformedRequestError('Interaction data has no integer component_type');
  }
  if (componentType !== ComponentType.Button) {
    return ignore(`component type ${componentType}: the bot renders buttons only`);
  }
  const actionId = data.custom_id;
  if (typeof actionId !== 'string' || !actionId || actionId.length > CUSTOM_ID_LIMIT) {
    throw new MalformedRequestError(
      `Interaction data has no custom_id of 1 to ${CUSTOM_ID_LIMIT} characters`,
    );
  }
  return { kind: 'button_pressed', ...eventBase(interaction), actionId };
}

/**
 * The subcommand path and option values, in order: `stats`, or `group sub value`. `options` is the
 * payload's `data.options`; a list nested deeper than {@link MAX_OPTION_DEPTH} is refused, so the
 * recursion below is at most three calls deep whatever the payload.
 */
export function commandArgs(options: unknown, depth = 1): string[] {
  if (options === undefined) return [];
  if (!Array.isArray(options)) throw new MalformedRequestError('Interaction data options are not a list');
  if (depth > MAX_OPTION_DEPTH) {
    throw new MalformedRequestError(
      `Command options nest deeper than ${MAX_OPTION_DEPTH} levels (subcommand group, subcommand, option)`,
    );
  }
  return options.flatMap((option) => optionArgs(option, depth));
}

function optionArgs(value: unknown, depth: number): string[] {
  const option = asObject(value);
  if (!option || typeof option.name !== 'string' || typeof option.type !== 'number') {
    throw new MalformedRequestError('Interaction data options are not a list of named options');
  }
  const nested =
    option.type === ApplicationCommandOptionType.Subcommand ||
    option.type === ApplicationCommandOptionType.SubcommandGroup;
  if (nested) return [option.name, ...commandArgs(option.options, depth + 1)];
  const { value: optionValue } = option;
  if (optionValue === undefined) return [];
  if (['string', 'number', 'boolean'].includes(typeof optionValue)) return [String(optionValue)];
  throw new MalformedRequestError(
    `Option ${option.name.slice(0, 32)} has a value that is not a string, number or boolean`,
  );
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
  // In a guild the presser is `member.user`; in a DM or a group DM it is the top-level `user`.
  const memberId = asObject(asObject(interaction.member)?.user)?.id ?? asObject(interaction.user)?.id;
  if (memberId === undefined || memberId === null) {
    throw new MalformedRequestError('Interaction has neither member.user.id nor user.id');
  }
  // `channel` is the newer field; `channel_id` is still sent and is all older captures have.
  const channelId = interaction.channel_id ?? asObject(interaction.channel)?.id;
  if (channelId === undefined || channelId === null) {
    throw new MalformedRequestError('Interaction has no channel_id');
  }
  // A DM (and a user-installed command in a group DM) has no guild.
  const { guild_id: guildId } = interaction;
  const spaceId = guildId === undefined || guildId === null ? DM_SPACE_ID : storedId(guildId, 'guild_id');
  return {
    // The interaction id is unique per interaction and identical in every delivery of it.
    id: interaction.id,
    location: { space: { platform: 'discord', id: spaceId }, channelId: storedId(channelId, 'channel_id') },
    member: { platform: 'discord', id: storedId(memberId, 'user id') },
    occurredAt: snowflakeTime(interaction.id),
  };
}

function storedId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !STORED_ID.test(value)) {
    throw new MalformedRequestError(`Interaction ${field} is not a Discord id`);
  }
  return value;
}

function dataOf(interaction: Interaction): Fields {
  const data = asObject(interaction.data);
  if (!data) throw new MalformedRequestError('Interaction has no data object');
  return data;
}

function asObject(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}
