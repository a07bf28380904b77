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
import { COMMAND_NAME } from '../../shared/core/command-table.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import type {
  ButtonPressed,
  CommandInvoked,
  FormSubmitted,
  Location,
  Member,
} from '../../shared/core/events.js';
import { parseJsonBody } from '../../shared/lambda/http.js';
import { type Ignored, ignore, type Parsed } from '../../shared/platform/ignored.js';
import type { DiscordAnswer } from './messenger.js';
import { CUSTOM_ID_LIMIT, CUSTOM_ID_SEPARATOR } from './render.js';

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
/** Interaction tokens are a few hundred characters; anything far longer is not one. */
const TOKEN_LIMIT = 1000;
/** Discord's longest string option value. */
const OPTION_TEXT_LIMIT = 6000;
/** A modal holds at most five components. */
const MAX_MODAL_COMPONENTS = 5;

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

/** `/community <subcommand> [options]` as the core's command event, with the options Discord structured. */
export function toCommandInvoked(interaction: Interaction, applicationId: string): CommandInvoked {
  return {
    kind: 'command_invoked',
    ...interactionBase(interaction, applicationId),
    input: commandInput(dataOf(interaction).options),
  };
}

/**
 * A press on a button the bot rendered (render.ts writes `actionId:value` into `custom_id`); any other
 * component (a select menu on some other message) is ignored.
 */
export function toButtonPressed(interaction: Interaction, applicationId: string): Parsed<ButtonPressed> {
  const data = dataOf(interaction);
  const componentType = data.component_type;
  if (typeof componentType !== 'number' || !Number.isInteger(componentType)) {
    throw new MalformedRequestError('Interaction data has no integer component_type');
  }
  if (componentType !== ComponentType.Button) {
    return ignore(`component type ${componentType}: the bot renders buttons only`);
  }
  const [actionId, value] = splitCustomId(data.custom_id);
  return {
    kind: 'button_pressed',
    ...interactionBase(interaction, applicationId),
    actionId,
    ...(value === undefined ? {} : { value }),
  };
}

/**
 * A modal the bot opened, submitted: `custom_id` is `formId:context` (render.ts), the values are its text
 * inputs by their `custom_id`, whether Discord nests them in labels or (older clients) action rows.
 */
export function toFormSubmitted(interaction: Interaction, applicationId: string): FormSubmitted {
  const data = dataOf(interaction);
  const [formId, context] = splitCustomId(data.custom_id);
  return {
    kind: 'form_submitted',
    ...interactionBase(interaction, applicationId),
    formId,
    ...(context ? { context } : {}),
    values: textInputs(data.components),
  };
}

/**
 * The subcommand path and the option values: `feedback note:"..."` is `{ path: ['feedback'], options:
 * { note: '...' } }`. `options` is the payload's `data.options`; a list nested deeper than
 * {@link MAX_OPTION_DEPTH} is refused before it is read, so the walk is at most three lists long.
 */
export function commandInput(options: unknown): {
  path: string[];
  options: Record<string, string | number | boolean>;
} {
  const path: string[] = [];
  const values: [string, string | number | boolean][] = [];
  let level = options;
  for (let depth = 1; level !== undefined; depth += 1) {
    if (!Array.isArray(level)) throw new MalformedRequestError('Interaction data options are not a list');
    if (depth > MAX_OPTION_DEPTH) {
      throw new MalformedRequestError(
        `Command options nest deeper than ${MAX_OPTION_DEPTH} levels (subcommand group, subcommand, option)`,
      );
    }
    let next: unknown;
    for (const option of level.map(namedOption)) {
      if (!isNested(option.type)) {
        if (option.value !== undefined) values.push([option.name, optionValue(option)]);
      } else if (next === undefined) {
        path.push(option.name);
        next = option.options ?? [];
      } else {
        throw new MalformedRequestError('Command options hold two subcommands at one level');
      }
    }
    level = next;
  }
  // fromEntries defines each name as an own property: `__proto__` stays a plain key.
  return { path, options: Object.fromEntries(values) };
}

function namedOption(value: unknown): Fields & { name: string; type: number } {
  const option = asObject(value);
  if (!option || typeof option.name !== 'string' || typeof option.type !== 'number') {
    throw new MalformedRequestError('Interaction data options are not a list of named options');
  }
  return option as Fields & { name: string; type: number };
}

