/**
 * 180 simulated days of scheduled library posts in 20 channels (10 Telegram groups, each its own community,
 * half in Europe/Paris and half in America/New_York; 10 channels of one Slack workspace in Europe/Paris),
 * through the real handlers (moderators set the cadences by command), the real outbox worker Lambda handler
 * (which runs the scheduler before each drain) and the fake Telegram and Slack APIs, all on one injected
 * clock, run hourly. Quiet hours 21:00-08:00 are on; one community has a tighter channel budget. Each library
 * has 64 items over 4 topics, 10 of them promotional; one Slack channel posts from a 3-item topic and runs dry.
 *
 * Scripted feedback (written through the content store's post counters, the port the vote and mute handlers
 * use): in four channels every post of weeks 3 to 8 gets two "not for me" and a mute, then three "helpful";
 * every other post gets one "helpful".
 *
 * Asserted from what the fake APIs delivered and when: never over a channel budget in any 24 hours or 7 days,
 * nothing in local quiet hours, no item twice in a channel within 90 days, at most 1 promotional in any 5
 * consecutive posts; from the schedules: the pace halves where the feedback said so and only there, and
 * recovers; the dry channel skips slots and its moderator is told, at most weekly.
 */
import { TZDate } from '@date-fns/tz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { startFakeSlack } from '../../bots/slack/sandbox.js';
import type { FakeSlack } from '../../bots/slack/sandbox-outbox.js';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import type { ChannelPost, ContentItem } from '../../shared/core/content/model.js';
import type { Space } from '../../shared/core/events.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { command, dmsTo, field, TEAM } from './slack-deliveries.js';
import { communityHarness, type Group } from './telegram-harness.js';

const DAYS = 180;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// A Monday: week n of the run is days 7(n-1) to 7n-1.
const START = new Date('2027-01-04T00:00:00Z');
const TOPICS = ['onboarding', 'events', 'moderation', 'growth'];
const TG_MODERATOR = 'modann';
const SLACK_MODERATOR = 'UMODSAM';
/** Weeks 3 to 8: bad feedback in the scripted channels. */
const BAD_FROM = 14 * DAY;
const BAD_UNTIL = 56 * DAY;

interface Channel {
  readonly name: string;
  readonly platform: 'telegram' | 'slack';
  readonly zone: string;
  readonly days: string;
  readonly time: string;
  readonly topics: string;
  /** Scripted to dislike weeks 3 to 8. */
  readonly unhappy: boolean;
  /** The community's channel budget, per day and per week. */
  readonly budget: readonly [number, number];
  space: Space;
  channelId: string;
  communityId: string;
}

function channel(
  name: string,
  platform: Channel['platform'],
  zone: string,
  cadence: { days: string; time: string; topics?: string; unhappy?: boolean; budget?: [number, number] },
): Channel {
  return {
    name,
    platform,
    zone,
    days: cadence.days,
    time: cadence.time,
    topics: cadence.topics ?? '',
    unhappy: cadence.unhappy ?? false,
    budget: cadence.budget ?? [2, 8],
    space: { platform, id: '' },
    channelId: '',
    communityId: '',
  };
}

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';
const channels: Channel[] = [
  channel('sim-tg-0', 'telegram', PARIS, { days: 'mon,wed,fri', time: '09:00', unhappy: true }),
  channel('sim-tg-1', 'telegram', NEW_YORK, { days: 'tue,thu', time: '12:30' }),
  channel('sim-tg-2', 'telegram', PARIS, { days: 'weekends', time: '10:00', topics: 'events,growth' }),
  channel('sim-tg-3', 'telegram', NEW_YORK, { days: 'mon,tue,thu,fri', time: '17:00', unhappy: true }),
  channel('sim-tg-4', 'telegram', PARIS, { days: 'mon,thu', time: '20:30' }),
  channel('sim-tg-5', 'telegram', NEW_YORK, {
    days: 'wed,sat',
    time: '08:00',
    topics: 'onboarding,moderation',
  }),
  channel('sim-tg-6', 'telegram', PARIS, { days: 'tue,wed,thu', time: '14:00', budget: [1, 3] }),
  channel('sim-tg-7', 'telegram', NEW_YORK, { days: 'mon,fri', time: '19:00' }),
  channel('sim-tg-8', 'telegram', PARIS, { days: 'mon,tue,wed,thu', time: '11:00' }),
  channel('sim-tg-9', 'telegram', NEW_YORK, { days: 'sun,wed', time: '16:00', topics: 'growth,events' }),
  channel('CSIM00', 'slack', PARIS, { days: 'mon,wed,fri', time: '10:00', unhappy: true }),
  channel('CSIM01', 'slack', PARIS, { days: 'tue,thu', time: '09:30' }),
  channel('CSIM02', 'slack', PARIS, { days: 'mon,thu,sat', time: '15:00', unhappy: true }),
  channel('CSIM03', 'slack', PARIS, { days: 'wed,fri', time: '18:00', topics: 'moderation,onboarding' }),
  channel('CSIM04', 'slack', PARIS, { days: 'tue,fri', time: '13:00' }),
  channel('CSIM05', 'slack', PARIS, { days: 'mon,tue,thu,fri', time: '08:30' }),
  channel('CSIM06', 'slack', PARIS, { days: 'sat,sun', time: '11:00' }),
  channel('CSIM07', 'slack', PARIS, { days: 'mon,wed', time: '16:30', topics: 'events,onboarding' }),
  channel('CSIM08', 'slack', PARIS, { days: 'thu,sun', time: '12:00' }),
  channel('CSIM09', 'slack', PARIS, { days: 'mon,wed,fri', time: '10:30', topics: 'tiny' }),
];
const DRY = channels.find((one) => one.topics === 'tiny') as Channel;

