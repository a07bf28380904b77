import type { webApi } from '@slack/bolt';
import { CommunityError } from '../../shared/core/errors.js';
import type { Member, Space } from '../../shared/core/events.js';
import type {
  AnswerHandle,
  Form,
  Messenger,
  MessengerCapabilities,
  OutboundMessage,
  PrivateDelivery,
} from '../../shared/core/messenger.js';
import type { Logger } from '../../shared/lambda/logger.js';
import {
  createModeratorCheck,
  createModeratorList,
  type ModeratorCheck,
  type ModeratorList,
} from './moderators.js';
import { type FormOrigin, formMetadata, readAnswerHandle, type SlackAnswer } from './parse-interactions.js';
import { renderHome, renderMessage, renderModal, renderResponse } from './render.js';
import { hookTarget, postToHook } from './response-url.js';
import { TOKEN_REFUSALS, type WorkspaceBots } from './workspaces.js';

/**
 * The Messenger port on Slack, through the Web API (the Bolt app's WebClient) with the bot token of the
 * workspace it speaks in, and the interactions' `response_url`s. Private is always private here: an
 * ephemeral message in the channel, or the member's DM with the app; a refusal is reported, never turned
 * into a public post.
 */

type WebClient = webApi.WebClient;

/** Slack shows an interaction's private answer to that member only, in place; modals are native. */
export const SLACK_CAPABILITIES: MessengerCapabilities = {
  forms: 'modal',
  privateAnswers: 'ephemeral',
  threads: true,
};

/**
 * `chat.postEphemeral` refusals after which the member's DM with the app is the private way left: the bot
 * is not in the channel (a slash command works anywhere), the channel is gone, archived or closed to it.
 */
const EPHEMERAL_REFUSALS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'user_not_in_channel',
  'is_archived',
  'restricted_action',
]);

/**
 * `chat.postMessage` refusals that mean this member cannot get a DM from the app (a lasting answer); the
 * outbox (outbox.ts) reads them as "unreachable" too.
 */
export const DIRECT_REFUSALS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'is_archived',
  'restricted_action',
  'user_not_visible',
]);

const SENT: PrivateDelivery = { kind: 'sent' };

/** The Slack Messenger, plus what only Slack's responders use (a modal, replacing a pressed message). */
export interface SlackMessenger extends Messenger {
  /**
   * Opens a form as a modal for the interaction whose `trigger_id` is given (valid for 3 seconds), in the
   * workspace `teamId`.
   */
  openModal(teamId: string, triggerId: string, form: Form, origin: FormOrigin): Promise<void>;
  /**
   * Replaces the message whose button was pressed: through the press's `response_url` (which can also
   * replace an ephemeral message), else `chat.update`; with neither, answers privately instead.
   */
  replace(handle: AnswerHandle, message: OutboundMessage): Promise<void>;
}

export interface SlackMessengerOptions {
  /** The WebClient (the Bolt app's, built on first use once the secrets are known); every call names its token. */
  readonly client: () => Promise<WebClient>;
  /** The bot token of each workspace. */
  readonly bots: WorkspaceBots;
  /** Where Slack's hooks origin is mapped (SLACK_HOOKS_URL). */
  readonly hooksUrl: string;
  readonly logger: Logger;
  readonly isModerator?: ModeratorCheck;
  readonly moderators?: ModeratorList;
}

/** The adapter's handle did not come from this adapter: a bug, not a platform answer. */
export class SlackAnswerHandleError extends CommunityError {
  override readonly name = 'SlackAnswerHandleError';

  constructor() {
    super('slack_answer_handle_invalid', 'The answer handle is not one the Slack adapter made');
  }
}

