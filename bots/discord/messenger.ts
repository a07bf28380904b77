/**
 * The Messenger port on Discord's REST API (rest.ts). Interaction answers given in the acknowledgement
 * itself are the HTTP response (responder.ts); everything said later or unasked goes through here.
 *
 * - A later answer edits the deferred, ephemeral original (`PATCH /webhooks/{app}/{token}/messages/@original`),
 *   so it stays private; a public one is a follow-up without the EPHEMERAL flag.
 * - A private message is a DM: open the DM channel, then post in it. Discord's 50007 ("Cannot send
 *   messages to this user": DMs closed, bot blocked, no shared server) is `unreachable`, never a post elsewhere.
 * - Moderators are whoever holds Manage Server or Administrator server-wide, or owns the guild
 *   (moderators.ts), asked from the guild, its roles and its members.
 */

import type { Member, Space } from '../../shared/core/events.js';
import type { CoreLogger } from '../../shared/core/feature.js';
import type {
  AnswerHandle,
  Messenger,
  MessengerCapabilities,
  OutboundMessage,
  PrivateDelivery,
} from '../../shared/core/messenger.js';
import { type GuildRights, isGuildModerator } from './moderators.js';
import { DM_SPACE_ID } from './parse.js';
import { renderMessage } from './render.js';
import { DiscordErrorCode, type DiscordRest, isDiscordError, type Route } from './rest.js';

export const DISCORD_CAPABILITIES: MessengerCapabilities = {
  forms: 'modal',
  privateAnswers: 'ephemeral',
  threads: true,
};

/** What answers an interaction later: the application's webhook with the interaction's token. */
export interface DiscordAnswer {
  readonly applicationId: string;
  /** Valid for 15 minutes after the interaction. */
  readonly token: string;
}

/** Discord's page size limit for List Guild Members. */
export const MEMBER_PAGE_LIMIT = 1000;
/** A bound on one listing (100,000 members); a larger guild's moderators past it are logged, not waited for. */
const MAX_MEMBER_PAGES = 100;
/**
 * A job can start before Discord has taken the deferral it follows (the webhook invokes the job before its
 * own HTTP answer reaches Discord); the original then does not exist yet. Tried again after these pauses.
 */
const ORIGINAL_RETRY_MS = [250, 1000] as const;

export interface DiscordMessengerDeps {
  readonly rest: DiscordRest;
  readonly logger: CoreLogger;
  /** Page size for listing members (Discord's maximum unless a test pages through a small guild). */
  readonly memberPageSize?: number;
}

interface GuildMember {
  readonly user?: { readonly id: string; readonly bot?: boolean };
  readonly roles: readonly string[];
}