const clock = simulatedClock(new Date(START.getTime() - DAY));
const capture = captureDeps();
let table: TestTable;
let telegramApi: FakeBotApi;
let slackApi: FakeSlack;
let telegram: BotUnderTest;
let slack: BotUnderTest;
/** Each channel's pace, read every simulated day. */
const paces = new Map<Channel, number[]>();
/** How long the simulation took, for the report. */
let tookMs = 0;

const { answerTo, chatOf, spaceOf } = communityHarness(() => telegram);

function groupOf(one: Channel): Group {
  return { space: 'a', channel: one.name };
}

async function slackCommand(text: string, channelId: string): Promise<void> {
  const delivery = command(text, { user: SLACK_MODERATOR, channel: channelId, at: clock.now() });
  await slack.handler(delivery.event);
  await slack.settled();
}

/** `/community <text>` by the channel's moderator in the channel. */
async function moderatorSays(one: Channel, text: string): Promise<void> {
  if (one.platform === 'telegram') await answerTo(TG_MODERATOR, groupOf(one), `/community ${text}`);
  else await slackCommand(text, one.name);
}

function libraryItem(communityId: string, index: number): ContentItem {
  const promotional = index % 6 === 5 && index < 60;
  const at = new Date(START.getTime() - 30 * DAY + index * HOUR).toISOString();
  return {
    communityId,
    id: `it${String(index).padStart(4, '0')}`,
    title: `Library item ${index}${promotional ? ' (offer)' : ''}`,
    body: `Something useful, number ${index}.`,
    topics: index >= 64 ? ['tiny'] : [TOPICS[index % TOPICS.length] as string],
    kind: 'tip',
    author: { kind: 'import' },
    language: 'en',
    promotional,
    status: 'live',
    createdAt: at,
    updatedAt: at,
    counts: { shown: 0, helpful: 0, notForMe: 0, shared: 0, engaged: 0 },
  };
}

async function stockLibrary(communityId: string, extra: number): Promise<void> {
  const { content } = telegram.table.store.core;
  for (const topic of [...TOPICS, 'tiny']) await content.setTopic(communityId, topic, true);
  for (let index = 0; index < 64 + extra; index += 1) {
    await content.save(libraryItem(communityId, index), { kind: 'new' });
  }
}

async function setUp(): Promise<void> {
  const { spaces, communities } = telegram.table.store.core;
  for (const one of channels) {
    await moderatorSays(one, 'settings show');
    one.space = one.platform === 'telegram' ? spaceOf(groupOf(one)) : { platform: 'slack', id: TEAM };
    one.channelId = one.platform === 'telegram' ? String(chatOf(groupOf(one))) : one.name;
    one.communityId = (await spaces.find(one.space))?.communityId ?? '';
  }
  const slackCommunity = DRY.communityId;
  await stockLibrary(slackCommunity, 3);
  await communities.addModerator(slackCommunity, { platform: 'slack', id: SLACK_MODERATOR });
  await slackCommand(`settings timezone ${PARIS}`, 'CGENERAL');
  for (const one of channels.filter((each) => each.platform === 'telegram')) {
    await stockLibrary(one.communityId, 0);
    await moderatorSays(one, `settings timezone ${one.zone}`);
    await moderatorSays(one, `settings channel-budget ${one.budget[0]} ${one.budget[1]}`);
  }
  for (const one of channels) {
    await moderatorSays(one, `schedule set ${one.days} ${one.time} ${one.topics}`.trim());
  }
}

