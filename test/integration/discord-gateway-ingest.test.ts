/**
 * Gateway dispatches through the ingestion the relay will run, into the real core and table: Discord's
 * documented payloads each get their outcome and items; replays (a resume, a second relay) never
 * double-count in `/community stats` (read through the real interactions handler); the bot's own
 * GUILD_CREATE / GUILD_DELETE register, notice and deactivate the space.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { SANDBOX_GUILD_ID, sandboxUserId } from '../../bots/discord/sandbox.js';
import {
  gatewayGuildCreate,
  gatewayJoin,
  gatewayLeave,
  gatewayMessage,
  gatewayReaction,
} from '../../bots/discord/sandbox-gateway.js';
import { utcDay } from '../../shared/core/time.js';
import type { Item } from '../../shared/store/attributes.js';
import { TABLE } from '../../shared/store/table.js';
import { expectedMemberId } from '../support/member-ids.js';
import { contentOf, type DiscordContext, discordBot, discordToday, statsFor } from './discord-harness.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/discord/gateway');
/** The ids of Discord's documented examples the fixtures are made of. */
const GUILD = '197038439483310086';
const CHANNEL = '290926798999357250';
const MESSAGE = '334385199974967042';
const MASON = '53908099506183680';
const NELLY = '80351110224678912';
/** How long raw engagement is kept when the community did not say (days after the record's UTC day). */
const DEFAULT_RETENTION_DAYS = 395;
/** The Example Guild Text Channel: the guild's first text channel (its system channel is unset). */
const GENERAL = '41771983423143937';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** What a documented payload becomes: a record (its attributes), a space change, or a reason to ignore it. */
type Expected =
  | { readonly record: Readonly<Record<string, string | number>>; readonly unknownLength?: boolean }
  | { readonly space: 'active' | 'inactive' }
  | { readonly tombstone: { readonly key: string; readonly memberId: string } }
  | { readonly ignored: string };

const EXPECTED: Readonly<Record<string, Expected>> = {
  'message-create.json': {
    record: {
      kind: 'message_posted',
      key: `discord:${GUILD}:${MESSAGE}`,
      memberId: expectedMemberId('discord', MASON),
      channelId: CHANNEL,
      messageId: MESSAGE,
      textLength: 'Supa Hot'.length,
      occurredAt: '2017-07-11T17:27:07.299Z',
    },
  },
  'message-reply.json': {
    // Without the MESSAGE_CONTENT intent the text is empty: the length is unknown, and not stored.
    record: {
      kind: 'thread_reply',
      key: `discord:${GUILD}:334385292513050624`,
      memberId: expectedMemberId('discord', NELLY),
      replyToId: MESSAGE,
    },
    unknownLength: true,
  },
  'message-dm.json': { ignored: 'a direct message' },
  'message-crosspost.json': { ignored: 'a crosspost' },
  'reaction-add.json': {
    record: {
      kind: 'reaction_added',
      // A reaction is its channel, message, member and emoji: its removal finds it.
      key: `discord:${GUILD}:reaction:${CHANNEL}/${MESSAGE}/${expectedMemberId('discord', NELLY)}/🔥`,
      memberId: expectedMemberId('discord', NELLY),
      // message_author_id: who wrote the message reacted to.
      toMemberId: expectedMemberId('discord', MASON),
      messageId: MESSAGE,
      reaction: '🔥',
    },
  },
  // Removed before it was heard added (in this test's table): a tombstone, which counts nothing and keeps a
  // late delivery of the add from counting; it is the member's, for `forget`.
  'reaction-remove.json': {
    tombstone: {
      key: `discord:${GUILD}:reaction:${CHANNEL}/${MESSAGE}/${expectedMemberId('discord', NELLY)}/🔥`,
      memberId: expectedMemberId('discord', NELLY),
    },
  },
  'reaction-add-custom-burst.json': {
    record: {
      kind: 'reaction_added',
      // A custom emoji by its id; a super reaction is a reaction of its own beside a normal one.
      key: `discord:${GUILD}:reaction:${CHANNEL}/${MESSAGE}/${expectedMemberId('discord', NELLY)}/41771983429993937:burst`,
      memberId: expectedMemberId('discord', NELLY),
      toMemberId: expectedMemberId('discord', MASON),
      reaction: '41771983429993937:burst',
    },
  },
  'member-add.json': {
    record: {
      kind: 'member_joined',
      key: `discord:${GUILD}:member_joined:${expectedMemberId('discord', NELLY)}:2015-04-26T06:26:56.936Z`,
      memberId: expectedMemberId('discord', NELLY),
      occurredAt: '2015-04-26T06:26:56.936Z',
      // A join happens in the server as a whole (no channel): a welcome goes privately or to announcements.
      channelId: '',
    },
  },
  'member-remove.json': {
    record: {
      kind: 'member_left',
      key: `discord:${GUILD}:member_left:${expectedMemberId('discord', NELLY)}:${utcDay(new Date())}`,
      memberId: expectedMemberId('discord', NELLY),
    },
  },
  'guild-create.json': { space: 'active' },
  'guild-create-unavailable.json': { ignored: 'outage' },
  'guild-delete-outage.json': { ignored: 'outage' },
  'guild-delete.json': { space: 'inactive' },
};

