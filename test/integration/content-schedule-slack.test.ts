/**
 * `/community schedule set|show|off` through the real Slack handler, and the scheduled posts the outbox
 * worker's runs make of it, on one simulated clock shared by the handler, the worker and the fake Slack:
 * a cadence the channel could not keep is refused with its reason; a set one posts at its local time,
 * rotating topics; a slot run again after a crash half-way posts once; members' reactions to a post settle
 * into its feedback at the next posting slot; a library run dry skips the slot and tells the community's
 * moderators; re-setting keeps the pace feedback set; a due digest goes once. Asserted on what the fake
 * Slack received and what the table holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, startFakeSlack } from '../../bots/slack/sandbox.js';
import type { FakeSlack } from '../../bots/slack/sandbox-outbox.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import type { ContentItem } from '../../shared/core/content/model.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { scheduledItem } from '../support/content-items.js';
import {
  ackBody,
  command,
  dmsTo,
  field,
  fixture,
  JSON_TYPE,
  received,
  signed,
  TEAM,
} from './slack-deliveries.js';

const START = new Date('2026-12-01T10:00:00.000Z');
const MODERATOR = 'UMODSAM';
const SPACE = { platform: 'slack' as const, id: TEAM };
const clock = simulatedClock(START);
const capture = captureDeps();
let api: FakeSlack;
let bot: BotUnderTest;

beforeAll(async () => {
  api = await startFakeSlack({ clock: () => clock.millis() });
  bot = await startBotUnderTest(slackPlatform, {
    clock,
    apis: { slack: api },
    deps: { now: () => clock.now(), logger: capture.deps.logger },
    // The worker writes to moderators privately: it needs the member key, as the bots do.
    env: { MEMBER_KEY: LOCAL_MEMBER_KEY },
  });
});
afterAll(async () => {
  await bot.close();
  await api.close();
});

/** `/community <text>` by `user` in `channel`, at the clock's time: every answer's text. */
async function ask(text: string, channel: string, user = MODERATOR): Promise<string> {
  const delivery = command(text, { user, channel, at: clock.now() });
  const ack = ackBody(await bot.handler(delivery.event));
  await bot.settled();
  const later = received(api, delivery.hookPath).map((request) => field(request, 'text') ?? '');
  return [String(ack?.text ?? ''), ...later].filter(Boolean).join('\n');
}

async function communityId(): Promise<string> {
  await ask('settings show', 'CGENERAL');
  return (await bot.table.store.core.spaces.find(SPACE))?.communityId ?? '';
}

function libraryItem(community: string, id: string, topic: string): ContentItem {
  return scheduledItem(community, id, topic, START.toISOString());
}

/** `user` reacts to a message, as Slack's documented reaction_added event, at the clock's time. */
async function react(user: string, channel: string, ts: string): Promise<void> {
  const payload = fixture('event-reaction-added.json');
  const seconds = clock.millis() / 1000;
  const body = {
    ...payload,
    team_id: TEAM,
    authorizations: [{ team_id: TEAM, user_id: user, is_bot: false, is_enterprise_install: false }],
    event: { ...payload.event, user, item: { type: 'message', channel, ts }, event_ts: `${seconds}.000100` },
    event_id: `EvREACT${user}${ts.replace('.', '')}`,
    event_time: seconds,
  };
  expect(await bot.handler(signed(JSON.stringify(body), JSON_TYPE, {}, clock.now()))).toMatchObject({
    statusCode: 200,
  });
  await bot.settled();
}