/** Runs the worker (and with it the scheduler) at the clock's time, until its lease was had. */
async function runWorker(): Promise<void> {
  await Promise.all([telegram.settled(), slack.settled()]);
  while (!(await slack.outbox.run()).leased) await Promise.all([telegram.settled(), slack.settled()]);
}

/** When the worker next has something to do: the earliest slot or waiting message. */
async function nextWorkAt(): Promise<number> {
  const { content, outbox } = slack.table.store.core;
  const [message, [schedule]] = await Promise.all([
    outbox.nextDue(),
    content.dueSchedules(new Date(START.getTime() + 2 * DAYS * DAY), 1),
  ]);
  return Math.min(
    message?.getTime() ?? Number.POSITIVE_INFINITY,
    Date.parse(schedule?.nextAt ?? '9999-01-01'),
  );
}

/** Feedback on the posts of the last two days (members take their time), as the week says. */
async function feedBack(): Promise<void> {
  const { content } = slack.table.store.core;
  for (const one of channels) {
    const since = new Date(clock.millis() - 2 * DAY + 1);
    const posts = await content.posts(one.space, one.channelId, since, 5);
    for (const post of posts) await react(one, post);
  }
}

async function react(one: Channel, post: ChannelPost): Promise<void> {
  const { content } = slack.table.store.core;
  const age = Date.parse(post.slotAt) - START.getTime();
  if (!one.unhappy || age < BAD_FROM) return content.countPost(post, 'helpful', 1);
  if (age < BAD_UNTIL) {
    await content.countPost(post, 'notForMe', 2);
    return content.countPost(post, 'mutes', 1);
  }
  return content.countPost(post, 'helpful', 3);
}

async function notePaces(): Promise<void> {
  const { content } = slack.table.store.core;
  const spaces = new Map(channels.map((one) => [`${one.space.platform}:${one.space.id}`, one.space]));
  const schedules = (await Promise.all([...spaces.values()].map((space) => content.schedules(space)))).flat();
  for (const one of channels) {
    const found = schedules.find((schedule) => schedule.channelId === one.channelId);
    paces.set(one, [...(paces.get(one) ?? []), found?.pace ?? Number.NaN]);
  }
}

beforeAll(async () => {
  const started = Date.now();
  table = await startTestTable();
  telegramApi = await startFakeBotApi({ clock: () => clock.millis() });
  slackApi = await startFakeSlack({ clock: () => clock.millis() });
  const options = {
    table,
    clock,
    apis: { telegram: telegramApi, slack: slackApi },
    deps: { now: () => clock.now(), logger: capture.deps.logger },
    env: { DEFAULT_QUIET_HOURS: '21:00-08:00', MEMBER_KEY: LOCAL_MEMBER_KEY },
  };
  telegram = await startBotUnderTest(telegramPlatform, options);
  slack = await startBotUnderTest(slackPlatform, options);
  await setUp();
  let workAt = START.getTime();
  for (let hour = 0; hour < (DAYS + 1) * 24; hour += 1) {
    clock.set(new Date(START.getTime() + hour * HOUR));
    // Only the worker's runs make work (slots move on, messages wait): between them nothing need be asked.
    if (clock.millis() >= workAt) {
      await runWorker();
      workAt = await nextWorkAt();
    }
    if (hour % 48 === 47) await feedBack();
    if (hour % 24 === 23) await notePaces();
  }
  tookMs = Date.now() - started;
}, 600_000);

afterAll(async () => {
  await telegram?.close();
  await slack?.close();
  await telegramApi?.close();
  await slackApi?.close();
  await table?.close();
});

interface Delivered {
  readonly text: string;
  readonly at: number;
}

/** The library posts a channel received, oldest first. */
function postsIn(one: Channel): Delivered[] {
  const all: Delivered[] =
    one.platform === 'telegram'
      ? [...(telegramApi.delivered.get(Number(one.channelId)) ?? [])]
      : slackApi.delivered
          .filter((message) => message.channel === one.channelId)
          .map((message) => ({ text: message.text, at: Number(message.ts.split('.')[0]) * 1000 }));
  return all.filter((message) => message.text.includes('Library item')).sort((a, b) => a.at - b.at);
}

function itemOf(post: Delivered): number {
  return Number(/Library item (\d+)/.exec(post.text)?.[1] ?? -1);
}

function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (const first of times) {
    most = Math.max(most, times.filter((time) => time >= first && time < first + windowMs).length);
  }
  return most;
}