async function itemOf(context: DiscordContext, key: string): Promise<Item[]> {
  return (await context.bot.table.engagementItems()).filter((item) => item.key?.S === key);
}

const spaceOf = (context: DiscordContext, id: string) =>
  context.bot.table.store.core.spaces.find({ platform: 'discord', id });

/** The notices (and any other posts) the fake Discord API received in a channel. */
function postsIn(context: DiscordContext, channelId: string) {
  return context.bot.api.requests.filter(
    (request) => request.method === 'POST' && request.path === `/v10/channels/${channelId}/messages`,
  );
}

describe("Discord's documented gateway payloads", () => {
  const context = discordBot();
  // GUILD_DELETE would stop the guild's later events from counting (tests run shuffled): it has its own bot.
  const standalone = Object.keys(EXPECTED).filter((file) => file !== 'guild-delete.json');

  it('has an expected outcome for every fixture, and no expectation without its fixture', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    expect(Object.keys(EXPECTED).sort()).toEqual(files.sort());
  });

  it.each(standalone)('%s', async (file) => {
    // Prepare
    const expected = EXPECTED[file] as Expected;

    // Act: the payload, then its replay (a resume).
    const first = await context.gateway.dispatch(fixture(file));
    const replay = await context.gateway.dispatch(fixture(file));

    // Assess
    if ('ignored' in expected) {
      expect([first, replay]).toEqual([
        { ignored: expect.stringContaining(expected.ignored) },
        { ignored: expect.stringContaining(expected.ignored) },
      ]);
      expect(context.capture.recorded).toEqual([]);
      expect(context.capture.lines).toContainEqual(
        expect.objectContaining({
          message: 'payload ignored',
          fields: expect.objectContaining({ event: expect.any(String) }),
        }),
      );
      return;
    }
    if ('space' in expected) {
      expect([first, replay]).toEqual([{ outcome: 'space_changed' }, { outcome: 'space_changed' }]);
      expect(await spaceOf(context, GUILD)).toMatchObject({ status: expected.space });
      return;
    }
    if ('tombstone' in expected) {
      // Taken back: 'recorded' when reaction-add.json (the same reaction) ran first in this shuffled file, else
      // nothing was there to take back; either way the replay changes nothing, and one item is left, out of
      // the stats index, marked gone.
      expect(['recorded', 'duplicate']).toContain((first as { outcome: string }).outcome);
      expect(replay).toEqual({ outcome: 'duplicate' });
      const [item, ...more] = await itemOf(context, expected.tombstone.key);
      expect(more).toEqual([]);
      expect(item).toMatchObject({ gone: { BOOL: true }, memberId: { S: expected.tombstone.memberId } });
      expect(item?.[TABLE.indexes.byDay.partitionKey]).toBeUndefined();
      return;
    }
    expect([first, replay]).toEqual([{ outcome: 'recorded' }, { outcome: 'duplicate' }]);
    const [item, ...more] = await itemOf(context, String(expected.record.key));
    expect(more).toEqual([]);
    const attributes = Object.fromEntries(
      Object.entries(expected.record).map(([name, value]) => [
        name,
        typeof value === 'number' ? { N: String(value) } : { S: value },
      ]),
    );
    expect(item).toMatchObject({ spaceId: { S: GUILD }, platform: { S: 'discord' }, ...attributes });
    expect(item?.toMemberId).toEqual(attributes.toMemberId);
    if (expected.unknownLength) expect(item?.textLength).toBeUndefined();
    // Engagement: in the space's stats index, and kept for the default retention after its UTC day.
    expect(item?.[TABLE.indexes.byDay.partitionKey]?.S).toMatch(new RegExp(`^DAY#discord:${GUILD}#`));
    const recordedDay = String(item?.recordedAt?.S).slice(0, 10);
    const endOfRecordedDay = Date.parse(`${recordedDay}T00:00:00Z`) / 1000 + 86_400;
    expect(item?.[TABLE.timeToLiveAttribute]).toEqual({
      N: String(endOfRecordedDay + DEFAULT_RETENTION_DAYS * 86_400),
    });
    // No attribute holds a Discord user id (the author's, the reactor's, or the one reacted to).
    for (const user of [MASON, NELLY]) expect(JSON.stringify(item)).not.toContain(user);
  });
});

