/**
 * Ninety simulated days of welcomes and announcements in two Telegram groups (Paris and New York), through
 * the real webhook, the real worker and the fake Bot API, all on one injected clock, with the default
 * attention budget: members join at any hour (some can be written to, some are greeted in the group),
 * moderators announce at any hour, a reminder for an evening event is queued every third day, and every
 * week one member opts out and one mutes the bot while their welcome waits for the morning.
 *
 * Asserted from what the fake delivered and when: no channel over its budget in any 24 hours or 7 days,
 * nothing unasked in local quiet hours, at most one unasked private message per member a week, nothing to a
 * member after they opted out or muted, and every reminder either on time or expired.
 */
import { TZDate } from '@date-fns/tz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { createTelegramOutboxTransport } from '../../bots/telegram/outbox.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { markSandboxStarted, sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import { SPACE_NOTICE } from '../../shared/core/communities/spaces.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import type { OutboxMessage } from '../../shared/core/outbox/model.js';
import { createOutbox } from '../../shared/core/outbox/outbox.js';
import { createOutboxWorker, type OutboxWorker } from '../../shared/core/outbox/worker.js';
import { seededRandom } from '../../shared/platform/fake-limits.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { communityHarness, type Group, telegramHarness } from './telegram-harness.js';

const DAYS = 90;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const START = new Date('2026-12-01T00:00:00Z');
const WELCOME = 'Welcome aboard: the pinned message has the rules.';
const MODERATOR = 'modann';

interface Place {
  readonly group: Group;
  readonly zone: string;
  chatId: number;
  communityId: string;
}

const places: Place[] = [
  { group: { space: 'a', channel: 'sim-paris' }, zone: 'Europe/Paris', chatId: 0, communityId: '' },
  { group: { space: 'a', channel: 'sim-newyork' }, zone: 'America/New_York', chatId: 0, communityId: '' },
];

const clock = simulatedClock(START);
const capture = captureDeps();
const random = seededRandom(90);
let api: FakeBotApi;
let bot: BotUnderTest;
let worker: OutboxWorker;
/** When each member stopped unasked messages (opted out or muted), by Telegram user id. */
const stoppedAt = new Map<number, number>();
const reminders: OutboxMessage[] = [];

const underTest = () => bot;
const { answerTo, chatOf, spaceOf } = communityHarness(underTest);
const { deliverSigned } = telegramHarness(underTest);

/** Lets the worker run (on the clock) up to `at`, then moves the clock there. */
async function until(at: number): Promise<void> {
  while (clock.millis() < at) {
    const report = await worker.run({ until: new Date(at) });
    // Nothing left before `at` (or a wake-up's run held the lease): jump.
    if (clock.millis() < at && (report.leased || report.sent === 0)) clock.set(new Date(at));
  }
  await bot.settled();
}

/** The group each simulated member joined, by Telegram user id (their private chat's id). */
const joinedIn = new Map<number, Place>();

async function join(user: string, place: Place): Promise<void> {
  joinedIn.set(sandboxUserId(user), place);
  const request = telegramSandbox.sign({
    kind: 'join',
    user,
    channel: place.group.channel,
    space: place.group.space,
  });
  expect(await deliverSigned(request)).toMatchObject({ statusCode: 200 });
  await bot.settled();
}

/** A local time of day on simulated day `day` in the place's zone. */
function localTime(place: Place, day: number, hour: number, minute = 0): number {
  const date = new Date(START.getTime() + day * DAY);
  const local = new TZDate(date.getTime(), place.zone);
  return new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    hour,
    minute,
    place.zone,
  ).getTime();
}

type Act = { readonly at: number; run(): Promise<void> };