describe('180 simulated days of scheduled posts in 20 channels', () => {
  it('reports how long the simulation took', () => {
    console.log(
      `content-180-days: ${Math.round(tookMs / 1000)} s for ${DAYS} days, ${channels.length} channels`,
    );
    expect(tookMs).toBeGreaterThan(0);
  });

  it('posts in every channel and keeps each within its budget in any 24 hours and 7 days', () => {
    for (const one of channels) {
      const times = postsIn(one).map((post) => post.at);
      expect(times.length, one.name).toBeGreaterThan(one === DRY ? 2 : 20);
      expect(mostInAnyWindow(times, DAY), one.name).toBeLessThanOrEqual(one.budget[0]);
      expect(mostInAnyWindow(times, WEEK), one.name).toBeLessThanOrEqual(one.budget[1]);
    }
  });

  it('posts nothing in local quiet hours (21:00-08:00)', () => {
    let held = 0;
    for (const one of channels) {
      for (const post of postsIn(one)) {
        const local = new TZDate(post.at, one.zone);
        const hour = local.getHours();
        expect(hour >= 21 || hour < 8, `${one.name} ${new Date(post.at).toISOString()}`).toBe(false);
        // The 20:30 slot is handled at 21:00 by the hourly run: held until the morning.
        if (one.time === '20:30' && hour === 8) held += 1;
      }
    }
    expect(held).toBeGreaterThan(10);
  });

  it('never posts an item twice in a channel within 90 days', () => {
    for (const one of channels) {
      const lastAt = new Map<number, number>();
      for (const post of postsIn(one)) {
        const item = itemOf(post);
        const before = lastAt.get(item);
        if (before !== undefined)
          expect(post.at - before, `${one.name} item ${item}`).toBeGreaterThan(90 * DAY);
        lastAt.set(item, post.at);
      }
    }
  });

  it('posts at most 1 promotional item in any 5 consecutive posts of a channel', () => {
    let promotional = 0;
    for (const one of channels) {
      const flags = postsIn(one).map((post) => post.text.includes('(offer)'));
      promotional += flags.filter(Boolean).length;
      for (let start = 0; start + 5 <= flags.length; start += 1) {
        expect(flags.slice(start, start + 5).filter(Boolean).length, one.name).toBeLessThanOrEqual(1);
      }
    }
    expect(promotional).toBeGreaterThan(20);
  });

  it('halves the pace where feedback turned bad, only there, and recovers it', () => {
    for (const one of channels) {
      const daily = paces.get(one) ?? [];
      expect(daily).toHaveLength(DAYS + 1);
      if (!one.unhappy) {
        expect(new Set(daily), one.name).toEqual(new Set([1]));
        continue;
      }
      const lowest = Math.min(...daily);
      const lowestDay = daily.indexOf(lowest);
      expect(daily.slice(0, 14), one.name).toEqual(Array(14).fill(1));
      expect(lowest, one.name).toBeLessThanOrEqual(0.25);
      expect(lowestDay, one.name).toBeGreaterThan(14);
      // Recovery is slow on purpose (half again, after five posts at the lowered pace), but it comes.
      expect(daily.at(-1), one.name).toBeGreaterThan(lowest);
    }
  });

  it('posts less where the pace fell: fewer posts in weeks 9-12 than in weeks 1-2 twice over', () => {
    for (const one of channels.filter((each) => each.unhappy)) {
      const at = postsIn(one).map((post) => post.at - START.getTime());
      const early = at.filter((time) => time < 14 * DAY).length;
      const low = at.filter((time) => time >= 56 * DAY && time < 84 * DAY).length;
      expect(low, one.name).toBeLessThan(early * 2);
    }
  });

  it('skips the slots of a channel whose library ran dry and tells its moderator, at most weekly', async () => {
    const schedule = await slack.table.store.core.content.schedule(DRY.space, DRY.channelId);
    const told = dmsTo(slackApi, SLACK_MODERATOR)
      .map((request) => field(request, 'text') ?? '')
      .filter((text) => text.includes('The library needs more for channel'));
    expect(postsIn(DRY).map(itemOf).slice(0, 3).sort()).toEqual([64, 65, 66]);
    expect(schedule?.starvedSlots).toBeGreaterThan(20);
    // Three slots a week over 25 weeks, the 3 items coming back after 90 days: told once a week at most.
    expect(told.length).toBeGreaterThan(5);
    expect(told.length).toBeLessThanOrEqual(Math.ceil(DAYS / 7));
  });
});
