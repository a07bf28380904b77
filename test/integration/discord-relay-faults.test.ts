/**
 * The relay when things go wrong: the store failing (a dispatch is retried with backoff, or given up loudly
 * while the rest flows), a shutdown with a dispatch still in flight (finished before stop resolves), the
 * container entry stopped by SIGTERM (exit 0 after a normal close), and Discord refusing the bot (a wrong
 * token, the Server Members intent not enabled): start fails, health answers 503, the log says why.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_GUILD_ID } from '../../bots/discord/sandbox-cast.js';
import { gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import { discordBot } from './discord-harness.js';
import { handledAll, relayWorld, timesHandled, until } from './discord-relay-harness.js';

const ROOT = join(import.meta.dirname, '../..');
const context = discordBot();

/** The message's engagement item, if recorded. */
async function recorded(messageId: string) {
  const key = `discord:${SANDBOX_GUILD_ID}:${messageId}`;
  return (await context.bot.table.engagementItems()).filter((item) => item.key?.S === key);
}

const linesSaying = (message: string) => context.capture.lines.filter((line) => line.message === message);

describe('the relay while the store fails', () => {
  const world = relayWorld(context);

  it('retries a dispatch whose recording failed after the table applied it, and records it once', async () => {
    // Prepare
    const relay = world.relay();
    await relay.relay.start();
    const message = gatewayMessage({ user: 'retried', channel: 'general' }, new Date());
    // Every SDK attempt of the first try fails after the table applied it (the answer is lost).
    context.bot.proxy.failNext('PutItem', 3, 'after', '"EVT#');

    // Act
    world.send(message);
    await handledAll(relay, [message]);

    // Assess
    expect(await recorded(message.d.id)).toHaveLength(1);
    expect(linesSaying('gateway dispatch failed, retrying')).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ event: 'MESSAGE_CREATE', attempt: 1 }),
      }),
    ]);
  });

  it('gives a dispatch up loudly after the last try, and goes on with the next', async () => {
    // Prepare
    const relay = world.relay();
    await relay.relay.start();
    const lost = gatewayMessage({ user: 'lost', channel: 'general' }, new Date());
    const next = gatewayMessage({ user: 'next', channel: 'general' }, new Date());
    // Five tries of three SDK attempts each.
    context.bot.proxy.failNext('PutItem', 15, 'before', '"EVT#');

    // Act
    world.send(lost, next);
    await until(() => timesHandled(relay, next) === 1, 'the next message');

    // Assess
    expect(linesSaying('gateway dispatch dropped: the store kept failing')).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ event: 'MESSAGE_CREATE', attempt: 5 }),
      }),
    ]);
    expect(await recorded(lost.d.id)).toEqual([]);
    expect(await recorded(next.d.id)).toHaveLength(1);
  });
});

describe('the relay stopping', () => {
  const world = relayWorld(context);

  it('finishes a dispatch still in flight before stop() resolves, and ends its session with a normal close', async () => {
    // Prepare: the first try fails, the second is slowed by the SDK's own retries.
    const relay = world.relay();
    await relay.relay.start();
    const message = gatewayMessage({ user: 'inflight', channel: 'general' }, new Date());
    context.bot.proxy.failNext('PutItem', 5, 'before', '"EVT#');
    world.send(message);
    await until(() => linesSaying('gateway dispatch failed, retrying').length > 0, 'a retry');

    // Act
    await relay.relay.stop();

    // Assess: handled before stop resolved; the fake saw a close that ends the session.
    expect(timesHandled(relay, message)).toBe(1);
    expect(await recorded(message.d.id)).toHaveLength(1);
    expect(world.gateway.sessions).toEqual([]);
  });

  it('runs as the container runs it, and exits 0 after a normal close on SIGTERM', async () => {
    // Prepare: relay-main.ts in its own process, with the bot's settings.
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/discord/gateway/relay-main.ts'], {
      cwd: ROOT,
      env: {
        ...context.bot.env,
        PATH: process.env.PATH,
        DISCORD_API_URL: world.apiUrl,
        RELAY_HEALTH_PORT: '0',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = once(child, 'exit');
    await until(() => output.includes('relay listening'), 'the relay to listen', 20_000);
    const message = gatewayMessage({ user: 'container', channel: 'general' }, new Date());
    world.send(message);
    await until(() => world.gateway.sessions.some(({ sequence }) => sequence > 1), 'the dispatch sent');
    for (let tries = 0; (await recorded(message.d.id)).length === 0 && tries < 500; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Act
    child.kill('SIGTERM');
    const [code] = await exited;

    // Assess
    expect(await recorded(message.d.id)).toHaveLength(1);
    expect(code).toBe(0);
    expect(world.gateway.sessions).toEqual([]);
    expect(output).toContain('relay stopped');
  });
});

describe('the relay refused by Discord', () => {
  const world = relayWorld(context, { privilegedIntents: 0 });

  it('fails to start when the Server Members intent is not enabled, says how to enable it, and is not healthy', async () => {
    // Prepare
    const relay = world.relay();

    // Act
    const started = relay.relay.start();

    // Assess
    await expect(started).rejects.toThrow(/disallowed intents/i);
    expect((await fetch(`${relay.relay.healthUrl}/health`)).status).toBe(503);
    expect(linesSaying('gateway refused the relay')).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ hint: expect.stringContaining('Server Members Intent') }),
      }),
    ]);
  });

  it('fails to start with a wrong token, before connecting', async () => {
    const relay = world.relay({ DISCORD_BOT_TOKEN: 'not-the-bot-token' });

    await expect(relay.relay.start()).rejects.toThrow(/401|Unauthorized/);
    expect(world.gateway.identifies).toEqual([]);
  });
});
