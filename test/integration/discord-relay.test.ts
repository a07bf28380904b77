/**
 * The Discord gateway relay end to end: the real relay (real @discordjs/ws) connected to a fake gateway on
 * loopback, feeding the real core on dynalite; counts read with `/community stats` through the real
 * interactions handler. Messages, replies, reactions and joins are recorded once however they arrive: one
 * clean delivery, a RECONNECT and RESUME that replays, an INVALID SESSION and a new IDENTIFY, or two relays
 * at once (a deploy). A new member gets the welcome once.
 */
import { describe, expect, it } from 'vitest';
import { sandboxDmChannel, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import {
  gatewayJoin,
  gatewayLeave,
  gatewayMessage,
  gatewayReaction,
} from '../../bots/discord/sandbox-gateway.js';
import { contentOf, discordBot, discordToday, type StatsRow, say, statsFor } from './discord-harness.js';
import { type Dispatch, handledAll, relayWorld, timesHandled, until } from './discord-relay-harness.js';

const context = discordBot();
const world = relayWorld(context, { replayOverlap: 2 });

/** Discord's intent bits, from its documentation: Guilds, GuildMembers, GuildMessages, GuildMessageReactions. */
const EXPECTED_INTENTS = (1 << 0) | (1 << 1) | (1 << 9) | (1 << 10);
const MESSAGE_CONTENT_INTENT = 1 << 15;

/**
 * A morning in the sandbox server, by members named after `tag` (so tests in any order meet new members):
 * a message, a reply to it, two reactions, a join and a leave.
 */
function morning(tag: string): { first: Dispatch[]; second: Dispatch[] } {
  const at = new Date();
  const root = gatewayMessage({ user: `alice${tag}`, channel: 'general', text: 'hello' }, at);
  return {
    first: [
      root,
      gatewayReaction({ user: `carol${tag}`, channel: 'general', messageId: root.d.id, emoji: '👍' }),
      gatewayLeave(`frank${tag}`),
    ],
    second: [
      gatewayMessage({ user: `bob${tag}`, channel: 'general', replyTo: root.d.id }, at),
      gatewayReaction({ user: `bob${tag}`, channel: 'general', messageId: root.d.id, emoji: '👍' }),
      gatewayJoin(`dana${tag}`, at),
    ],
  };
}

/** What one clean delivery of a morning adds: alice, bob, carol and dana are new members (frank only left). */
const ONE_MORNING = { members: 4, messages: 1, replies: 1, reactions: 2, joins: 1 };

const plus = (before: StatsRow, added: StatsRow): StatsRow =>
  Object.fromEntries(
    Object.entries(before).map(([column, value]) => [column, value + added[column as keyof StatsRow]]),
  ) as StatsRow;

const today = async () => discordToday(await statsFor(context));

describe('the relay, one clean delivery', () => {
  it('records and counts messages, replies, reactions and joins, asks for the intents it needs and answers its health check', async () => {
    // Prepare
    const before = await today();
    const { first, second } = morning('clean');
    const relay = world.relay();

    // Act
    await relay.relay.start();
    world.send(...first, ...second);
    await handledAll(relay, [...first, ...second]);
    const health = await fetch(`${relay.relay.healthUrl}/health`);

    // Assess
    expect(await today()).toEqual(plus(before, ONE_MORNING));
    expect(world.gateway.identifies.map(({ intents }) => intents)).toEqual([EXPECTED_INTENTS]);
    expect((world.gateway.identifies[0]?.intents ?? 0) & MESSAGE_CONTENT_INTENT).toBe(0);
    expect(health.status).toBe(200);
    expect(world.gateway.violations).toEqual([]);
  });
});

describe('the relay, replays', () => {
  it('resumes after a RECONNECT, and a resume that replays what it had leaves the counts of one delivery', async () => {
    // Prepare
    const before = await today();
    const { first, second } = morning('resume');
    const relay = world.relay();
    await relay.relay.start();
    world.send(...first);
    await handledAll(relay, first);

    // Act: Discord asks for a reconnect; the rest of the morning happens while the relay is away.
    world.gateway.forceReconnect();
    await until(() => !world.gateway.sessions.some(({ connected }) => connected), 'the relay to leave');
    world.send(...second);
    await until(() => world.gateway.sessions.some(({ resumes }) => resumes > 0), 'a resume');
    await handledAll(relay, second);

    // Assess: one session, resumed once, with the last of the first batch replayed (replayOverlap).
    expect(world.gateway.identifies).toHaveLength(1);
    expect(world.gateway.sessions.map(({ resumes }) => resumes)).toEqual([1]);
    expect(timesHandled(relay, first.at(-1) as Dispatch)).toBe(2);
    expect(await today()).toEqual(plus(before, ONE_MORNING));
  });

  it('resumes after the connection drops without a close frame', async () => {
    // Prepare
    const before = await today();
    const { first, second } = morning('dropped');
    const relay = world.relay();
    await relay.relay.start();
    world.send(...first);
    await handledAll(relay, first);

    // Act
    world.gateway.dropConnection();
    await until(() => !world.gateway.sessions.some(({ connected }) => connected), 'the connection to drop');
    world.send(...second);
    await handledAll(relay, second);

    // Assess
    expect(world.gateway.sessions.map(({ resumes }) => resumes)).toEqual([1]);
    expect(await today()).toEqual(plus(before, ONE_MORNING));
  });

  it('identifies again after an INVALID SESSION, within the identify limit, and events delivered again count once', async () => {
    // Prepare
    const before = await today();
    const { first, second } = morning('invalid');
    const relay = world.relay();
    await relay.relay.start();
    world.send(...first);
    await handledAll(relay, first);

    // Act: the session is invalidated; on the new one the first batch arrives again with the rest.
    world.gateway.invalidateSession();
    await until(() => world.gateway.sessions.some(({ connected }) => connected), 'a new session');
    world.send(...first, ...second);
    await handledAll(relay, [...first, ...second]);

    // Assess: a second IDENTIFY, no sooner than the limit allows (the relay waited on its clock).
    expect(world.gateway.identifies).toHaveLength(2);
    expect(world.gateway.violations).toEqual([]);
    expect(timesHandled(relay, first[0] as Dispatch)).toBe(2);
    expect(await today()).toEqual(plus(before, ONE_MORNING));
  });

  it('counts once what two relays running side by side (a deploy) both receive', async () => {
    // Prepare: the old task runs; the new one starts later (another process, its own identify).
    const before = await today();
    const { first, second } = morning('deploy');
    const old = world.relay();
    const fresh = world.relay();
    await old.relay.start();
    world.clock.skip(10_000);
    await fresh.relay.start();

    // Act
    world.send(...first, ...second);
    await Promise.all([handledAll(old, [...first, ...second]), handledAll(fresh, [...first, ...second])]);

    // Assess: two sessions, each got everything, and the table counted it once.
    expect(world.gateway.sessions).toHaveLength(2);
    expect(world.gateway.violations).toEqual([]);
    expect(await today()).toEqual(plus(before, ONE_MORNING));
  });
});

describe('the relay, a new member', () => {
  it('sends the welcome once for a GUILD_MEMBER_ADD that two relays and a resume all deliver', async () => {
    // Prepare: a moderator sets the welcome through the interactions endpoint.
    const welcome = 'Welcome aboard! Introduce yourself in #general.';
    expect(await say(context, 'a', 'modsam', `/community welcome set ${welcome}`)).toContain('Welcome set.');
    const old = world.relay();
    const fresh = world.relay();
    await old.relay.start();
    world.clock.skip(10_000);
    await fresh.relay.start();
    const join = gatewayJoin('nina', new Date());

    // Act: both relays receive the join; then a reconnect replays it to both.
    world.send(join);
    await Promise.all([handledAll(old, [join]), handledAll(fresh, [join])]);
    world.gateway.forceReconnect();
    await until(() => timesHandled(old, join) === 2 && timesHandled(fresh, join) === 2, 'the replays');
    await context.bot.settled();
    await context.bot.outbox.run();

    // Assess: the fake Discord API received the welcome once, in nina's DMs.
    const welcomes = context.bot.api.requests.filter(
      (request) => request.method === 'POST' && contentOf(request).includes(welcome),
    );
    expect(welcomes.map((request) => request.path)).toEqual([
      expect.stringMatching(new RegExp(`/channels/${sandboxDmChannel(sandboxUserId('nina'))}/messages$`)),
    ]);
  });
});