/** What happens on one day: joins and announcements at random hours, a reminder, an opt-out or a mute. */
function dayOf(day: number): Act[] {
  const acts: Act[] = [];
  for (const place of places) {
    const joins = Math.floor(random() * 3);
    for (let index = 0; index < joins; index += 1) {
      const user = `sim-${place.group.channel}-${day}-${index}`;
      // Half of them started the bot (a private welcome); the rest are greeted in the group.
      if (random() < 0.5) markSandboxStarted(user);
      acts.push({
        at: localTime(place, day, Math.floor(random() * 24), Math.floor(random() * 60)),
        run: () => join(user, place),
      });
    }
    const announcements = Math.floor(random() * 2.4);
    for (let index = 0; index < announcements; index += 1) {
      const text = `Announcement ${place.group.channel}/${day}/${index}`;
      acts.push({
        at: localTime(place, day, Math.floor(random() * 24), Math.floor(random() * 60)),
        run: async () => {
          await answerTo(MODERATOR, place.group, `/community announce ${text}`);
        },
      });
    }
    if (day % 3 === 0) acts.push({ at: localTime(place, day, 19, 30), run: () => remind(place, day) });
    // A member who joins late (their welcome waits for the morning) and then stops unasked messages.
    if (day % 7 === 3 || day % 7 === 5) {
      const user = `sim-stop-${place.group.channel}-${day}`;
      markSandboxStarted(user);
      acts.push({ at: localTime(place, day, 22, 10), run: () => join(user, place) });
      const command = day % 7 === 3 ? '/community me optout' : '/community mute';
      acts.push({
        at: localTime(place, day, 23, 40),
        run: async () => {
          await answerTo(user, place.group, command);
          stoppedAt.set(sandboxUserId(user), clock.millis());
        },
      });
    }
  }
  return acts.sort((a, b) => a.at - b.at);
}

/** A reminder for an event at 21:00 local: useless after 20:45, so it is time-bound. */
async function remind(place: Place, day: number): Promise<void> {
  const { outbox, attention, members } = bot.table.store.core;
  const enqueue = createOutbox({
    store: outbox,
    attention,
    members,
    wake: async () => {},
    logger: capture.deps.logger,
  });
  const { message } = await enqueue.enqueue(
    {
      key: `reminder:${day}`,
      communityId: place.communityId,
      purpose: 'reminder',
      audience: {
        kind: 'channel',
        target: {
          space: { platform: 'telegram', id: String(place.chatId) },
          channelId: String(place.chatId),
        },
      },
      allowance: { kind: 'unsolicited' },
      message: { text: `Reminder ${place.group.channel}/${day}: the meetup starts at 21:00.` },
      expiresAt: new Date(localTime(place, day, 20, 45)),
    },
    clock.now(),
  );
  reminders.push(message);
}

beforeAll(async () => {
  // Limits are the fault test's subject; here answers to commands share chats with the worker's sends.
  api = await startFakeBotApi({ clock: () => clock.millis() });
  bot = await startBotUnderTest(telegramPlatform, {
    clock,
    apis: { telegram: api },
    deps: { now: () => clock.now(), logger: capture.deps.logger },
    env: { DEFAULT_QUIET_HOURS: '21:00-08:00' },
  });
  worker = createOutboxWorker({
    outbox: bot.table.store.core.outbox,
    lease: bot.table.store.lease,
    attention: bot.table.store.core.attention,
    members: bot.table.store.core.members,
    transports: [
      createTelegramOutboxTransport(telegramPlatform.sandbox.env(api.url), {
        logger: capture.deps.logger,
        store: bot.table.store,
      }),
    ],
    clock,
    logger: capture.deps.logger,
  });
  clock.set(new Date(START.getTime() + 9 * HOUR));
  for (const place of places) {
    await answerTo(MODERATOR, place.group, `/community settings timezone ${place.zone}`);
    await answerTo(MODERATOR, place.group, `/community welcome set ${WELCOME}`);
    place.chatId = chatOf(place.group);
    place.communityId = (await bot.table.store.core.spaces.find(spaceOf(place.group)))?.communityId ?? '';
  }
  for (let day = 0; day < DAYS; day += 1) {
    for (const act of dayOf(day)) {
      if (act.at < clock.millis()) continue;
      await until(act.at);
      await act.run();
      clock.advance(1000);
    }
  }
  await until(START.getTime() + (DAYS + 8) * DAY);
}, 600_000);

afterAll(async () => {
  await bot?.close();
  await api?.close();
});

