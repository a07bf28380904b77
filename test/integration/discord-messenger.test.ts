/**
 * The Discord Messenger (bots/discord/messenger.ts) through the real @discordjs/rest client against the
 * fake Discord API: each capability, each fallback, the lazy token, and Discord's rate limits. The flows
 * that use it through the handler are in discord-feedback.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordMessenger } from '../../bots/discord/messenger.js';
import { createDiscordRest, DiscordApiError } from '../../bots/discord/rest.js';
import { startDiscordApi } from '../../bots/discord/sandbox-api.js';
import {
  SANDBOX_APPLICATION_ID,
  SANDBOX_BOT_TOKEN,
  SANDBOX_GUILD_ID,
  sandboxDmChannel,
  sandboxId,
  sandboxUserId,
} from '../../bots/discord/sandbox-cast.js';
import type { Member, Space } from '../../shared/core/events.js';
import type { Messenger } from '../../shared/core/messenger.js';
import { type FakeResponse, type FakeServer, startFakeServer } from '../../shared/platform/fake-server.js';
import { captureDeps } from '../support/capture.js';

const GUILD: Space = { platform: 'discord', id: SANDBOX_GUILD_ID };
const GENERAL = sandboxId('channel', 'general');
const member = (name: string): Member => ({ platform: 'discord', id: sandboxUserId(name) });
const HANDLE = { applicationId: SANDBOX_APPLICATION_ID, token: 'interaction/token+1' };

let api: FakeServer;
const statuses: number[] = [];
let tokenReads = 0;
const capture = captureDeps();

/** A messenger as the edge builds it (one per Lambda instance), on `url`. */
function messengerOn(url: string, options: { pageSize?: number } = {}): Messenger {
  const rest = createDiscordRest({
    apiUrl: url,
    token: async () => {
      tokenReads += 1;
      return SANDBOX_BOT_TOKEN;
    },
  });
  return createDiscordMessenger({
    rest,
    logger: capture.deps.logger,
    ...(options.pageSize ? { memberPageSize: options.pageSize } : {}),
  });
}

let messenger: Messenger;

beforeAll(async () => {
  api = await startDiscordApi({ onRequest: (_, response) => statuses.push(response.status ?? 200) });
  messenger = messengerOn(api.url);
});
afterAll(() => api.close());
beforeEach(() => capture.clear());

const sent = (method: string, pattern: RegExp) =>
  api.requests.filter((request) => request.method === method && pattern.test(request.path));

describe('what the Discord messenger declares', () => {
  it('opens modals, answers ephemerally, posts in threads, and never needs a deep link', () => {
    expect(messenger.capabilities).toEqual({ forms: 'modal', privateAnswers: 'ephemeral', threads: true });
    expect(messenger.deepLink('token')).toBeUndefined();
  });
});

describe('posting, updating and deleting', () => {
  it('posts in a channel with the bot token, buttons carrying their values, and returns where', async () => {
    const posted = await messenger.post(
      { space: GUILD, channelId: GENERAL },
      { text: '**Hello**', buttons: [{ actionId: 'vote.up', label: 'Up', value: '42' }] },
    );

    const [request] = sent('POST', new RegExp(`/channels/${GENERAL}/messages$`)).slice(-1);
    expect(request?.headers.authorization).toBe(`Bot ${SANDBOX_BOT_TOKEN}`);
    expect(request?.payload).toMatchObject({
      content: '**Hello**',
      allowed_mentions: { parse: [] },
      components: [{ type: 1, components: [{ type: 2, custom_id: 'vote.up:42', label: 'Up' }] }],
    });
    expect(posted).toEqual({ space: GUILD, channelId: GENERAL, messageId: expect.stringMatching(/^\d+$/) });
  });

  it('posts in a thread: on Discord a thread is a channel of its own', async () => {
    const thread = sandboxId('thread', 'ideas');

    const posted = await messenger.post(
      { space: GUILD, channelId: GENERAL, threadId: thread },
      { text: 'In here' },
    );

    expect(posted.channelId).toBe(thread);
    expect(sent('POST', new RegExp(`/channels/${thread}/messages$`))).toHaveLength(1);
  });

  it('updates a message it posted (its buttons go unless given again) and deletes it', async () => {
    const posted = await messenger.post(
      { space: GUILD, channelId: GENERAL },
      { text: 'Vote', buttons: [{ actionId: 'vote.up', label: 'Up' }] },
    );

    await messenger.update(posted, { text: 'Closed' });
    await messenger.delete(posted);

    const path = `/v10/channels/${GENERAL}/messages/${posted.messageId}`;
    expect(api.requests.filter((request) => request.path === path).map(({ method }) => method)).toEqual([
      'PATCH',
      'DELETE',
    ]);
    expect(sent('PATCH', new RegExp(`${posted.messageId}$`))[0]?.payload).toMatchObject({
      content: 'Closed',
      components: [],
    });
    // Gone, as on Discord: a second edit is Discord's 10008 Unknown Message.
    await expect(messenger.update(posted, { text: 'Again' })).rejects.toMatchObject({ discordCode: 10008 });
  });
});