describe('the bot added to and removed from a server', () => {
  const context = discordBot();

  it('registers the space on GUILD_CREATE and posts the notice once, in its first text channel, however often it reconnects', async () => {
    // Prepare: a second relay (another process) on the same table, as during a deploy.
    const other = createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), context.capture.deps);

    // Act: the bot joins; both relays reconnect and receive GUILD_CREATE again; a member posts.
    await Promise.all([
      context.gateway.dispatch(fixture('guild-create.json')),
      other.dispatch(fixture('guild-create.json')),
    ]);
    await context.bot.lambda.idle();
    await context.gateway.dispatch(fixture('guild-create.json'));
    await other.dispatch(fixture('message-create.json'));
    await context.bot.lambda.idle();

    // Assess
    const [notice, ...more] = postsIn(context, GENERAL);
    expect(more).toEqual([]);
    expect(notice && contentOf(notice)).toContain('never the text of a message');
    expect(postsIn(context, CHANNEL)).toEqual([]);
    expect(await spaceOf(context, GUILD)).toMatchObject({
      status: 'active',
      name: 'Discord Testers',
      noticedAt: expect.any(String),
    });
  });

  it('marks the space inactive on GUILD_DELETE, keeps its records, records nothing more, and serves it again when re-added', async () => {
    // Prepare
    const guild = '1300000000000000042';
    const before = gatewayMessage({ user: 'alice', channel: 'general', guild }, new Date());
    expect(await context.gateway.dispatch(before)).toEqual({ outcome: 'recorded' });
    const removed = fixture('guild-delete.json') as { d: { id: string } };

    // Act
    const deleted = await context.gateway.dispatch({ ...removed, d: { id: guild } });
    const whileAway = gatewayMessage({ user: 'bob', channel: 'general', guild }, new Date());
    const ignoredWhileAway = await context.gateway.dispatch(whileAway);
    const readded = await context.gateway.dispatch(gatewayGuildCreate({ guild }));
    const afterReturn = gatewayMessage({ user: 'carol', channel: 'general', guild }, new Date());

    // Assess
    expect(deleted).toEqual({ outcome: 'space_changed' });
    expect(ignoredWhileAway).toEqual({ outcome: 'not_served' });
    expect(await itemOf(context, `discord:${guild}:${whileAway.d.id}`)).toEqual([]);
    expect(await itemOf(context, `discord:${guild}:${before.d.id}`)).toHaveLength(1);
    expect(readded).toEqual({ outcome: 'space_changed' });
    expect(await spaceOf(context, guild)).toMatchObject({ status: 'active' });
    expect(await context.gateway.dispatch(afterReturn)).toEqual({ outcome: 'recorded' });
  });

  it('marks the documented guild inactive on its GUILD_DELETE', async () => {
    await context.gateway.dispatch(fixture('guild-create.json'));

    expect(await context.gateway.dispatch(fixture('guild-delete.json'))).toEqual({
      outcome: 'space_changed',
    });

    expect(await spaceOf(context, GUILD)).toMatchObject({ status: 'inactive' });
  });
});

