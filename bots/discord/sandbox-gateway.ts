/**
 * TEST ONLY. Gateway dispatches as Discord would send them for the sandbox's guild and cast
 * (sandbox-cast.ts): what a member's message, reply, edit, deletion, reaction, join or leave looks like on the
 * gateway, and the bot's own GUILD_CREATE / GUILD_DELETE. Typed as discord-api-types' dispatch payloads, so they keep
 * Discord's documented shapes. The tests hand them to the gateway ingestion (gateway/ingest.ts); the
 * relay's fake gateway can send the same.
 */
import {
  ChannelType,
  GatewayDispatchEvents,
  type GatewayGuildDeleteDispatch,
  type GatewayGuildMemberAddDispatch,
  type GatewayGuildMemberRemoveDispatch,
  type GatewayMessageCreateDispatch,
  type GatewayMessageDeleteBulkDispatch,
  type GatewayMessageDeleteDispatch,
  type GatewayMessageReactionAddDispatch,
  type GatewayMessageReactionRemoveDispatch,
  type GatewayMessageUpdateDispatch,
  GatewayOpcodes,
  MessageReferenceType,
  MessageType,
  ReactionType,
} from 'discord-api-types/v10';
import { CommunityError } from '../../shared/core/errors.js';
import type { Env } from '../../shared/lambda/env.js';
import { type BotHandler, jsonResult, rawBody } from '../../shared/lambda/http.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import { loadDiscordConfig } from './config.js';
import { createDiscordGatewayIngestion } from './gateway/ingest.js';
import { interactionId, type SandboxPlace, sandboxChannel } from './sandbox.js';
import { sandboxGuildId, sandboxId, sandboxRoles, sandboxUserId } from './sandbox-cast.js';

/**
 * Which server: the sandbox space's guild (`space`, `a` unless named), or any guild id a test names
 * (`guild`, for servers the fake API does not know).
 */
interface InGuild {
  readonly space?: string;
  readonly guild?: string;
}

const guildOf = (where: InGuild) => where.guild ?? sandboxGuildId(where.space);

/** The sequence number every sandbox dispatch carries (the ingestion does not read it). */
const SEQUENCE = 1;

/** A public user object for a cast member (any name gets a stable id). */
function userOf(name: string) {
  return {
    id: sandboxUserId(name),
    username: name,
    global_name: name,
    discriminator: '0',
    avatar: null,
  };
}

function memberOf(name: string) {
  return {
    roles: sandboxRoles(name),
    joined_at: '2025-01-01T00:00:00.000000+00:00',
    deaf: false,
    mute: false,
    flags: 0,
  };
}

/**
 * A member's message: in a guild channel (or `dm`), optionally a reply to `replyTo` (a message id). Its id
 * derives from what was said and when, unless `messageId` fixes it (a redelivery).
 */
export function gatewayMessage(
  place: SandboxPlace &
    InGuild & { readonly text?: string; readonly replyTo?: string; readonly messageId?: string },
  at: Date,
): GatewayMessageCreateDispatch {
  const id = place.messageId ?? interactionId({ message: place }, at);
  const channelId = sandboxChannel(place);
  const inGuild = place.channel !== 'dm';
  const guildId = guildOf(place);
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.MessageCreate,
    d: {
      id,
      channel_id: channelId,
      author: userOf(place.user),
      // Without the MESSAGE_CONTENT intent Discord sends an empty string.
      content: place.text ?? '',
      timestamp: at.toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: place.replyTo ? MessageType.Reply : MessageType.Default,
      ...(place.replyTo
        ? {
            message_reference: {
              type: MessageReferenceType.Default,
              message_id: place.replyTo,
              channel_id: channelId,
              ...(inGuild ? { guild_id: guildId } : {}),
            },
          }
        : {}),
      ...(inGuild ? { guild_id: guildId, member: memberOf(place.user) } : {}),
    },
  };
}

/**
 * A MESSAGE_UPDATE of the message `messageId`, posted at `postedAt` (as {@link gatewayMessage} built it): `text`
 * is its new content (left out: Discord sent none, as without the MESSAGE_CONTENT intent); `editedAt` null is
 * an update that is no edit (Discord adding an embed).
 */
export function gatewayMessageUpdate(
  place: SandboxPlace & InGuild & { readonly messageId: string; readonly text?: string },
  postedAt: Date,
  editedAt: Date | null,
): GatewayMessageUpdateDispatch {
  const { d } = gatewayMessage(place, postedAt);
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.MessageUpdate,
    d: { ...d, content: place.text ?? '', edited_timestamp: editedAt ? editedAt.toISOString() : null },
  };
}

/** Where a deletion happened: a channel of a guild (never who wrote the message: Discord does not say). */
type DeletedIn = InGuild & { readonly channel: string };

const channelIdOf = (where: DeletedIn) => sandboxId('channel', where.channel);

/** A MESSAGE_DELETE: the message `messageId` deleted from a channel of the guild. */
export function gatewayMessageDelete(
  where: DeletedIn & { readonly messageId: string },
): GatewayMessageDeleteDispatch {
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.MessageDelete,
    d: { id: where.messageId, channel_id: channelIdOf(where), guild_id: guildOf(where) },
  };
}