describe('private messages', () => {
  it('opens the DM channel and posts in it', async () => {
    const delivery = await messenger.sendPrivate(GUILD, member('modsam'), { text: 'Only for you' });

    const dm = sandboxDmChannel(sandboxUserId('modsam'));
    expect(delivery).toEqual({
      kind: 'sent',
      message: { space: GUILD, channelId: dm, messageId: expect.any(String) },
    });
    expect(sent('POST', /\/users\/@me\/channels$/).at(-1)?.payload).toEqual({
      recipient_id: sandboxUserId('modsam'),
    });
    expect(sent('POST', new RegExp(`/channels/${dm}/messages$`)).at(-1)?.payload).toMatchObject({
      content: 'Only for you',
    });
  });

  it('is unreachable when Discord refuses (50007, DMs closed), and says nothing anywhere else', async () => {
    const before = api.requests.length;

    const delivery = await messenger.sendPrivate(GUILD, member('modclosed'), { text: 'Secret' });

    expect(delivery).toEqual({ kind: 'unreachable', reason: expect.stringContaining('50007') });
    const after = api.requests.slice(before);
    expect(after.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /v10/users/@me/channels',
      `POST /v10/channels/${sandboxDmChannel(sandboxUserId('modclosed'))}/messages`,
    ]);
  });
});

describe('answering an interaction later', () => {
  it('edits the deferred original privately, and follows up publicly, without the bot token', async () => {
    const handle = { ...HANDLE, token: 'answer/token+2' };
    await messenger.respond(handle, { text: 'Private answer' });
    await messenger.respond(handle, { text: 'Public note' }, 'public');

    // The token is one path segment, whatever it holds.
    const webhook = `/v10/webhooks/${SANDBOX_APPLICATION_ID}/answer%2Ftoken%2B2`;
    const [edit] = api.requests.filter((request) => request.path === `${webhook}/messages/@original`);
    const [followUp] = api.requests.filter((request) => request.path === webhook);
    expect(edit).toMatchObject({ method: 'PATCH', payload: { content: 'Private answer', components: [] } });
    expect(followUp).toMatchObject({ method: 'POST', payload: { content: 'Public note' } });
    expect(followUp?.payload).not.toHaveProperty('flags');
    expect([edit, followUp].map((request) => request?.headers.authorization)).toEqual([undefined, undefined]);
  });

  it('tries again when the job outran the deferral it edits (Discord: Unknown Message)', async () => {
    // Prepare: a Discord that has not seen the deferral yet on the first try.
    const answers: FakeResponse[] = [{ status: 404, body: { message: 'Unknown Message', code: 10008 } }];
    const slow = await startFakeServer('discord', () => answers.shift() ?? { body: { id: '1' } });

    // Act
    await messengerOn(slow.url).respond(HANDLE, { text: 'Later' });

    // Assess
    expect(slow.requests.map(({ method }) => method)).toEqual(['PATCH', 'PATCH']);
    await slow.close();
  });

  it('refuses a handle it did not make', async () => {
    await expect(messenger.respond({ token: 1 }, { text: 'x' })).rejects.toThrow(
      /Not a Discord answer handle/,
    );
  });
});

