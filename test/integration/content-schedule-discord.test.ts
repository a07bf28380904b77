/**
 * `/community schedule set|show|off` through the real Discord interactions handler (Ed25519-signed
 * interactions), dynalite, the outbox worker and the fake Discord API, on one simulated clock shared by the
 * handler, the worker and the fake: a cadence the channel could not keep is refused with its reason and
 * nothing is stored; a set one posts the right topic's item at its local time, once per slot even when the
 * slot is run again; show lists it and off stops it. Walls: server `b` is a community of its own, and its
 * moderator's show, set and off there never see or touch server `a`'s schedule; a member of `a` who is not a
 * moderator is refused all three. Asserted on what the fake Discord created and what the table holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';
import { commandInteraction, discordSandbox, signedDelivery } from '../../bots/discord/sandbox.js';
import { type DiscordFakeApi, startDiscordApi } from '../../bots/discord/sandbox-api.js';
import { sandboxId } from '../../bots/discord/sandbox-cast.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { scheduledItem } from '../support/content-items.js';
import { httpEvent } from '../support/lambda.js';
import { spaceOf } from './content-discord-support.js';
import { answerOf, contentOf } from './discord-harness.js';

const START = new Date('2026-12-01T10:00:00.000Z');
const MOD = 'modsam';
const clock = simulatedClock(START);
const capture = captureDeps();
let api: DiscordFakeApi;
let bot: BotUnderTest;

beforeAll(async () => {
  api = await startDiscordApi({ clock: () => clock.millis() });
  bot = await startBotUnderTest(discordPlatform, {
    clock,
    apis: { discord: api },
    // The handler's clock is the worker's, so a slot set by a command is due when the worker's clock says so.
    deps: { now: () => clock.now(), logger: capture.deps.logger },
  });
});
afterAll(async () => {
  await bot.close();
  await api.close();
});

/** The id of a sandbox channel by name: the same in every sandbox server. */
const channelId = (name: string) => sandboxId('channel', name);

/**
 * `/community <text>` by `user` in channel `channel` of sandbox server `space`, a second on the clock after
 * the last one (a new interaction): the private answer's text, at once or as the later edit of a deferral.
 */
async function ask(space: string, user: string, text: string, channel = 'general'): Promise<string> {
  clock.advance(1000);
  const at = clock.now();
  const payload = commandInteraction({ kind: 'command', user, channel, text, space }, at);
  const { body, headers } = signedDelivery(payload, at);
  const answer = answerOf(await bot.handler(httpEvent(discordSandbox.path, body, { ...headers })));
  expect(answer.data?.flags).toBe(64);
  if (answer.type !== 5) return answer.data?.content ?? '';
  await bot.settled();
  const edits = bot.api.requests.filter(
    (request) =>
      request.method === 'PATCH' &&
      request.path.endsWith(`/${encodeURIComponent(String(payload.token))}/messages/@original`),
  );
  expect(edits).toHaveLength(1);
  return edits[0] ? contentOf(edits[0]) : '';
}

/** Paris time, a budget, quiet hours 21:00-08:00 and these topics, for the community of server `space`. */
async function prepare(space: string, budget: string, topics: readonly string[]): Promise<string> {
  await ask(space, MOD, 'settings timezone Europe/Paris');
  await ask(space, MOD, `settings channel-budget ${budget}`);
  await ask(space, MOD, 'settings quiet-hours 21:00-08:00');
  const community = (await bot.table.store.core.spaces.find(spaceOf(space)))?.communityId ?? '';
  expect(community).not.toBe('');
  for (const topic of topics) await bot.table.store.core.content.setTopic(community, topic, true);
  return community;
}

/** A live library tip of the community on one topic, written through the real repository. */
async function seedItem(community: string, id: string, topic: string): Promise<void> {
  const saved = await bot.table.store.core.content.save(
    scheduledItem(community, id, topic, START.toISOString()),
    { kind: 'new' },
  );
  expect(saved).toBe('written');
}

/** What the fake Discord created in a channel (of any server: channel ids are shared), with when. */
function postsIn(name: string): { content: string; at: number }[] {
  return (api.delivered.get(channelId(name)) ?? []).map(({ content, at }) => ({ content, at }));
}

