import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { type FakeSlackSocket, startFakeSlackSocket } from '../../bots/slack/sandbox-socket.js';
import { type SlackSocket, startSlackSocketIfConfigured } from '../../infra/local/slack-socket.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import {
  command,
  dmsTo,
  field,
  type Json,
  keyOf,
  MODERATORS,
  received,
  recordsOf,
  submission,
  variant,
} from './slack-deliveries.js';

/**
 * Socket Mode in `npm run dev`: the real SocketModeClient against a fake `apps.connections.open` and
 * WebSocket (bots/slack/sandbox-socket.ts), every envelope relayed through the very handler the dev server
 * mounts, with the sandbox's table and fake Slack behind it.
 */

const APP_TOKEN = 'xapp-1-A0SANDBOX-1-not-a-real-token';
// Short, so the reconnect the SDK makes after Slack's `disconnect` comes quickly (it waits this long).
const PING_TIMEOUT_MS = 250;

let bot: BotUnderTest;
let fake: FakeSlackSocket;
let socket: SlackSocket | undefined;
const logged: string[] = [];

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
  fake = await startFakeSlackSocket({ appToken: APP_TOKEN });
  socket = await startSlackSocketIfConfigured(
    { ...bot.env, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl },
    bot.handler,
    (line) => logged.push(line),
    { pingTimeoutMs: PING_TIMEOUT_MS },
  );
});

afterAll(async () => {
  await socket?.close();
  await fake.close();
  await bot.close();
});

/** The command form's fields, as a Socket Mode envelope carries them (an object, not a form). */
function commandFields(text: string, user = 'UALICE'): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(String(command(text, { user }).event.body)));
}

/** The interaction a signed `payload=` form carries, as a Socket Mode envelope carries it. */
function interactionOf(body: string | undefined): Json {
  return JSON.parse(new URLSearchParams(String(body)).get('payload') ?? '{}') as Json;
}

async function recordCount(payload: Json): Promise<number> {
  return recordsOf(await bot.table.engagementItems(), keyOf(payload)).length;
}

describe('Slack Socket Mode in npm run dev', () => {
  it('connects with the app-level token through apps.connections.open', () => {
    const opens = received(fake.api, '/api/apps.connections.open');

    expect(socket).toBeDefined();
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens[0]?.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
  });

  it('records a message event and acknowledges its envelope', async () => {
    // Prepare
    const message = variant('event-message.json', '71');

    // Act
    const envelope = fake.push('events_api', message);
    await fake.waitForAck(envelope);

    // Assess
    expect(await recordCount(message)).toBe(1);
  });

  it('counts a redelivered event once', async () => {
    // Prepare
    const message = variant('event-message.json', '72');
    await fake.waitForAck(fake.push('events_api', message));

    // Act: Slack's retry is a new envelope carrying the same event.
    await fake.waitForAck(fake.push('events_api', message, { attempt: 1, reason: 'timeout' }));

    // Assess
    expect(await recordCount(message)).toBe(1);
  });

  it("acknowledges a slash command with the command's answer", async () => {
    const ack = await fake.waitForAck(fake.push('slash_commands', commandFields('help')));

    expect(ack.payload).toMatchObject({ text: expect.stringContaining('/community feedback') });
  });

  it('relays a modal submission as the interactivity form: the note reaches every moderator', async () => {
    // Prepare: the command opens the feedback form on the fake Slack.
    const opener = commandFields('feedback', 'UBOB');
    await fake.waitForAck(fake.push('slash_commands', opener));
    const view = received(bot.api, '/api/views.open').find(
      (request) => field(request, 'trigger_id') === opener.trigger_id,
    );
    if (!view) throw new Error('no form was opened');
    const note = 'Sent over Socket Mode';

    // Act
    const submitted = submission(view, { note }, { user: 'UBOB' });
    await fake.waitForAck(fake.push('interactive', interactionOf(submitted.event.body)));
    await bot.settled();

    // Assess
    const notes = MODERATORS.map(
      (moderator) =>
        dmsTo(bot.api, moderator).filter((request) => field(request, 'text')?.includes(note)).length,
    );
    expect(notes).toEqual([1, 1, 1]);
  });

  it("reconnects after Slack's disconnect (refresh_requested) and keeps recording", async () => {
    // Prepare
    const before = fake.connections();
    const message = variant('event-message.json', '73');

    // Act
    fake.disconnect('refresh_requested');
    await fake.waitForConnections(before + 1);
    await fake.waitForAck(fake.push('events_api', message));

    // Assess: a new URL was asked for the new connection, and the event still counts once.
    expect(received(fake.api, '/api/apps.connections.open').length).toBeGreaterThan(before);
    expect(await recordCount(message)).toBe(1);
    expect(logged).toContain('[slack] Socket Mode reconnecting');
  });
});

describe('Slack Socket Mode settings', () => {
  it('stays off without SLACK_APP_TOKEN', async () => {
    const none = await startSlackSocketIfConfigured({ ...bot.env }, bot.handler, () => {});

    expect(none).toBeUndefined();
  });

  it('refuses a bot token in SLACK_APP_TOKEN before calling Slack', async () => {
    const opens = received(fake.api, '/api/apps.connections.open').length;

    await expect(
      startSlackSocketIfConfigured(
        { ...bot.env, SLACK_APP_TOKEN: 'xoxb-not-an-app-token', SLACK_API_URL: fake.apiUrl },
        bot.handler,
        () => {},
      ),
    ).rejects.toThrow(/SLACK_APP_TOKEN must be an app-level token/);
    expect(received(fake.api, '/api/apps.connections.open')).toHaveLength(opens);
  });

  it("fails to start, naming SLACK_APP_TOKEN, when Slack refuses another app's token", async () => {
    await expect(
      startSlackSocketIfConfigured(
        { ...bot.env, SLACK_APP_TOKEN: 'xapp-1-A0OTHER-1-other', SLACK_API_URL: fake.apiUrl },
        bot.handler,
        () => {},
      ),
    ).rejects.toThrow(/SLACK_APP_TOKEN.*invalid_auth/);
  });
});