/** What the bot said unasked in a group (not the answers it gave there), with when. */
function unaskedIn(place: Place): { text: string; at: number }[] {
  return (api.delivered.get(place.chatId) ?? [])
    .filter(
      ({ text }) =>
        text.startsWith('Announcement') ||
        text.startsWith('Welcome') ||
        text.startsWith('Reminder') ||
        text === SPACE_NOTICE.text.replace(/\*\*/g, ''),
    )
    .map(({ text, at }) => ({ text, at }));
}

function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    const first = sorted[start] ?? 0;
    most = Math.max(most, sorted.filter((time) => time >= first && time < first + windowMs).length);
  }
  return most;
}

function isQuietLocally(at: number, zone: string): boolean {
  const hour = new TZDate(at, zone).getHours();
  return hour >= 21 || hour < 8;
}

describe('90 simulated days with the default budget', () => {
  it('keeps every group within 2 posts in any 24 hours and 8 in any 7 days', () => {
    for (const place of places) {
      const posts = unaskedIn(place);
      expect(posts.length).toBeGreaterThan(40);
      expect(
        mostInAnyWindow(
          posts.map((post) => post.at),
          DAY,
        ),
      ).toBeLessThanOrEqual(2);
      expect(
        mostInAnyWindow(
          posts.map((post) => post.at),
          7 * DAY,
        ),
      ).toBeLessThanOrEqual(8);
    }
  });

  it('says nothing unasked in local quiet hours, in groups or privately', () => {
    for (const place of places) {
      expect(unaskedIn(place).filter((post) => isQuietLocally(post.at, place.zone))).toEqual([]);
    }
    let checked = 0;
    for (const [chat, messages] of api.delivered) {
      const place = joinedIn.get(chat);
      if (chat <= 0 || !place) continue;
      // A private welcome keeps the quiet hours of the group the member joined.
      for (const message of messages.filter((one) => one.text === WELCOME)) {
        expect(isQuietLocally(message.at, place.zone), message.text).toBe(false);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('sends a member at most one unasked private message a week, and nothing after they opted out or muted', () => {
    let privately = 0;
    for (const [chat, messages] of api.delivered) {
      // Members who joined: the moderator's private chat holds answers to their commands (asked for).
      if (!joinedIn.has(chat)) continue;
      const unasked = messages
        .filter((message) => message.text.includes(WELCOME))
        .map((message) => message.at);
      privately += unasked.length;
      expect(mostInAnyWindow(unasked, 7 * DAY)).toBeLessThanOrEqual(1);
      const stopped = stoppedAt.get(chat);
      if (stopped !== undefined) expect(unasked.filter((at) => at >= stopped)).toEqual([]);
    }
    expect(privately).toBeGreaterThan(20);
    expect(stoppedAt.size).toBeGreaterThan(40);
    // Nor are they named in a group's greeting once they stopped.
    for (const place of places) {
      for (const post of unaskedIn(place).filter((one) => one.text.startsWith('Welcome'))) {
        const html =
          (api.delivered.get(place.chatId) ?? []).find((one) => one.at === post.at && one.text === post.text)
            ?.html ?? '';
        for (const [user, stopped] of stoppedAt) {
          if (post.at >= stopped) expect(html).not.toContain(`tg://user?id=${user}"`);
        }
      }
    }
  });

  it('sends every reminder before its event or expires it', async () => {
    let expired = 0;
    for (const reminder of reminders) {
      const stored = await bot.table.store.core.outbox.get(reminder.communityId, reminder.id);
      const chat = Number((reminder.audience.kind === 'channel' && reminder.audience.target.channelId) || 0);
      const delivered = (api.delivered.get(chat) ?? []).filter((one) => one.text === reminder.message.text);
      if (stored?.status === 'expired') {
        expired += 1;
        expect(delivered).toEqual([]);
      } else {
        expect(stored?.status).toBe('sent');
        expect(delivered).toHaveLength(1);
        expect(delivered[0]?.at ?? 0).toBeLessThan(reminder.expiresAt?.getTime() ?? 0);
      }
    }
    // One every third day in each group (the first evening in New York falls before the run starts).
    expect(reminders.length).toBeGreaterThanOrEqual(places.length * Math.ceil(DAYS / 3) - 1);
    expect(expired).toBeGreaterThan(0);
  });
});