/** `user` answers the bot's post in its thread, as Slack's documented message event, at the clock's time. */
async function replyInThread(user: string, channel: string, threadTs: string): Promise<void> {
  const payload = fixture('event-thread-reply.json');
  const seconds = clock.millis() / 1000;
  const ts = `${seconds}.000200`;
  const body = {
    ...payload,
    team_id: TEAM,
    authorizations: [
      { team_id: TEAM, user_id: SLACK_SANDBOX.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    event: {
      ...payload.event,
      channel,
      user,
      ts,
      thread_ts: threadTs,
      parent_user_id: SLACK_SANDBOX.botUserId,
      event_ts: ts,
    },
    event_id: `EvREPLY${user}${threadTs.replace('.', '')}`,
    event_time: seconds,
  };
  expect(await bot.handler(signed(JSON.stringify(body), JSON_TYPE, {}, clock.now()))).toMatchObject({
    statusCode: 200,
  });
  await bot.settled();
}

/** Texts the fake Slack delivered in a channel, with when (its `ts` is the shared clock's second). */
function postsIn(channel: string): { text: string; at: number }[] {
  return api.delivered
    .filter((message) => message.channel === channel)
    .map((message) => ({ text: message.text, at: Number(message.ts.split('.')[0]) * 1000 }));
}

describe('Slack: schedule set refuses what the channel could not keep', () => {
  it('names a wrong day, time or topic, the budget, the mute and the quiet hours', async () => {
    // Prepare
    const community = await communityId();
    await bot.table.store.core.content.setTopic(community, 'onboarding', true);
    await ask('settings timezone Europe/Paris', 'CGENERAL');
    await ask('settings channel-budget 1 3', 'CGENERAL');
    await ask('settings quiet-hours 21:00-08:00', 'CGENERAL');
    await ask('mute channel', 'CMUTED');

    // Act
    const day = await ask('schedule set mon,funday 09:30', 'CREFUSED');
    const time = await ask('schedule set mon 9h30', 'CREFUSED');
    const topic = await ask('schedule set mon 09:30 nosuch', 'CREFUSED');
    const budget = await ask('schedule set mon,tue,wed,thu 09:30', 'CREFUSED');
    const muted = await ask('schedule set mon 09:30', 'CMUTED');
    const quiet = await ask('schedule set mon 22:30', 'CREFUSED');

    // Assess
    // Slack's plain-text fallback drops the code quotes.
    expect(day).toContain('funday is not a day');
    expect(time).toContain('9h30 is not a time');
    expect(topic).toMatch(/^Unknown topic nosuch: the library's topics are .*onboarding/);
    expect(budget).toBe(
      "4 a week is over this channel's budget of 3 a week (/community settings channel-budget).",
    );
    expect(muted).toContain('This channel is muted for the bot');
    expect(quiet).toContain("22:30 falls in the community's quiet hours (21:00-08:00, Europe/Paris)");
    const { content } = bot.table.store.core;
    expect(await content.schedule(SPACE, 'CREFUSED')).toBeUndefined();
    expect(await content.schedule(SPACE, 'CMUTED')).toBeUndefined();
  });
});

describe('Slack: a scheduled channel', () => {
  it('posts at the local time in topic rotation, once per slot, then runs dry and tells moderators', async () => {
    // Prepare: Paris time, a budget that allows two a week, two topics with one item each.
    const community = await communityId();
    const { content, communities } = bot.table.store.core;
    await ask('settings timezone Europe/Paris', 'CGENERAL');
    await ask('settings channel-budget 2 8', 'CGENERAL');
    await ask('settings quiet-hours 21:00-08:00', 'CGENERAL');
    for (const topic of ['onboarding', 'events']) await content.setTopic(community, topic, true);
    await content.save(libraryItem(community, 'sched1', 'onboarding'), { kind: 'new' });
    await content.save(libraryItem(community, 'sched2', 'events'), { kind: 'new' });
    await communities.addModerator(community, { platform: 'slack', id: MODERATOR });

    // Act 1: set on Tuesday 1 Dec 2026, 11:00 in Paris.
    const set = await ask('schedule set mon,thu 09:30 onboarding,events', 'CCONTENT');

    // Assess 1: Thursday 3 Dec 09:30 in Paris (UTC+1) is 08:30 UTC.
    expect(set).toContain('Next slot: Thu 3 Dec, 09:30 (Europe/Paris)');
    expect(await content.schedule(SPACE, 'CCONTENT')).toMatchObject({
      days: ['mon', 'thu'],
      time: '09:30',
      topics: ['onboarding', 'events'],
      pace: 1,
      credit: 0,
      nextAt: '2026-12-03T08:30:00.000Z',
    });

    // Act 2: the worker's run at the slot, then the same slot run again as if the first run died before
    // moving the schedule on.
    clock.set(new Date('2026-12-03T08:30:00.000Z'));
    await bot.outbox.run();
    const moved = await content.schedule(SPACE, 'CCONTENT');
    if (!moved) throw new Error('the schedule is gone');
    await content.saveSchedule({ ...moved, nextAt: '2026-12-03T08:30:00.000Z' });
    clock.advance(60_000);
    await bot.outbox.run();

    // Assess 2: one post, at the slot, of the first topic's item; the schedule moved to Monday 7 Dec.
    expect(postsIn('CCONTENT')).toEqual([
      { text: expect.stringContaining('Scheduled sched1'), at: Date.parse('2026-12-03T08:30:00Z') },
    ]);
    const thursday = await content.posts(SPACE, 'CCONTENT', START, 10);
    expect(thursday.map((post) => [post.slotAt, post.itemId])).toEqual([
      ['2026-12-03T08:30:00.000Z', 'sched1'],
    ]);
    expect((await content.schedule(SPACE, 'CCONTENT'))?.nextAt).toBe('2026-12-07T08:30:00.000Z');

    // Act 3: two members react to Thursday's post and one answers it in its thread (the next day); Monday's
    // slot (the other topic) settles its feedback.
    clock.set(new Date('2026-12-03T12:00:00.000Z'));
    const [thursdayPost] = api.delivered.filter((message) => message.channel === 'CCONTENT');
    for (const user of ['UREACT1', 'UREACT2']) await react(user, 'CCONTENT', thursdayPost?.ts ?? '');
    clock.set(new Date('2026-12-04T09:00:00.000Z'));
    await replyInThread('UREPLY1', 'CCONTENT', thursdayPost?.ts ?? '');
    clock.set(new Date('2026-12-07T08:30:00.000Z'));
    await bot.outbox.run();
    const [, settled] = await content.posts(SPACE, 'CCONTENT', START, 10);
    expect(settled).toMatchObject({
      slotAt: '2026-12-03T08:30:00.000Z',
      settled: true,
      reactions: 2,
      replies: 1,
    });
    // The three who reacted or answered count for the item's rating.
    expect((await content.get(community, 'sched1'))?.counts).toMatchObject({ engaged: 3 });

    // Act 4: Thursday's slot, when both items were posted within 90 days.
    clock.set(new Date('2026-12-10T08:30:00.000Z'));
    await bot.outbox.run();

    // Assess 4
    expect(postsIn('CCONTENT').map((post) => post.text)).toEqual([
      expect.stringContaining('Scheduled sched1'),
      expect.stringContaining('Scheduled sched2'),
    ]);
    expect(await content.schedule(SPACE, 'CCONTENT')).toMatchObject({
      starvedSlots: 1,
      starvedNoticeAt: '2026-12-10T08:30:00.000Z',
      nextAt: '2026-12-14T08:30:00.000Z',
    });
    expect(dmsTo(api, MODERATOR).map((request) => field(request, 'text'))).toEqual([
      expect.stringContaining('The library needs more for channel'),
    ]);
  });

  it('shows the schedules, keeps the pace when re-set, and turns off', async () => {
    // Prepare: a channel whose feedback halved its pace.
    const community = await communityId();
    const { content } = bot.table.store.core;
    await ask('settings timezone Europe/Paris', 'CGENERAL');
    await ask('settings channel-budget 2 8', 'CGENERAL');
    await ask('settings quiet-hours 21:00-08:00', 'CGENERAL');
    await content.setTopic(community, 'onboarding', true);
    await ask('schedule set mon 10:00', 'CPACED');
    const set = await content.schedule(SPACE, 'CPACED');
    if (!set) throw new Error('not scheduled');
    await content.saveSchedule({ ...set, pace: 0.5, postsSincePaceChange: 2 });

    // Act
    const again = await ask('schedule set weekdays 10:15 onboarding', 'CPACED');
    const shown = await ask('schedule show', 'CGENERAL');
    const off = await ask('schedule off', 'CPACED');
    const offAgain = await ask('schedule off', 'CPACED');

    // Assess
    expect(again).toContain('The pace stays at 1 in 2 slots');
    expect(shown).toContain(
      'channel CPACED: weekdays at 10:15 (Europe/Paris), topics onboarding · pace 1 in 2 slots',
    );
    expect(off).toBe('Scheduled posts in this channel are off.');
    expect(offAgain).toBe('This channel has no scheduled posts.');
    expect(await content.schedule(SPACE, 'CPACED')).toBeUndefined();
  });
});

describe('Slack: the weekly digest', () => {
  it("sends a due subscriber the week's new items privately, once, and drops one who opted out", async () => {
    // Prepare: a new item of yesterday, two subscribers due now, one of whom opts out.
    const community = await communityId();
    const { content } = bot.table.store.core;
    await ask('settings quiet-hours off', 'CGENERAL');
    const fresh = {
      ...libraryItem(community, 'digst1', 'news'),
      title: 'Fresh in the library',
      createdAt: new Date(clock.millis() - 24 * 60 * 60 * 1000).toISOString(),
    };
    await content.save(fresh, { kind: 'new' });
    const due = clock.now().toISOString();
    for (const user of ['UDIGEST', 'UDIGOUT']) {
      await content.saveDigest({
        communityId: community,
        person: `person-${user}`,
        space: SPACE,
        member: { platform: 'slack', id: user },
        since: due,
        nextAt: due,
      });
    }
    await ask('me optout', 'CGENERAL', 'UDIGOUT');

    // Act: two runs at the same time (the second finds nothing due).
    clock.advance(60_000);
    await bot.outbox.run();
    await bot.outbox.run();

    // Assess
    const digests = dmsTo(api, 'UDIGEST').map((request) => field(request, 'text') ?? '');
    expect(digests).toEqual([expect.stringContaining('Fresh in the library')]);
    expect(
      dmsTo(api, 'UDIGOUT').filter((request) => (field(request, 'text') ?? '').includes('digest')),
    ).toEqual([]);
    expect(await content.digest(community, 'person-UDIGOUT')).toBeUndefined();
    expect((await content.digest(community, 'person-UDIGEST'))?.nextAt).toBe(
      new Date(Date.parse(due) + 7 * 24 * 60 * 60 * 1000).toISOString(),
    );
  });
});