/** A MESSAGE_DELETE_BULK: a moderator's purge of `messageIds` (at most 100) from a channel of the guild. */
export function gatewayMessageDeleteBulk(
  where: DeletedIn & { readonly messageIds: readonly string[] },
): GatewayMessageDeleteBulkDispatch {
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.MessageDeleteBulk,
    d: { ids: [...where.messageIds], channel_id: channelIdOf(where), guild_id: guildOf(where) },
  };
}

/** A member's reaction to a message, added or removed (a standard emoji by its character). */
export function gatewayReaction(
  reaction: SandboxPlace & InGuild & { readonly messageId: string; readonly emoji: string },
  removed = false,
): GatewayMessageReactionAddDispatch | GatewayMessageReactionRemoveDispatch {
  const common = {
    user_id: sandboxUserId(reaction.user),
    channel_id: sandboxChannel(reaction),
    message_id: reaction.messageId,
    guild_id: guildOf(reaction),
    emoji: { id: null, name: reaction.emoji },
    burst: false,
    type: ReactionType.Normal,
  };
  if (removed) {
    return {
      op: GatewayOpcodes.Dispatch,
      s: SEQUENCE,
      t: GatewayDispatchEvents.MessageReactionRemove,
      d: common,
    };
  }
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.MessageReactionAdd,
    d: { ...common, member: { ...memberOf(reaction.user), user: userOf(reaction.user) } },
  };
}

/** A member joining the guild at `at`. */
export function gatewayJoin(user: string, at: Date, guild = sandboxGuildId()): GatewayGuildMemberAddDispatch {
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.GuildMemberAdd,
    d: { ...memberOf(user), joined_at: at.toISOString(), user: userOf(user), guild_id: guild },
  };
}

/** A member leaving (or removed from) the guild. */
export function gatewayLeave(user: string, guild = sandboxGuildId()): GatewayGuildMemberRemoveDispatch {
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.GuildMemberRemove,
    d: { guild_id: guild, user: userOf(user) },
  };
}

/**
 * The bot in a guild (it joined, or it (re)connected): the guild with a category and two text channels.
 * Only the fields the ingestion reads and the channel list are filled in; a real GUILD_CREATE carries the
 * whole guild (test/fixtures/discord/gateway/guild-create.json).
 */
export function gatewayGuildCreate(
  options: InGuild & { readonly name?: string; readonly systemChannel?: string } = {},
) {
  const channel = (name: string, type: ChannelType, position: number) => ({
    id: sandboxId('channel', name),
    name,
    type,
    position,
  });
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.GuildCreate,
    d: {
      id: guildOf(options),
      name: options.name ?? 'Sandbox community',
      system_channel_id: options.systemChannel ? sandboxId('channel', options.systemChannel) : null,
      joined_at: new Date().toISOString(),
      large: false,
      member_count: 10,
      channels: [
        channel('community', ChannelType.GuildCategory, 0),
        channel('random', ChannelType.GuildText, 2),
        channel('general', ChannelType.GuildText, 1),
      ],
    },
  } as const;
}

/** The bot removed from the guild (`unavailable` unset), or the guild gone in an outage. */
export function gatewayGuildDelete(guild = sandboxGuildId(), outage = false): GatewayGuildDeleteDispatch {
  return {
    op: GatewayOpcodes.Dispatch,
    s: SEQUENCE,
    t: GatewayDispatchEvents.GuildDelete,
    d: { id: guild, ...(outage ? { unavailable: true as const } : {}) },
  };
}

/**
 * What `npm run say` acts, as the gateway would deliver it: a message (a reply with `threadOf`), a reaction
 * or a join. Commands and presses are interactions, signed for the HTTP endpoint instead (`discordSandbox.sign`).
 */
export function gatewayDispatchOf(action: SandboxAction, now = new Date()) {
  switch (action.kind) {
    case 'message':
      return gatewayMessage(
        {
          user: action.user,
          channel: action.channel,
          text: action.text,
          ...(action.space ? { space: action.space } : {}),
          ...(action.threadOf ? { replyTo: action.threadOf } : {}),
          ...(action.messageId ? { messageId: action.messageId } : {}),
        },
        now,
      );
    case 'reaction':
      return gatewayReaction(action);
    case 'join':
      return gatewayJoin(action.user, now, sandboxGuildId(action.space));
    case 'command':
    case 'press':
      throw new CommunityError(
        'sandbox_unsupported',
        'Discord delivers commands and button presses to the interactions endpoint, not over the gateway',
      );
  }
}

/**
 * The local runner's stand-in for the gateway relay: a dispatch posted by `npm run say` is handed to the
 * real ingestion on the real core. Sandbox only (no signature: the real gateway is a connection the bot
 * opens itself, never an inbound request).
 */
export function sandboxGatewayRoute(env: Env, deps: HandlerDeps = {}): BotHandler {
  const ingestion = createDiscordGatewayIngestion(loadDiscordConfig(env), deps);
  return async (event) => {
    if (!('body' in event)) return jsonResult(400, { error: 'expected a gateway dispatch' });
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody(event));
    } catch {
      return jsonResult(400, { error: 'the body is not JSON' });
    }
    return jsonResult(200, await ingestion.dispatch(payload));
  };
}