export function createSlackMessenger(options: SlackMessengerOptions): SlackMessenger {
  const { client, bots, hooksUrl, logger } = options;
  const isModerator = options.isModerator ?? createModeratorCheck();
  const listModerators = options.moderators ?? createModeratorList();

  /**
   * One Web API call in workspace `teamId`, with that workspace's bot token. A token Slack refuses (the app
   * was uninstalled or reinstalled meanwhile) is forgotten, so a retry reads the installation again.
   */
  async function inWorkspace<T>(
    teamId: string,
    call: (web: WebClient, token: string) => Promise<T>,
  ): Promise<T> {
    const [web, bot] = await Promise.all([client(), bots.botIn(teamId)]);
    try {
      return await call(web, bot.token);
    } catch (error) {
      const code = platformError(error);
      if (code && TOKEN_REFUSALS.has(code)) bots.forget(teamId);
      throw error;
    }
  }

  /** Posts to the answer's `response_url` when it has a usable one; `false` when another way is needed. */
  async function throughResponseUrl(answer: SlackAnswer, body: object): Promise<boolean> {
    if (!answer.responseUrl) return false;
    const target = hookTarget(answer.responseUrl, hooksUrl);
    if (!target) {
      logger.warn('response_url is not a Slack hook; answering through the Web API', {
        code: 'slack_response_url_refused',
      });
      return false;
    }
    const result = await postToHook(target, body);
    if (result.kind === 'sent') return true;
    logger.warn('response_url refused; answering through the Web API', {
      code: 'slack_response_url_refused',
      reason: result.reason,
    });
    return false;
  }

  async function sendDirect(
    space: Space,
    userId: string,
    message: OutboundMessage,
  ): Promise<PrivateDelivery> {
    try {
      // A user id as channel posts in the member's DM with the app (its Messages tab).
      const { channel, ts } = await inWorkspace(space.id, (web, token) =>
        web.chat.postMessage({ token, channel: userId, ...renderMessage(message) }),
      );
      return channel && ts ? { kind: 'sent', message: { space, channelId: channel, messageId: ts } } : SENT;
    } catch (error) {
      const code = platformError(error);
      if (code && DIRECT_REFUSALS.has(code)) return { kind: 'unreachable', reason: code };
      throw error;
    }
  }

  /** An ephemeral message in the answer's channel; the member's DM when the channel refuses it. */
  async function ephemeralOrDirect(answer: SlackAnswer, message: OutboundMessage): Promise<PrivateDelivery> {
    try {
      await inWorkspace(answer.teamId, (web, token) =>
        web.chat.postEphemeral({
          token,
          channel: answer.channelId,
          user: answer.userId,
          ...renderMessage(message),
        }),
      );
      return SENT;
    } catch (error) {
      const code = platformError(error);
      if (!code || !EPHEMERAL_REFUSALS.has(code)) throw error;
      logger.info('ephemeral answer refused; answering in the DM', { code });
      return sendDirect({ platform: 'slack', id: answer.teamId }, answer.userId, message);
    }
  }

  function readHandle(handle: AnswerHandle): SlackAnswer {
    const answer = readAnswerHandle(handle);
    if (!answer) throw new SlackAnswerHandleError();
    return answer;
  }

  return {
    capabilities: SLACK_CAPABILITIES,

    async respond(handle, message, visibility = 'private') {
      const answer = readHandle(handle);
      const body = { ...renderResponse(message, visibility), replace_original: false };
      if (await throughResponseUrl(answer, body)) return SENT;
      if (visibility === 'private') return ephemeralOrDirect(answer, message);
      await inWorkspace(answer.teamId, (web, token) =>
        web.chat.postMessage({ token, channel: answer.channelId, ...renderMessage(message) }),
      );
      return SENT;
    },

    async post(target, message) {
      const { channel, ts } = await inWorkspace(target.space.id, (web, token) =>
        web.chat.postMessage({
          token,
          channel: target.channelId,
          ...(target.threadId ? { thread_ts: target.threadId } : {}),
          ...renderMessage(message),
        }),
      );
      if (!ts) throw new CommunityError('slack_post_unconfirmed', 'chat.postMessage answered without a ts');
      return { space: target.space, channelId: channel ?? target.channelId, messageId: ts };
    },

    sendPrivate: (space, member, message) => sendDirect(space, member.id, message),

    async update(posted, content) {
      await inWorkspace(posted.space.id, (web, token) =>
        web.chat.update({
          token,
          channel: posted.channelId,
          ts: posted.messageId,
          ...renderMessage(content),
        }),
      );
    },

    async delete(posted) {
      try {
        await inWorkspace(posted.space.id, (web, token) =>
          web.chat.delete({ token, channel: posted.channelId, ts: posted.messageId }),
        );
      } catch (error) {
        // Already gone is what was asked for.
        if (platformError(error) !== 'message_not_found') throw error;
      }
    },

    // Slack answers privately in place; there is no deep link to hand out.
    deepLink: () => undefined,

    isModerator: (space: Space, member: Member) =>
      inWorkspace(space.id, (web, token) => isModerator({ client: web, token }, space.id, member.id)),

    moderators: (space) =>
      inWorkspace(space.id, (web, token) => listModerators({ client: web, token }, space.id)),

    async publishHome(space, member, view) {
      await inWorkspace(space.id, (web, token) =>
        web.views.publish({ token, user_id: member.id, view: renderHome(view) }),
      );
    },

    async openModal(teamId, triggerId, form, origin) {
      await inWorkspace(teamId, (web, token) =>
        web.views.open({ token, trigger_id: triggerId, view: renderModal(form, formMetadata(origin)) }),
      );
    },

    async replace(handle, message) {
      const answer = readHandle(handle);
      if (await throughResponseUrl(answer, { replace_original: true, ...renderMessage(message) })) return;
      const { messageTs } = answer;
      if (messageTs) {
        await inWorkspace(answer.teamId, (web, token) =>
          web.chat.update({ token, channel: answer.channelId, ts: messageTs, ...renderMessage(message) }),
        );
        return;
      }
      await ephemeralOrDirect(answer, message);
    },
  };
}

/** The `error` of a Web API answer with `ok: false` (the WebClient throws it as a platform error). */
export function platformError(error: unknown): string | undefined {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { error?: unknown } };
  return code === 'slack_webapi_platform_error' && typeof data?.error === 'string' ? data.error : undefined;
}
