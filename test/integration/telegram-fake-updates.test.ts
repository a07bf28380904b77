import { Api, GrammyError } from 'grammy/web';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type FakeBotApi,
  type FakeBotApiOptions,
  startFakeBotApi,
} from '../../bots/telegram/fake-bot-api.js';
import { SANDBOX_BOT_TOKEN } from '../../bots/telegram/sandbox.js';
import { fixture } from './telegram-harness.js';

/**
 * The fake Bot API's getUpdates, as the Bot API documents it: the long polling tests rely on it behaving
 * like Telegram, so its behaviour is checked here with grammY's own client.
 */

async function fake(options: FakeBotApiOptions = {}): Promise<{ api: FakeBotApi; client: Api }> {
  const api = await startFakeBotApi({ pollSecondMs: 1, ...options });
  onTestFinished(() => api.close());
  return { api, client: new Api(SANDBOX_BOT_TOKEN, { apiRoot: api.url }) };
}

const ids = (updates: readonly { update_id: number }[]) => updates.map((update) => update.update_id);

async function refusal(call: Promise<unknown>): Promise<GrammyError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GrammyError)) throw new Error(`expected a Bot API error, got ${String(error)}`);
  return error;
}

describe("the fake Bot API's getUpdates", () => {
  it('serves pushed updates until an offset past them confirms them', async () => {
    const { api, client } = await fake();
    for (const id of [7001, 7002, 7003]) api.pushUpdate(fixture('message', id));

    const first = await client.getUpdates();
    const again = await client.getUpdates({ offset: 7003 });

    expect(ids(first)).toEqual([7001, 7002, 7003]);
    expect(ids(again)).toEqual([7003]);
    expect(ids(api.pendingUpdates())).toEqual([7003]);
  });

  it('answers a waiting long poll as soon as an update is pushed', async () => {
    // A minute per second of timeout: only the push can answer this poll within the test's time.
    const { api, client } = await fake({ pollSecondMs: 60_000 });
    const poll = client.getUpdates({ timeout: 1 });
    await api.waitFor((request) => request.path.endsWith('/getUpdates'));

    api.pushUpdate(fixture('message', 7101));

    expect(ids(await poll)).toEqual([7101]);
  });

  it('answers an empty list when the timeout passes with nothing to serve', async () => {
    const { client } = await fake();

    expect(await client.getUpdates({ timeout: 3 })).toEqual([]);
  });

  it('refuses getUpdates while a webhook is set (409), and serves once deleteWebhook removed it', async () => {
    const { api, client } = await fake();
    api.pushUpdate(fixture('message', 7201));
    await client.setWebhook('https://example.org/telegram/webhook');

    const refused = await refusal(client.getUpdates());
    await client.deleteWebhook();

    expect(refused.error_code).toBe(409);
    expect(refused.description).toMatch(/webhook is active/);
    expect(ids(await client.getUpdates())).toEqual([7201]);
  });

  it('ends a waiting getUpdates with 409 when another one arrives (one poller per bot)', async () => {
    const { api, client } = await fake({ pollSecondMs: 60_000 });
    const older = refusal(client.getUpdates({ timeout: 1 }));
    await api.waitFor((request) => request.path.endsWith('/getUpdates'));

    const newer = await client.getUpdates({ timeout: 0 });

    expect(newer).toEqual([]);
    expect((await older).description).toMatch(/terminated by other getUpdates request/);
  });

  it('sends reactions and chat members only when allowed_updates names them', async () => {
    const { api, client } = await fake();
    api.pushUpdate(fixture('message', 7301));
    api.pushUpdate(fixture('message-reaction', 7302));
    api.pushUpdate(fixture('chat-member-joined', 7303));

    const byDefault = await client.getUpdates();
    const named = await client.getUpdates({ allowed_updates: ['message_reaction', 'chat_member'] });

    expect(ids(byDefault)).toEqual([7301]);
    expect(ids(named)).toEqual([7302, 7303]);
  });

  it('drops the pending updates when deleteWebhook asks it to', async () => {
    const { api, client } = await fake();
    api.pushUpdate(fixture('message', 7401));

    await client.deleteWebhook({ drop_pending_updates: true });

    expect(api.pendingUpdates()).toEqual([]);
  });
});