describe('replays and reactions, as /community stats counts them', () => {
  const context = discordBot();

  it('leaves exactly the counts of one clean delivery after a resume replays everything and two relays deliver it', async () => {
    // Prepare: a morning in the sandbox server, and a baseline.
    const before = discordToday(await statsFor(context));
    const at = new Date();
    const root = gatewayMessage({ user: 'alice', channel: 'general', text: 'hello' }, at);
    const events = [
      root,
      gatewayMessage({ user: 'bob', channel: 'general', replyTo: root.d.id }, at),
      gatewayReaction({ user: 'carol', channel: 'general', messageId: root.d.id, emoji: '👍' }),
      gatewayReaction({ user: 'bob', channel: 'general', messageId: root.d.id, emoji: '👍' }),
      gatewayJoin('dana', at),
      gatewayLeave('frank'),
    ];
    const other = createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), context.capture.deps);

    // Act: delivered once, replayed by a resume, and delivered again by two relays at once.
    for (const event of events) await context.gateway.dispatch(event);
    for (const event of events) await context.gateway.dispatch(event);
    await Promise.all(events.flatMap((event) => [context.gateway.dispatch(event), other.dispatch(event)]));
    const after = discordToday(await statsFor(context));

    // Assess: alice, bob, carol and dana are new members seen; frank's leave does not make him one.
    expect(after).toEqual({
      members: before.members + 4,
      messages: before.messages + 1,
      replies: before.replies + 1,
      reactions: before.reactions + 2,
      joins: before.joins + 1,
    });
  });

  it('counts a reaction while it is on: added, removed, added again, removed, added is one reaction', async () => {
    // Prepare
    const message = gatewayMessage({ user: 'erin', channel: 'general' }, new Date());
    await context.gateway.dispatch(message);
    const reaction = { user: 'erin', channel: 'general', messageId: message.d.id, emoji: '🎉' };
    const before = discordToday(await statsFor(context));

    // Act
    const outcomes = [];
    for (const removed of [false, true, false, true, false]) {
      outcomes.push(await context.gateway.dispatch(gatewayReaction(reaction, removed)));
    }
    const after = discordToday(await statsFor(context));

    // Assess: every change applied in the order it arrived, even within one millisecond; one reaction in the
    // end, in one record; a replay of an older change changes nothing.
    expect(outcomes.map((result) => ('outcome' in result ? result.outcome : result.ignored))).toEqual([
      'recorded',
      'recorded',
      'recorded',
      'recorded',
      'recorded',
    ]);
    expect(after.reactions).toBe(before.reactions + 1);
    const erin = expectedMemberId('discord', sandboxUserId('erin'));
    const keys = (await context.bot.table.engagementItems())
      .map((item) => item.key?.S ?? '')
      .filter((key) => key.includes(`/${message.d.id}/${erin}/`));
    expect(keys).toEqual([
      `discord:${SANDBOX_GUILD_ID}:reaction:${message.d.channel_id}/${message.d.id}/${erin}/🎉`,
    ]);
  });

  it('records nothing for a direct message, and registers no space for it', async () => {
    // Prepare
    const dm = gatewayMessage({ user: 'bob', channel: 'dm', text: 'hi bot' }, new Date());
    const itemsBefore = (await context.bot.table.engagementItems()).length;

    // Act
    const result = await context.gateway.dispatch(dm);

    // Assess
    expect(result).toEqual({ ignored: expect.stringContaining('a direct message') });
    expect((await context.bot.table.engagementItems()).length).toBe(itemsBefore);
    expect(context.capture.recorded).toEqual([]);
    expect(await spaceOf(context, '@me')).toBeUndefined();
  });
});
