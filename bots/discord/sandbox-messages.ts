/**
 * TEST ONLY. The messages the fake Discord API (sandbox-api.ts) holds: what Create Message made in each
 * channel (kept even after a delete, so a test can count deliveries), the webhook answers, edits, deletes,
 * the `nonce` + `enforce_nonce` check that makes a resend return the first message, and the channels where
 * Discord refuses to post.
 */
import type { FakeClock } from '../../shared/platform/fake-limits.js';
import type { FakeResponse } from '../../shared/platform/fake-server.js';
import { SANDBOX_APPLICATION_ID, sandboxId } from './sandbox-cast.js';

/** A message Discord created with Create Message, as the fake keeps it. */
export interface DeliveredMessage {
  readonly id: string;
  readonly channelId: string;
  readonly content: string;
  /** The `nonce` it carried, if any. */
  readonly nonce?: string;
  /** When it was created, on the fake's clock. */
  readonly at: number;
  /** The request body as posted (allowed_mentions, components, ...). */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** How Discord refuses a post in a channel: deleted (10003), not visible (50001), cannot send (50013). */
export type ChannelRefusal = 'unknown_channel' | 'missing_access' | 'missing_permissions';

/**
 * Discord checks an enforced nonce for uniqueness "in the past few minutes": the fake keeps the shortest
 * reading, so a resend later than this shows up as a duplicate.
 */
export const NONCE_WINDOW_MS = 2 * 60 * 1000;
/** Discord: a nonce is an integer or a string of at most 25 characters. */
const NONCE_LIMIT = 25;
/** Discord refuses message content longer than this. */
const CONTENT_LIMIT = 2000;

const REFUSALS: Record<ChannelRefusal, FakeResponse> = {
  unknown_channel: discordError(404, 10003, 'Unknown Channel'),
  missing_access: discordError(403, 50001, 'Missing Access'),
  missing_permissions: discordError(403, 50013, 'Missing Permissions'),
};

/** Discord's JSON error body. */
export function discordError(status: number, code: number, message: string): FakeResponse {
  return { status, body: { message, code } };
}

type Message = Record<string, unknown>;

export interface FakeChannels {
  readonly delivered: ReadonlyMap<string, readonly DeliveredMessage[]>;
  refuse(channelId: string, refusal: ChannelRefusal): void;
  /** Create Message: validated, refused where the channel says so, deduplicated by an enforced nonce. */
  create(channelId: string, payload: unknown): FakeResponse;
  /** A webhook's message (an interaction answer or follow-up), kept for later edits. */
  store(channelId: string, payload: unknown): Message;
  edit(channelId: string, messageId: string, payload: unknown): FakeResponse;
  remove(channelId: string, messageId: string): FakeResponse | undefined;
}

export function createFakeChannels(clock: FakeClock): FakeChannels {
  /** Messages by channel id, then message id. */
  const channels = new Map<string, Map<string, Message>>();
  const delivered = new Map<string, DeliveredMessage[]>();
  /** The message each enforced nonce made, by `channel nonce`. */
  const nonces = new Map<string, { message: Message; at: number }>();
  const refusals = new Map<string, ChannelRefusal>();
  let sequence = 0;

  function store(channelId: string, payload: unknown): Message {
    sequence += 1;
    const message = messageOf(channelId, sandboxId('message', `${channelId}:${sequence}`), payload, clock());
    const messages = channels.get(channelId) ?? new Map<string, Message>();
    channels.set(channelId, messages);
    messages.set(String(message.id), message);
    return message;
  }

  function create(channelId: string, payload: unknown): FakeResponse {
    const refusal = refusals.get(channelId);
    if (refusal) return REFUSALS[refusal];
    const body = (payload ?? {}) as Message;
    const invalid = invalidField(body);
    if (invalid) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: invalid } };
    const nonce = body.nonce === undefined ? undefined : String(body.nonce);
    const now = clock();
    const seen = nonce === undefined ? undefined : nonces.get(`${channelId} ${nonce}`);
    if (body.enforce_nonce === true && seen && now - seen.at < NONCE_WINDOW_MS) return { body: seen.message };
    const message = store(channelId, body);
    if (nonce !== undefined && body.enforce_nonce === true)
      nonces.set(`${channelId} ${nonce}`, { message, at: now });
    const list = delivered.get(channelId) ?? [];
    delivered.set(channelId, list);
    list.push({
      id: String(message.id),
      channelId,
      content: String(message.content),
      ...(nonce === undefined ? {} : { nonce }),
      at: now,
      payload: body,
    });
    return { body: message };
  }

  return {
    delivered,
    refuse: (channelId, refusal) => refusals.set(channelId, refusal),
    create,
    store,
    edit(channelId, messageId, payload) {
      const existing = channels.get(channelId)?.get(messageId);
      if (!existing) return discordError(404, 10008, 'Unknown Message');
      const edited = {
        ...existing,
        ...(payload as object),
        edited_timestamp: new Date(clock()).toISOString(),
      };
      channels.get(channelId)?.set(messageId, edited);
      return { body: edited };
    },
    remove(channelId, messageId) {
      const messages = channels.get(channelId);
      if (!messages?.has(messageId)) return discordError(404, 10008, 'Unknown Message');
      messages.delete(messageId);
      return undefined;
    },
  };
}

/** What Discord's Create Message validation would name, if anything (`{ field: {} }`). */
function invalidField(body: Message): Record<string, unknown> | undefined {
  const { content, nonce, allowed_mentions: allowed } = body;
  if (typeof content === 'string' && content.length > CONTENT_LIMIT) return { content: {} };
  if (
    nonce !== undefined &&
    !(typeof nonce === 'string' && nonce.length <= NONCE_LIMIT) &&
    !Number.isInteger(nonce)
  ) {
    return { nonce: {} };
  }
  // Discord refuses `parse: ['users']` together with a `users` list: they contradict each other.
  const mentions = (allowed ?? {}) as { parse?: unknown; users?: unknown };
  if (Array.isArray(mentions.parse) && mentions.parse.includes('users') && Array.isArray(mentions.users)) {
    return { allowed_mentions: {} };
  }
  return undefined;
}

function messageOf(channelId: string, id: string, payload: unknown, at: number): Message {
  const { content, components, flags, nonce } = (payload ?? {}) as Message;
  return {
    id,
    type: 0,
    channel_id: channelId,
    content: typeof content === 'string' ? content : '',
    components: Array.isArray(components) ? components : [],
    flags: typeof flags === 'number' ? flags : 0,
    author: { id: SANDBOX_APPLICATION_ID, username: 'community-bot', discriminator: '0', bot: true },
    timestamp: new Date(at).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    ...(nonce === undefined ? {} : { nonce }),
  };
}