describe('Discord: schedule set refuses what the channel could not keep', () => {
  it('names a wrong day, time or topic, the budget, the mute and the quiet hours, and stores nothing', async () => {
    // Prepare
    await prepare('a', '1 3', ['onboarding']);
    await ask('a', MOD, 'mute channel', 'muted');

    // Act
    const day = await ask('a', MOD, 'schedule set mon,funday 09:30', 'refused');
    const time = await ask('a', MOD, 'schedule set mon 9h30', 'refused');
    const topic = await ask('a', MOD, 'schedule set mon 09:30 nosuch', 'refused');
    const budget = await ask('a', MOD, 'schedule set mon,tue,wed,thu 09:30', 'refused');
    const muted = await ask('a', MOD, 'schedule set mon 09:30', 'muted');
    const quiet = await ask('a', MOD, 'schedule set mon 22:30', 'refused');

    // Assess: Discord keeps the markdown code quotes.
    expect(day).toContain('`funday` is not a day');
    expect(time).toContain('`9h30` is not a time');
    expect(topic).toMatch(/^Unknown topic `nosuch`: the library's topics are .*`onboarding`/);
    expect(budget).toBe(
      "4 a week is over this channel's budget of 3 a week (`/community settings channel-budget`).",
    );
    expect(muted).toContain('This channel is muted for the bot');
    expect(quiet).toContain("22:30 falls in the community's quiet hours (21:00-08:00, Europe/Paris)");
    const { content } = bot.table.store.core;
    expect(await content.schedule(spaceOf('a'), channelId('refused'))).toBeUndefined();
    expect(await content.schedule(spaceOf('a'), channelId('muted'))).toBeUndefined();
  });
});

describe('Discord: a scheduled channel', () => {
  it('posts one item per topic in turn at the local time through the outbox, once per slot', async () => {
    // Prepare: two topics with one item each, a budget that allows two a week.
    const community = await prepare('a', '2 8', ['onboarding', 'events']);
    await seedItem(community, 'dsch01', 'onboarding');
    await seedItem(community, 'dsch02', 'events');
    const { content } = bot.table.store.core;

    // Act 1: set on Tuesday 1 Dec 2026, 11:00 in Paris (the other tests move the clock by seconds only).
    const set = await ask('a', MOD, 'schedule set mon,thu 09:30 onboarding,events', 'content');

    // Assess 1: Thursday 3 Dec 09:30 in Paris (UTC+1) is 08:30 UTC.
    expect(set).toContain('Next slot: Thu 3 Dec, 09:30 (Europe/Paris)');
    expect(await content.schedule(spaceOf('a'), channelId('content'))).toMatchObject({
      communityId: community,
      days: ['mon', 'thu'],
      time: '09:30',
      topics: ['onboarding', 'events'],
      nextAt: '2026-12-03T08:30:00.000Z',
    });

    // Act 2: the worker's run at the slot, then the same slot again as if the first run died before moving
    // the schedule on.
    clock.set(new Date('2026-12-03T08:30:00.000Z'));
    await bot.outbox.run();
    const moved = await content.schedule(spaceOf('a'), channelId('content'));
    if (!moved) throw new Error('the schedule is gone');
    await content.saveSchedule({ ...moved, nextAt: '2026-12-03T08:30:00.000Z' });
    clock.advance(60_000);
    await bot.outbox.run();

    // Assess 2: one Create Message, at the slot, of the first topic's item; the schedule moved to Monday.
    expect(postsIn('content')).toEqual([
      { content: expect.stringContaining('**Scheduled dsch01**'), at: Date.parse('2026-12-03T08:30:00Z') },
    ]);
    const posts = await content.posts(spaceOf('a'), channelId('content'), START, 10);
    expect(posts.map((post) => [post.slotAt, post.itemId])).toEqual([['2026-12-03T08:30:00.000Z', 'dsch01']]);
    expect((await content.schedule(spaceOf('a'), channelId('content')))?.nextAt).toBe(
      '2026-12-07T08:30:00.000Z',
    );

    // Act 3: Monday 7 Dec, 09:30 in Paris.
    clock.set(new Date('2026-12-07T08:30:00.000Z'));
    await bot.outbox.run();

    // Assess 3: the other topic's item, at its slot.
    expect(postsIn('content')).toEqual([
      { content: expect.stringContaining('**Scheduled dsch01**'), at: Date.parse('2026-12-03T08:30:00Z') },
      { content: expect.stringContaining('**Scheduled dsch02**'), at: Date.parse('2026-12-07T08:30:00Z') },
    ]);
    expect((await content.schedule(spaceOf('a'), channelId('content')))?.nextAt).toBe(
      '2026-12-10T08:30:00.000Z',
    );
  });

  it('shows the schedule to a moderator, and turns off', async () => {
    // Prepare
    await prepare('a', '2 8', ['onboarding']);
    const set = await ask('a', MOD, 'schedule set mon 10:00 onboarding', 'shown');

    // Act
    const shown = await ask('a', MOD, 'schedule show');
    const off = await ask('a', MOD, 'schedule off', 'shown');
    const offAgain = await ask('a', MOD, 'schedule off', 'shown');
    const shownAfter = await ask('a', MOD, 'schedule show');

    // Assess
    expect(set).toContain('Scheduled: a library item here mon at 10:00 (Europe/Paris), topics `onboarding`.');
    expect(shown).toContain(
      `- channel \`${channelId('shown')}\`: mon at 10:00 (Europe/Paris), topics \`onboarding\` · pace full`,
    );
    expect(off).toBe('Scheduled posts in this channel are off.');
    expect(offAgain).toBe('This channel has no scheduled posts.');
    expect(shownAfter).not.toContain(channelId('shown'));
    expect(await bot.table.store.core.content.schedule(spaceOf('a'), channelId('shown'))).toBeUndefined();
  });
});

describe('Discord: the walls around a schedule', () => {
  it("keeps server a's schedule from server b's moderator and from a's members", async () => {
    // Prepare: server a schedules its channel `walled`; server b (a community of its own, moderated by the
    // same cast) has a channel of the same id.
    const community = await prepare('a', '2 8', ['rituals']);
    await prepare('b', '2 8', ['rituals']);
    await ask('a', MOD, 'schedule set tue 11:00 rituals', 'walled');
    const before = await bot.table.store.core.content.schedule(spaceOf('a'), channelId('walled'));
    expect(before).toMatchObject({ communityId: community, days: ['tue'], time: '11:00' });

    // Act 1: b's moderator, in b.
    const shownInB = await ask('b', MOD, 'schedule show');
    const offInB = await ask('b', MOD, 'schedule off', 'walled');
    const setInB = await ask('b', MOD, 'schedule set fri 12:00', 'walled');
    const shownInBAfter = await ask('b', MOD, 'schedule show');
    const offInBAgain = await ask('b', MOD, 'schedule off', 'walled');

    // Assess 1: b saw nothing of a's, and its own set and off were its own.
    const { content } = bot.table.store.core;
    expect((await bot.table.store.core.spaces.find(spaceOf('b')))?.communityId).not.toBe(community);
    expect(shownInB).toContain('No channel here has scheduled posts.');
    expect(offInB).toBe('This channel has no scheduled posts.');
    expect(setInB).toContain('Scheduled: a library item here fri at 12:00');
    expect(shownInBAfter).toContain('fri at 12:00');
    expect(shownInBAfter).not.toContain('tue at 11:00');
    expect(offInBAgain).toBe('Scheduled posts in this channel are off.');
    expect(await content.schedule(spaceOf('b'), channelId('walled'))).toBeUndefined();
    expect(await content.schedule(spaceOf('a'), channelId('walled'))).toEqual(before);

    // Act 2: a member of a who is not a moderator.
    const shownByMember = await ask('a', 'bob', 'schedule show');
    const offByMember = await ask('a', 'bob', 'schedule off', 'walled');
    const setByMember = await ask('a', 'bob', 'schedule set mon 10:00', 'bobs');

    // Assess 2: refused with the rule, nothing changed or stored.
    for (const refused of [shownByMember, offByMember, setByMember]) {
      expect(refused).toMatch(/^Sorry, `\/community schedule (show|off|set)` is for moderators only/);
      expect(refused).not.toContain('tue at 11:00');
    }
    expect(await content.schedule(spaceOf('a'), channelId('walled'))).toEqual(before);
    expect(await content.schedule(spaceOf('a'), channelId('bobs'))).toBeUndefined();

    // Act 3, Assess 3: a's moderator still turns it off.
    expect(await ask('a', MOD, 'schedule off', 'walled')).toBe('Scheduled posts in this channel are off.');
    expect(await content.schedule(spaceOf('a'), channelId('walled'))).toBeUndefined();
  });
});
