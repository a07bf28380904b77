/**
 * Discord's outbox transport (bots/discord/outbox.ts) with its real `fetch` calls against the fake Discord
 * API on loopback, on a clock the test holds: how every answer becomes a SendResult, the nonce that makes a
 * resend safe, Discord's limits as the fake enforces and counts them, and mentions. (Discord joins come with
 * the gateway in issue 10: nothing to parse here yet.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDiscordOutboxTransport,
  DEFAULT_CHANNEL_BUCKET,
  NONCE_LENGTH,
  nonceOf,
} from '../../bots/discord/outbox.js';
import { discordSandbox } from '../../bots/discord/sandbox.js';
import {
  type DiscordApiOptions,
  type DiscordFakeApi,
  startDiscordApi,
} from '../../bots/discord/sandbox-api.js';
import { sandboxDmChannel, sandboxId, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import type { Space } from '../../shared/core/events.js';
import type { OutboundMessage } from '../../shared/core/messenger.js';
import type { Audience, OutboxMessage, OutboxTransport, SendResult } from '../../shared/core/outbox/model.js';
import { type FakeServer, startFakeServer } from '../../shared/platform/fake-server.js';
import { createStore } from '../../shared/store/index.js';
import { captureDeps } from '../support/capture.js';

const GUILD: Space = { platform: 'discord', id: sandboxId('guild', 'outbox') };
const START = Date.parse('2026-11-24T10:00:00Z');
const capture = captureDeps();
// Discord's transport never reads the table; the store is built (no connection) because every transport gets it.
const store = createStore({ tableName: 'outbox-unused', endpoint: 'http://127.0.0.1:9' });

let now = START;
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  now = START;
});

async function discordApi(options: Omit<DiscordApiOptions, 'clock'> = {}): Promise<DiscordFakeApi> {
  const api = await startDiscordApi({ clock: () => now, ...options });
  servers.push(api);
  return api;
}

function transportOn(url: string, env: Record<string, string> = {}, timeoutMs?: number): OutboxTransport {
  return createDiscordOutboxTransport(
    { ...discordSandbox.env(url), ...env },
    { logger: capture.deps.logger, store, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

const channel = (name: string, threadId?: string): Audience => ({
  kind: 'channel',
  target: { space: GUILD, channelId: sandboxId('channel', name), ...(threadId ? { threadId } : {}) },
});

const member = (name: string): Audience => ({
  kind: 'member',
  space: GUILD,
  member: { platform: 'discord', id: sandboxUserId(name) },
  memberId: `opaque-${name}`,
  privacyKey: `privacy-${name}`,
  person: `opaque-${name}`,
});

function outboxMessage(
  id: string,
  audience: Audience,
  message: OutboundMessage = { text: id },
): OutboxMessage {
  return {
    id,
    key: `test:${id}`,
    communityId: 'community-1',
    purpose: 'announcement',
    audience,
    message,
    allowance: { kind: 'unsolicited' },
    status: 'sending',
    createdAt: new Date(START),
    dueAt: new Date(START),
    attempts: 1,
  };
}

const posts = (api: FakeServer) => api.requests.filter((request) => /\/messages$/.test(request.path));
const payloadOf = (api: FakeServer, index = -1) => posts(api).at(index)?.payload as Record<string, unknown>;

describe('posting in a channel', () => {
  it('posts once with a nonce from the outbox id and enforce_nonce, and says where and what the bucket holds', async () => {
    // Prepare
    const api = await discordApi();
    const transport = transportOn(api.url);
    const general = sandboxId('channel', 'general');

    // Act
    const result = await transport.send(outboxMessage('msg-1', channel('general')));

    // Assess: Discord's own record of the message, and its bucket as announced (one of five spent).
    const [delivered] = api.delivered.get(general) ?? [];
    expect(result).toEqual({
      kind: 'sent',
      posted: { channelId: general, messageId: delivered?.id },
      observed: [{ key: `discord:channel:${general}`, remaining: 4, resetAfterMs: 5000 }],
    });
    expect(delivered?.content).toBe('msg-1');
    expect(payloadOf(api)).toMatchObject({ nonce: nonceOf('msg-1'), enforce_nonce: true });
    expect(nonceOf('msg-1')).toHaveLength(NONCE_LENGTH);
    expect(nonceOf('msg-1')).not.toBe(nonceOf('msg-2'));
    expect(posts(api)[0]?.headers.authorization).toBe('Bot sandbox-discord-bot-token');
  });

  it('posts in the thread when the target has one', async () => {
    const api = await discordApi();
    const thread = sandboxId('channel', 'thread-1');

    const result = await transportOn(api.url).send(outboxMessage('in-thread', channel('general', thread)));

    expect(result).toMatchObject({ kind: 'sent', posted: { channelId: thread } });
    expect(posts(api)[0]?.path).toBe(`/v10/channels/${thread}/messages`);
  });

  it("names the channel's bucket first, Discord's usual one until Discord announces the channel's own", async () => {
    // Prepare: a fake whose buckets are 3 requests per 2 seconds.
    const api = await discordApi({ rateLimit: { limit: 3, resetAfterSeconds: 2 } });
    const transport = transportOn(api.url);
    const key = `discord:channel:${sandboxId('channel', 'general')}`;
    const global = { key: 'discord:global', limit: 50, windowMs: 1000 };

    // Act
    const before = transport.paceRules(channel('general'));
    await transport.send(outboxMessage('learn', channel('general')));
    const after = transport.paceRules(channel('general'));

    // Assess
    expect(before).toEqual([{ key, limit: 5, windowMs: 5000 }, global]);
    expect(DEFAULT_CHANNEL_BUCKET).toEqual({ limit: 5, windowMs: 5000 });
    expect(after).toEqual([{ key, limit: 3, windowMs: 2000 }, global]);
  });

  it('renders mentions as <@id> and lets only those members be pinged', async () => {
    const api = await discordApi();
    const [alice, bob] = [sandboxUserId('alice'), sandboxUserId('bob')];
    const message: OutboundMessage = {
      text: 'Welcome {@0} and {@1}, say hi to **{@0}**! @everyone',
      mentions: [
        { member: { platform: 'discord', id: alice } },
        { member: { platform: 'discord', id: bob } },
      ],
    };

    await transportOn(api.url).send(outboxMessage('welcome', channel('general'), message));

    expect(payloadOf(api)).toMatchObject({
      content: `Welcome <@${alice}> and <@${bob}>, say hi to **<@${alice}>**! @everyone`,
      allowed_mentions: { parse: [], users: [alice, bob] },
    });
  });
});

describe('what each answer means', () => {
  it('a 429 is retried after its retry_after, without blaming the bot when the limit is shared', async () => {
    const api = await discordApi();
    api.failNext('rate_limited');

    const result = await transportOn(api.url).send(outboxMessage('limited', channel('general')));

    expect(result).toEqual({ kind: 'retry', reason: 'Discord 429: rate limited (shared)', afterMs: 1000 });
    expect(api.delivered.size).toBe(0);
  });

  it('a 500 is unknown, and the resend with the same nonce posts once', async () => {
    const api = await discordApi();
    const transport = transportOn(api.url);
    api.failNext('server_error');

    const first = await transport.send(outboxMessage('five-hundred', channel('general')));
    const second = await transport.send(outboxMessage('five-hundred', channel('general')));

    expect(first).toEqual({ kind: 'unknown', reason: 'Discord 500: 500: Internal Server Error' });
    expect(second.kind).toBe('sent');
    expect(api.delivered.get(sandboxId('channel', 'general'))).toHaveLength(1);
  });

  it('a dropped connection before Discord acted is unknown; the resend posts the message', async () => {
    const api = await discordApi();
    const transport = transportOn(api.url);
    api.failNext('timeout_before');

    const first = await transport.send(outboxMessage('dropped', channel('general')));
    const before = api.delivered.get(sandboxId('channel', 'general'))?.length ?? 0;
    const second = await transport.send(outboxMessage('dropped', channel('general')));

    expect(first.kind).toBe('unknown');
    expect(before).toBe(0);
    expect(second.kind).toBe('sent');
    expect(api.delivered.get(sandboxId('channel', 'general'))).toHaveLength(1);
  });

  it('a dropped connection after Discord posted is unknown; the resend returns the first message, not a second', async () => {
    // Prepare
    const api = await discordApi();
    const transport = transportOn(api.url);
    const general = sandboxId('channel', 'general');
    api.failNext('timeout_after');

    // Act: the first attempt posts but its answer is lost; the resend comes a minute later.
    const first = await transport.send(outboxMessage('once', channel('general')));
    now += 60_000;
    const second = await transport.send(outboxMessage('once', channel('general')));

    // Assess
    const delivered = api.delivered.get(general) ?? [];
    expect(first.kind).toBe('unknown');
    expect(delivered).toHaveLength(1);
    expect(second).toMatchObject({
      kind: 'sent',
      posted: { channelId: general, messageId: delivered[0]?.id },
    });
    expect(posts(api)).toHaveLength(2);
  });

  it('no answer within the timeout is unknown', async () => {
    // A Discord that takes the request and never answers.
    const silent = await startFakeServer('discord-silent', () => new Promise(() => undefined));
    servers.push(silent);

    const result = await transportOn(silent.url, {}, 50).send(outboxMessage('slow', channel('general')));

    expect(result).toEqual({ kind: 'unknown', reason: 'no answer within 50 ms' });
  });

  it.each([
    ['unknown_channel', 'Discord 404 10003: Unknown Channel'],
    ['missing_access', 'Discord 403 50001: Missing Access'],
    ['missing_permissions', 'Discord 403 50013: Missing Permissions'],
  ] as const)('a channel Discord refuses (%s) is refused for good', async (refusal, reason) => {
    const api = await discordApi();
    api.refuse(sandboxId('channel', 'gone'), refusal);

    const result = await transportOn(api.url).send(outboxMessage(`refused-${refusal}`, channel('gone')));

    expect(result).toEqual({ kind: 'refused', reason });
  });

  it('a token Discord rejects is refused, not retried into an IP ban', async () => {
    const api = await discordApi();

    const transport = transportOn(api.url, { DISCORD_BOT_TOKEN: 'not-the-token' });
    const result = await transport.send(outboxMessage('bad-token', channel('general')));

    expect(result).toEqual({ kind: 'refused', reason: 'Discord 401: 401: Unauthorized' });
  });
});

describe('private messages', () => {
  it('opens the DM channel once per member and posts in it', async () => {
    // Prepare
    const api = await discordApi();
    const transport = transportOn(api.url);
    const dm = sandboxDmChannel(sandboxUserId('alice'));

    // Act
    const first = await transport.send(outboxMessage('dm-1', member('alice')));
    const second = await transport.send(outboxMessage('dm-2', member('alice')));

    // Assess
    expect(first).toMatchObject({
      kind: 'sent',
      posted: { channelId: dm },
      observed: [{ key: `discord:dm:${sandboxUserId('alice')}`, remaining: 4 }],
    });
    expect(second).toMatchObject({ kind: 'sent', posted: { channelId: dm } });
    expect(api.requests.filter((request) => request.path === '/v10/users/@me/channels')).toHaveLength(1);
    expect(api.requests[0]?.payload).toEqual({ recipient_id: sandboxUserId('alice') });
    expect(api.delivered.get(dm)).toHaveLength(2);
  });

  it('a member whose DMs are closed is unreachable (Discord 50007)', async () => {
    const api = await discordApi();

    const result = await transportOn(api.url).send(outboxMessage('dm-closed', member('modclosed')));

    expect(result).toEqual({
      kind: 'unreachable',
      reason: 'Discord 403 50007: Cannot send messages to this user',
    });
  });

  it('a DM channel Discord could not open is tried again: nothing was posted', async () => {
    const api = await discordApi();
    api.failNext('server_error');

    const result = await transportOn(api.url).send(outboxMessage('dm-500', member('bob')));

    expect(result).toEqual({ kind: 'retry', reason: 'Discord 500: 500: Internal Server Error' });
    expect(api.delivered.size).toBe(0);
  });
});

describe("Discord's limits in the fake", () => {
  const send = (transport: OutboxTransport, ids: readonly string[], to = channel('busy')) =>
    Promise.all(ids.map((id) => transport.send(outboxMessage(id, to))));
  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, n) => `${prefix}-${n}`);

  it('with strict limits, a sixth post in 5 s is answered 429 for the channel, counted, and posts after the reset', async () => {
    // Prepare
    const api = await discordApi({ strictLimits: true });
    const transport = transportOn(api.url);
    const busy = sandboxId('channel', 'busy');

    // Act: five posts at one instant, a sixth, then the sixth again once the bucket reset.
    await send(transport, ids('burst', 5));
    const sixth = await transport.send(outboxMessage('burst-5', channel('busy')));
    now += 5000;
    const later = await transport.send(outboxMessage('burst-5', channel('busy')));

    // Assess
    expect(sixth).toEqual({
      kind: 'retry',
      reason: 'Discord 429: rate limited (user)',
      afterMs: 5000,
      observed: [{ key: `discord:channel:${busy}`, remaining: 0, resetAfterMs: 5000 }],
    });
    expect(later.kind).toBe('sent');
    expect(api.violations).toEqual([
      { limit: 'Create Message: 5 per 5 s per channel', key: busy, at: START },
    ]);
    expect(api.delivered.get(busy)).toHaveLength(6);
  });

  it('without strict limits, a post over the bucket is delivered but still counted as a violation', async () => {
    const api = await discordApi();

    const results = await send(transportOn(api.url), ids('loose', 6));

    expect(results.map((result) => result.kind)).toEqual(Array(6).fill('sent'));
    expect(api.violations).toHaveLength(1);
    expect(api.delivered.get(sandboxId('channel', 'busy'))).toHaveLength(6);
  });

  it('with strict limits, the 51st request in a second is answered 429 for the whole bot', async () => {
    // Prepare: 51 channels, one post each, at one instant.
    const api = await discordApi({ strictLimits: true });
    const transport = transportOn(api.url);

    // Act
    const results = await Promise.all(
      Array.from({ length: 51 }, (_, n) => transport.send(outboxMessage(`wide-${n}`, channel(`wide-${n}`)))),
    );

    // Assess: exactly one refused, as a global limit the worker must wait out everywhere.
    const refused = results.filter(
      (result): result is Extract<SendResult, { kind: 'retry' }> => result.kind === 'retry',
    );
    expect(refused).toEqual([
      {
        kind: 'retry',
        reason: 'Discord 429: rate limited (global)',
        afterMs: 1000,
        observed: [{ key: 'discord:global', remaining: 0, resetAfterMs: 1000 }],
      },
    ]);
    expect(api.violations).toEqual([
      { limit: 'global: 50 requests per second per bot', key: 'bot', at: START },
    ]);
  });

  it('seeded faults roll once per call and never post a message twice', async () => {
    // Prepare: faults on every third call or so, and a transport that resends whatever is not settled.
    const api = await discordApi({
      faults: { rateLimited: 0.1, serverError: 0.1, timeout: 0.1, acceptedBeforeTimeout: 0.5, seed: 9 },
    });
    const transport = transportOn(api.url);
    const busy = sandboxId('channel', 'busy');

    // Act: each of 20 messages until it is sent (the clock moves past every bucket's reset).
    for (const id of ids('faulty', 20)) {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        now += 1000;
        if ((await transport.send(outboxMessage(id, channel('busy')))).kind === 'sent') break;
      }
    }

    // Assess: every message once, and the fake's own record agrees.
    const nonces = (api.delivered.get(busy) ?? []).map((message) => message.nonce);
    expect(nonces).toHaveLength(20);
    expect(new Set(nonces)).toEqual(new Set(ids('faulty', 20).map(nonceOf)));
    expect(api.violations).toEqual([]);
    expect(posts(api).length).toBeGreaterThan(20);
  });
});