describe('who moderates', () => {
  it.each([
    ['modsam, with a Manage Server role', 'modsam', true],
    ['modmia, with an Administrator role', 'modmia', true],
    ['olga, the owner, with no role', 'olga', true],
    ['alice, a member', 'alice', false],
    ['zed, not a member of the guild', 'zed', false],
  ])('asks the guild about %s', async (_, name, expected) => {
    expect(await messenger.isModerator(GUILD, member(name))).toBe(expected);
  });

  it('says no for a DM or a guild the bot is not in, asking Discord nothing for a DM', async () => {
    const before = api.requests.length;
    expect(await messenger.isModerator({ platform: 'discord', id: '@me' }, member('modsam'))).toBe(false);
    expect(api.requests.length).toBe(before);

    expect(await messenger.isModerator({ platform: 'discord', id: '999' }, member('modsam'))).toBe(false);
  });

  it('lists the owner and every member with Manage Server or Administrator, a page at a time', async () => {
    const before = api.requests.length;

    const moderators = await messengerOn(api.url, { pageSize: 3 }).moderators(GUILD);

    expect(moderators.map(({ id }) => id).sort()).toEqual(
      ['olga', 'modsam', 'modmia', 'modclosed'].map(sandboxUserId).sort(),
    );
    const pages = api.requests.slice(before).filter((request) => request.path.endsWith('/members'));
    // Ten members, three a page: the fourth page is short, so the listing stops there.
    expect(pages.map((page) => page.query.get('limit'))).toEqual(['3', '3', '3', '3']);
    expect(pages[0]?.query.get('after')).toBe('0');
  });

  it('falls back to the owner when listing members is refused (no Server Members intent)', async () => {
    const noIntent = await startFakeServer('discord', (request) => {
      if (request.path.endsWith('/members'))
        return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      if (request.path.endsWith('/roles')) return { body: [] };
      return { body: { id: SANDBOX_GUILD_ID, owner_id: '77' } };
    });

    const moderators = await messengerOn(noIntent.url).moderators(GUILD);

    expect(moderators).toEqual([{ platform: 'discord', id: '77' }]);
    expect(capture.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/Server Members intent/) }),
    );
    await noIntent.close();
  });
});

describe('the bot token and the REST client', () => {
  it('reads the token on the first call that needs it, once, and never for a webhook call', async () => {
    tokenReads = 0;
    const fresh = messengerOn(api.url);

    await fresh.respond(HANDLE, { text: 'No token needed' });
    const beforeBotCall = tokenReads;
    await fresh.isModerator(GUILD, member('modsam'));
    await fresh.sendPrivate(GUILD, member('bob'), { text: 'hi' });

    expect([beforeBotCall, tokenReads]).toEqual([0, 1]);
  });

  it('reads the token again after a failed read', async () => {
    let reads = 0;
    const rest = createDiscordRest({
      apiUrl: api.url,
      token: async () => {
        reads += 1;
        if (reads === 1) throw new Error('secret unavailable');
        return SANDBOX_BOT_TOKEN;
      },
    });

    await expect(rest.bot('get', `/guilds/${SANDBOX_GUILD_ID}`)).rejects.toThrow('secret unavailable');
    await expect(rest.bot('get', `/guilds/${SANDBOX_GUILD_ID}`)).resolves.toMatchObject({
      id: SANDBOX_GUILD_ID,
    });
  });

  it("translates Discord's errors, naming the call but never a webhook's token", async () => {
    const rest = createDiscordRest({ apiUrl: api.url, token: async () => 'wrong-token' });

    const refused = await rest.bot('get', `/guilds/${SANDBOX_GUILD_ID}`).catch((error: unknown) => error);
    const unknown = await rest
      .webhook('post', '/webhooks/1/secret-token/nowhere')
      .catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(DiscordApiError);
    expect(refused).toMatchObject({ status: 401, code: 'discord_api_failed' });
    expect(unknown).toMatchObject({ status: 404, message: expect.stringContaining('POST /webhooks/…') });
    expect((unknown as Error).message).not.toContain('secret-token');
  });
});

describe("Discord's rate limits", () => {
  it('keeps within the announced buckets, and waits out a 429 when two instances share one', async () => {
    // Prepare: two posts per bucket each 0.2 s, and two Lambda instances posting in one channel together.
    const tight = await startDiscordApi({
      rateLimit: { limit: 2, resetAfterSeconds: 0.2 },
      onRequest: (_, response) => statuses.push(response.status ?? 200),
    });
    const [first, second] = [messengerOn(tight.url), messengerOn(tight.url)];
    const target = { space: GUILD, channelId: sandboxId('channel', 'busy') };
    statuses.length = 0;

    // Act
    const posts = await Promise.all(
      [first, second].flatMap((instance) =>
        [1, 2, 3].map((n) => instance.post(target, { text: `post ${n}` })),
      ),
    );

    // Assess: every post landed once; some were refused with 429 and sent again after retry_after.
    expect(new Set(posts.map(({ messageId }) => messageId)).size).toBe(6);
    expect(statuses.filter((status) => status === 200)).toHaveLength(6);
    expect(statuses).toContain(429);
    const answered = tight.requests.filter((request) => request.path.endsWith('/messages'));
    expect(answered.length).toBe(statuses.length);
    await tight.close();
  });
});