function isNested(type: number): boolean {
  return (
    type === ApplicationCommandOptionType.Subcommand || type === ApplicationCommandOptionType.SubcommandGroup
  );
}

function optionValue(option: Fields & { name: string }): string | number | boolean {
  const { value } = option;
  if (typeof value === 'string' && value.length > OPTION_TEXT_LIMIT) {
    throw new MalformedRequestError(`Option ${option.name.slice(0, 32)} is longer than Discord allows`);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new MalformedRequestError(
    `Option ${option.name.slice(0, 32)} has a value that is not a string, number or boolean`,
  );
}

/** `id` and the optional value after the first `:` of a component's or modal's `custom_id`. */
export function splitCustomId(customId: unknown): [string, string | undefined] {
  if (typeof customId !== 'string' || !customId || customId.length > CUSTOM_ID_LIMIT) {
    throw new MalformedRequestError(
      `Interaction data has no custom_id of 1 to ${CUSTOM_ID_LIMIT} characters`,
    );
  }
  const at = customId.indexOf(CUSTOM_ID_SEPARATOR);
  return at < 0 ? [customId, undefined] : [customId.slice(0, at), customId.slice(at + 1)];
}

/**
 * Text input values by `custom_id`. A modal holds at most five top-level components, each a label or an
 * action row around one input: two levels, walked without recursion. Other inputs (selects) are skipped.
 */
function textInputs(components: unknown): Record<string, string> {
  if (!Array.isArray(components) || components.length > MAX_MODAL_COMPONENTS) {
    throw new MalformedRequestError(`Modal submit has no list of at most ${MAX_MODAL_COMPONENTS} components`);
  }
  const inputs = components.flatMap((value) => {
    const component = asObject(value);
    if (!component) throw new MalformedRequestError('Modal submit components are not objects');
    if (component.type === ComponentType.Label) return [component.component];
    if (component.type === ComponentType.ActionRow && Array.isArray(component.components)) {
      return component.components.slice(0, MAX_MODAL_COMPONENTS);
    }
    return [];
  });
  const values: [string, string][] = [];
  for (const input of inputs.map(asObject)) {
    if (input?.type !== ComponentType.TextInput) continue;
    if (typeof input.custom_id !== 'string' || typeof input.value !== 'string') {
      throw new MalformedRequestError('Modal submit text input has no custom_id or value');
    }
    values.push([input.custom_id, input.value]);
  }
  return Object.fromEntries(values);
}

/** When Discord created the interaction, read from its snowflake id (so every delivery agrees). */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS));
}

/** What every interaction event has: who, where, when, and how to answer it later. */
function interactionBase(interaction: Interaction, applicationId: string) {
  // In a guild the actor is `member.user`; in a DM or a group DM it is the top-level `user`.
  const memberId = asObject(asObject(interaction.member)?.user)?.id ?? asObject(interaction.user)?.id;
  if (memberId === undefined || memberId === null) {
    throw new MalformedRequestError('Interaction has neither member.user.id nor user.id');
  }
  // `channel` is the newer field; `channel_id` is still sent and is all older captures have.
  const channelId = interaction.channel_id ?? asObject(interaction.channel)?.id;
  if (channelId === undefined || channelId === null) {
    throw new MalformedRequestError('Interaction has no channel_id');
  }
  const { token } = interaction;
  if (typeof token !== 'string' || !token || token.length > TOKEN_LIMIT) {
    throw new MalformedRequestError('Interaction has no token');
  }
  // A DM (and a user-installed command in a group DM) has no guild: a private chat nobody moderates.
  const { guild_id: guildId } = interaction;
  const direct = guildId === undefined || guildId === null;
  const location: Location = {
    space: { platform: 'discord', id: direct ? DM_SPACE_ID : storedId(guildId, 'guild_id') },
    channelId: storedId(channelId, 'channel_id'),
    ...(direct ? { direct: true } : {}),
  };
  const member: Member = { platform: 'discord', id: storedId(memberId, 'user id') };
  const answer: DiscordAnswer = { applicationId, token };
  return {
    // The interaction id is unique per interaction and identical in every delivery of it.
    id: interaction.id,
    location,
    member,
    occurredAt: snowflakeTime(interaction.id),
    answer: { ...answer },
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
