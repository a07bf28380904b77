import { Api, GrammyError } from 'grammy/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { SANDBOX_BOT_TOKEN, SANDBOX_SECRET_TOKEN } from '../../bots/telegram/sandbox.js';
import { setTelegramWebhook } from '../../bots/telegram/set-webhook.js';
import { payloadOf } from './telegram-harness.js';

const URL = 'https://example.execute-api.eu-west-1.amazonaws.com/telegram/webhook';

/** Every update kind the bot handles, as the Bot API names them. */
const HANDLED = [
  'message',
  'edited_message',
  'callback_query',
  'message_reaction',
  'message_reaction_count',
  'poll_answer',
  'my_chat_member',
  'chat_member',
];

let api: FakeBotApi;

beforeAll(async () => {
  api = await startFakeBotApi();
});

afterAll(async () => {
  await api.close();
});

const setup = () => ({
  url: URL,
  token: SANDBOX_BOT_TOKEN,
  secretToken: SANDBOX_SECRET_TOKEN,
  apiRoot: api.url,
});
const names = (scope?: Parameters<FakeBotApi['commands']>[0]) =>
  api.commands(scope)?.map((command) => command.command);

describe('npm run telegram:set-webhook', () => {
  it('registers the URL with the secret token and every update kind the bot handles', async () => {
    const mark = api.requests.length;

    await setTelegramWebhook(setup());

    const sets = api.requests.slice(mark).filter((request) => request.path.endsWith('/setWebhook'));
    expect(sets.map(payloadOf)).toEqual([
      { url: URL, secret_token: SANDBOX_SECRET_TOKEN, allowed_updates: HANDLED },
    ]);
    // Named explicitly: Telegram sends these three only when a list asks for them.
    expect(api.webhook()).toEqual({ url: URL, secretToken: SANDBOX_SECRET_TOKEN, allowedUpdates: HANDLED });
  });

  it("sets the members' menus (private chats and groups) and the administrators' one", async () => {
    await setTelegramWebhook(setup());

    expect(names({ type: 'all_private_chats' })).toEqual(['start', 'help', 'community']);
    expect(names()).toEqual(['community']);
    expect(names({ type: 'all_chat_administrators' })).toEqual(['community']);
  });

  it("names the moderators' commands in the administrators' description only", async () => {
    await setTelegramWebhook(setup());

    const [moderators] = api.commands({ type: 'all_chat_administrators' }) ?? [];
    const [members] = api.commands() ?? [];
    for (const command of ['stats', 'welcome', 'announce', 'settings', 'moderators']) {
      expect(moderators?.description).toMatch(new RegExp(`\\b${command}\\b`));
      expect(members?.description).not.toMatch(new RegExp(`\\b${command}\\b`));
    }
    expect(members?.description).toMatch(/\bfeedback\b/);
  });

  it('leaves the same webhook and menus when run again', async () => {
    await setTelegramWebhook(setup());
    const before = [api.webhook(), api.commands(), api.commands({ type: 'all_chat_administrators' })];

    await setTelegramWebhook(setup());

    expect([api.webhook(), api.commands(), api.commands({ type: 'all_chat_administrators' })]).toEqual(
      before,
    );
  });
});

describe("the fake Bot API's setMyCommands", () => {
  const client = () => new Api(SANDBOX_BOT_TOKEN, { apiRoot: api.url });

  it.each([
    ['an upper-case command', { command: 'Start', description: 'Begin' }, 'BOT_COMMAND_INVALID'],
    ['a command over 32 characters', { command: 'c'.repeat(33), description: 'Long' }, 'BOT_COMMAND_INVALID'],
    ['an empty description', { command: 'start', description: ' ' }, 'BOT_COMMAND_DESCRIPTION_INVALID'],
    [
      'a description over 256',
      { command: 'start', description: 'd'.repeat(257) },
      'BOT_COMMAND_DESCRIPTION_INVALID',
    ],
  ])('refuses %s as Telegram does', async (_case, command, error) => {
    const scope = { type: 'all_group_chats' } as const;

    const refusal = await client()
      .setMyCommands([command], { scope })
      .catch((caught: unknown) => caught);

    expect(refusal).toBeInstanceOf(GrammyError);
    expect((refusal as GrammyError).description).toBe(`Bad Request: ${error}`);
    expect(api.commands(scope)).toBeUndefined();
  });
});
