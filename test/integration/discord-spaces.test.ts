/**
 * Discord servers as spaces, through the real interactions handler and the gateway ingestion: the first
 * interaction from a server registers it (a DM never does), and in `approved` mode an unapproved server
 * records nothing and answers every command with one sentence.
 */
import { describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { commandInteraction, sandboxGuildId, sandboxId, signedDelivery } from '../../bots/discord/sandbox.js';
import { gatewayGuildCreate, gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import type { DiscordContext } from './discord-harness.js';
import { answerOf, command, contentOf, discordBot } from './discord-harness.js';

/** `/community <text>` from a cast member in a server of our choosing (ids are the sandbox's otherwise). */
function commandIn(guild: string, user: string, text: string) {
  const at = new Date();
  return signedDelivery(
    { ...commandInteraction({ kind: 'command', user, channel: 'general', text }, at), guild_id: guild },
    at,
  );
}

const spaceOf = (context: DiscordContext, id: string) =>
  context.bot.table.store.core.spaces.find({ platform: 'discord', id });

describe('servers register on their first interaction (open mode)', () => {
  const context = discordBot();

  it('registers each server as a community of its own, once, however many commands it sends', async () => {
    // Act
    await Promise.all(
      ['1300000000000000201', '1300000000000000201', '1300000000000000202'].map(async (guild) =>
        answerOf(await context.deliver(commandIn(guild, 'bob', 'help'))),
      ),
    );

    // Assess
    const [first, second] = await Promise.all([
      spaceOf(context, '1300000000000000201'),
      spaceOf(context, '1300000000000000202'),
    ]);
    expect(first).toMatchObject({ status: 'active', formerIds: [] });
    expect(second).toMatchObject({ status: 'active' });
    expect(first?.communityId).not.toBe(second?.communityId);
  });

  it("serves the sandbox's second server (space b) as its own community, with its own moderators", async () => {
    // Prepare
    const request = signedDelivery(
      commandInteraction(
        { kind: 'command', user: 'bob', channel: 'general', text: 'feedback hello from b', space: 'b' },
        new Date(),
      ),
    );
    const from = context.bot.api.requests.length;

    // Act
    answerOf(await context.deliver(request));
    await context.bot.lambda.idle();

    // Assess: registered apart from space a; the note went to b's moderators, read from Discord's API.
    const [a, b] = await Promise.all([
      spaceOf(context, sandboxGuildId()),
      spaceOf(context, sandboxGuildId('b')),
    ]);
    expect(b).toMatchObject({ status: 'active' });
    expect(b?.communityId).not.toBe(a?.communityId);
    const since = context.bot.api.requests.slice(from);
    expect(since.map((received) => `${received.method} ${received.path}`)).toContain(
      `GET /v10/guilds/${sandboxGuildId('b')}`,
    );
    const notes = since.filter((received) => contentOf(received).includes('hello from b'));
    expect(notes.length).toBeGreaterThanOrEqual(3);
  });

  it('never registers a DM: it has no server, and nothing in it is a space', async () => {
    const answer = answerOf(await context.deliver(command('bob', '/community help', 'dm')));

    expect(answer.data?.content).toContain('/community');
    expect(await spaceOf(context, '@me')).toBeUndefined();
  });
});

describe('a server nobody approved (approved mode)', () => {
  const context = discordBot({ env: { SPACES_MODE: 'approved' } });
  const guild = '1300000000000000301';

  it('keeps the server pending when the bot joins, posts no notice, and records none of its messages', async () => {
    const from = context.bot.api.requests.length;

    // Act
    const added = await context.gateway.dispatch(gatewayGuildCreate({ guild }));
    const message = gatewayMessage({ user: 'alice', channel: 'general', guild }, new Date());
    const outcome = await context.gateway.dispatch(message);
    await context.bot.lambda.idle();

    // Assess
    expect([added, outcome]).toEqual([{ outcome: 'space_changed' }, { outcome: 'not_served' }]);
    expect(await spaceOf(context, guild)).toMatchObject({ status: 'pending' });
    const items = await context.bot.table.engagementItems();
    expect(items.filter((item) => item.key?.S === `discord:${guild}:${message.d.id}`)).toEqual([]);
    expect(context.bot.api.requests.slice(from).filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('answers any command there with the one sentence saying it is not enabled yet', async () => {
    const { data } = answerOf(await context.deliver(commandIn(guild, 'modsam', 'stats')));

    expect(data?.flags).toBe(64);
    expect(data?.content).toContain('not enabled in this space yet');
    expect(data?.content).toContain(`npm run spaces -- approve discord:${guild}`);
  });

  it('records and posts the notice once ops approved it, where the bot first hears activity', async () => {
    // Prepare: registered pending, then approved by ops.
    const approved = '1300000000000000302';
    await context.gateway.dispatch(gatewayGuildCreate({ guild: approved }));
    await context.bot.table.store.core.spaces.activate({ platform: 'discord', id: approved }, new Date());
    // A relay started after the approval (a running one trusts what it read for up to a minute).
    const relay = createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), context.capture.deps);
    const from = context.bot.api.requests.length;

    // Act
    const message = gatewayMessage({ user: 'alice', channel: 'random', guild: approved }, new Date());
    const outcome = await relay.dispatch(message);
    await context.bot.lambda.idle();

    // Assess
    expect(outcome).toEqual({ outcome: 'recorded' });
    const posts = context.bot.api.requests.slice(from).filter((request) => request.method === 'POST');
    expect(posts.map((request) => request.path)).toEqual([
      `/v10/channels/${sandboxId('channel', 'random')}/messages`,
    ]);
  });
});