export function createDiscordMessenger({
  rest,
  logger,
  memberPageSize = MEMBER_PAGE_LIMIT,
}: DiscordMessengerDeps): Messenger {
  async function editOriginal(route: Route, body: unknown): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await rest.webhook('patch', route, { body });
        return;
      } catch (error) {
        const pause = ORIGINAL_RETRY_MS[attempt];
        const notYet =
          isDiscordError(error, DiscordErrorCode.UnknownMessage) ||
          isDiscordError(error, DiscordErrorCode.UnknownWebhook);
        if (!notYet || pause === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  async function guildRights(guildId: string): Promise<GuildRights> {
    const [guild, roles] = await Promise.all([
      rest.bot<{ owner_id: string }>('get', `/guilds/${guildId}`),
      rest.bot<{ id: string; permissions: string }[]>('get', `/guilds/${guildId}/roles`),
    ]);
    return { guildId, ownerId: guild.owner_id, roles };
  }

  async function listMembers(guildId: string): Promise<GuildMember[]> {
    const members: GuildMember[] = [];
    let after = '0';
    for (let page = 0; page < MAX_MEMBER_PAGES; page += 1) {
      const query = new URLSearchParams({ limit: String(memberPageSize), after });
      const batch = await rest.bot<GuildMember[]>('get', `/guilds/${guildId}/members`, { query });
      members.push(...batch);
      const last = batch.at(-1)?.user?.id;
      if (batch.length < memberPageSize || !last) return members;
      after = last;
    }
    logger.warn('guild members listing stopped at its bound', { guildId, members: members.length });
    return members;
  }

  return {
    capabilities: DISCORD_CAPABILITIES,

    async respond(handle, message, visibility = 'private') {
      const { applicationId, token } = readAnswer(handle);
      const webhook: Route = `/webhooks/${applicationId}/${encodeURIComponent(token)}`;
      if (visibility === 'public') {
        await rest.webhook('post', webhook, { body: renderMessage(message) });
      } else {
        // The original is the deferred answer, already EPHEMERAL: its edit stays private.
        await editOriginal(`${webhook}/messages/@original`, withComponents(message));
      }
      return { kind: 'sent' };
    },

    async post(target, message) {
      const channelId = target.threadId ?? target.channelId;
      const sent = await rest.bot<{ id: string }>('post', `/channels/${id(channelId)}/messages`, {
        body: renderMessage(message),
      });
      return { space: target.space, channelId, messageId: sent.id };
    },

    sendPrivate: (space, member, message) => sendDirect(rest, space, member, message),

    async update(posted, content) {
      await rest.bot('patch', `/channels/${id(posted.channelId)}/messages/${id(posted.messageId)}`, {
        body: withComponents(content),
      });
    },

    async delete(posted) {
      await rest.bot('delete', `/channels/${id(posted.channelId)}/messages/${id(posted.messageId)}`);
    },

    // Private answers are ephemeral on Discord: there is never a deep link to follow.
    deepLink: () => undefined,

    async isModerator(space, member) {
      if (space.id === DM_SPACE_ID) return false;
      try {
        const [rights, found] = await Promise.all([
          guildRights(id(space.id)),
          rest.bot<GuildMember>('get', `/guilds/${id(space.id)}/members/${id(member.id)}`),
        ]);
        return isGuildModerator(rights, member.id, found.roles);
      } catch (error) {
        // Not (or no longer) in the guild, or the bot is not: nobody there to moderate.
        if (
          isDiscordError(error, DiscordErrorCode.UnknownMember) ||
          isDiscordError(error, DiscordErrorCode.UnknownGuild)
        ) {
          return false;
        }
        throw error;
      }
    },

    async moderators(space) {
      if (space.id === DM_SPACE_ID) return [];
      const guildId = id(space.id);
      const rights = await guildRights(guildId);
      const owner: Member = { platform: 'discord', id: rights.ownerId };
      let members: GuildMember[];
      try {
        members = await listMembers(guildId);
      } catch (error) {
        // Listing members needs the Server Members privileged intent; without it the owner still moderates.
        if (!isDiscordError(error, DiscordErrorCode.MissingAccess)) throw error;
        logger.warn('guild members not listable: is the Server Members intent on?', { guildId });
        return [owner];
      }
      const moderators = members.flatMap(({ user, roles }): Member[] =>
        user && !user.bot && isGuildModerator(rights, user.id, roles)
          ? [{ platform: 'discord', id: user.id }]
          : [],
      );
      return moderators.some((moderator) => moderator.id === owner.id) ? moderators : [owner, ...moderators];
    },
  };
}

async function sendDirect(
  rest: DiscordRest,
  space: Space,
  member: Member,
  message: OutboundMessage,
): Promise<PrivateDelivery> {
  try {
    const dm = await rest.bot<{ id: string }>('post', '/users/@me/channels', {
      body: { recipient_id: member.id },
    });
    const sent = await rest.bot<{ id: string }>('post', `/channels/${id(dm.id)}/messages`, {
      body: renderMessage(message),
    });
    return { kind: 'sent', message: { space, channelId: dm.id, messageId: sent.id } };
  } catch (error) {
    if (isDiscordError(error, DiscordErrorCode.CannotSendMessagesToUser)) {
      return { kind: 'unreachable', reason: 'Discord 50007: Cannot send messages to this user' };
    }
    throw error;
  }
}

/** An edit replaces the buttons too: none in the content means none left on the message. */
function withComponents(message: OutboundMessage): unknown {
  return { components: [], ...renderMessage(message) };
}

/** A handle this adapter made (parse.ts); anything else is a bug in whoever stored it. */
function readAnswer(handle: AnswerHandle): DiscordAnswer {
  const { applicationId, token } = handle;
  if (typeof applicationId !== 'string' || typeof token !== 'string' || !token) {
    throw new Error('Not a Discord answer handle');
  }
  return { applicationId, token };
}

/** An id as a path segment: ids come from payloads, so nothing in one may change the route. */
function id(value: string): string {
  return encodeURIComponent(value);
}
