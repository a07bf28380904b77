/**
 * `/community schedule set|show|off` in Telegram groups, through the real webhook, dynalite, the outbox
 * worker's runs and the fake Bot API, on one simulated clock shared by the handler, the worker and the fake:
 * a cadence the group could not keep is refused with its reason and nothing is stored; a set one posts the
 * right item at its local time in the group, once even when a slot is run again after a crash half-way;
 * members' reactions and thread replies settle into the post's feedback; a library run dry skips the slot
 * and tells the community's moderator privately; re-setting keeps the pace; show and off; and the walls: a
 * member of the group, or the moderator of another group (its own community), neither sees nor changes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBotApi, startFakeBotApi } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId, telegramSandbox } from '../../bots/telegram/sandbox.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import type { ContentItem } from '../../shared/core/content/model.js';
import { simulatedClock } from '../../shared/core/outbox/clock.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { captureDeps } from '../support/capture.js';
import { scheduledItem } from '../support/content-items.js';
import {
  communityHarness,
  type Group,
  isSpaceNotice,
  payloadOf,
  telegramHarness,
} from './telegram-harness.js';

const START = new Date('2026-12-01T10:00:00.000Z');
/** Administrator of every group of space `a`. */
const MODERATOR = 'modann';
/** Administrator of space `b`'s groups only: each of them is a community of its own. */
const OTHER_MODERATOR = 'modann-b';
const clock = simulatedClock(START);
const capture = captureDeps();
let api: FakeBotApi | undefined;
let bot: BotUnderTest | undefined;
const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { answerTo, chatOf, spaceOf } = communityHarness(underTest);
const { calls, deliverSigned } = telegramHarness(underTest);

beforeAll(async () => {
  api = await startFakeBotApi({ clock: () => clock.millis() });
  bot = await startBotUnderTest(telegramPlatform, {
    clock,
    apis: { telegram: api },
    deps: { now: () => clock.now(), logger: capture.deps.logger },
    // The worker writes to moderators privately: it needs the member key, as the bots do.
    env: { MEMBER_KEY: LOCAL_MEMBER_KEY },
  });
}, 60_000);
afterAll(async () => {
  await bot?.close();
  await api?.close();
});

/** `/community <text>` by `user` in `group`: the answer they were told privately, as they read it. */
function ask(text: string, group: Group, user = MODERATOR): Promise<string> {
  return answerTo(user, group, `/community ${text}`);
}

const channelOf = (group: Group) => String(chatOf(group));
const scheduleOf = (group: Group) =>
  underTest().table.store.core.content.schedule(spaceOf(group), channelOf(group));

/** The group's community (its first command registers it). */
async function communityOf(group: Group): Promise<string> {
  await ask('settings show', group);
  const space = await underTest().table.store.core.spaces.find(spaceOf(group));
  if (!space) throw new Error(`${group.channel} is not registered`);
  return space.communityId;
}

/** Paris time, a channel budget of `perDay` a day and `perWeek` a week, quiet from 21:00 to 08:00. */
async function attention(group: Group, perDay: number, perWeek: number): Promise<void> {
  await ask('settings timezone Europe/Paris', group);
  await ask(`settings channel-budget ${perDay} ${perWeek}`, group);
  await ask('settings quiet-hours 21:00-08:00', group);
}

function item(community: string, id: string, topic: string): ContentItem {
  return scheduledItem(community, id, topic);
}

/** What a member of `group` does, as Telegram delivers it, dated by the shared clock. */
async function act(action: SandboxAction): Promise<void> {
  expect(await deliverSigned(telegramSandbox.sign(action, clock.now()))).toMatchObject({ statusCode: 200 });
  await underTest().settled();
}

/** What the fake Bot API delivered in a chat (the group's registration notice aside), and when. */
function deliveredIn(chatId: number): { text: string; messageId: number; at: number }[] {
  return (api?.delivered.get(chatId) ?? [])
    .filter((message) => !isSpaceNotice({ text: message.html }))
    .map(({ text, messageId, at }) => ({ text, messageId, at }));
}

describe('Telegram: schedule set refuses what the group could not keep', () => {
  it('names a wrong day, time or topic, the budget, the mute and the quiet hours, and stores nothing', async () => {
    // Prepare
    const refused: Group = { space: 'a', channel: 'sch-refuse' };
    const muted: Group = { space: 'a', channel: 'sch-muted' };
    const community = await communityOf(refused);
    await underTest().table.store.core.content.setTopic(community, 'onboarding', true);
    await attention(refused, 1, 3);
    await ask('mute channel', muted);

    // Act
    const day = await ask('schedule set mon,funday 09:30', refused);
    const time = await ask('schedule set mon 9h30', refused);
    const topic = await ask('schedule set mon 09:30 nosuch', refused);
    const budget = await ask('schedule set mon,tue,wed,thu 09:30', refused);
    const mute = await ask('schedule set mon 09:30', muted);
    const quiet = await ask('schedule set mon 22:30', refused);

    // Assess: Telegram's HTML code tags are gone from what the member reads.
    expect(day).toContain('funday is not a day');
    expect(time).toContain('9h30 is not a time');
    expect(topic).toMatch(/^Unknown topic nosuch: the library's topics are .*onboarding/);
    expect(budget).toBe(
      "4 a week is over this channel's budget of 3 a week (/community settings channel-budget).",
    );
    expect(mute).toContain('This channel is muted for the bot');
    expect(quiet).toContain("22:30 falls in the community's quiet hours (21:00-08:00, Europe/Paris)");
    expect(await scheduleOf(refused)).toBeUndefined();
    expect(await scheduleOf(muted)).toBeUndefined();
  });
});

describe('Telegram: a scheduled group', () => {
  it('posts at the local time in topic rotation, once per slot, settles feedback, then runs dry', async () => {
    // Prepare: Paris time, two a week allowed, two topics with one item each, a named moderator.
    const group: Group = { space: 'a', channel: 'sch-posts' };
    const chatId = chatOf(group);
    const community = await communityOf(group);
    const { content, communities } = underTest().table.store.core;
    await attention(group, 2, 8);
    for (const topic of ['onboarding', 'events']) await content.setTopic(community, topic, true);
    await content.save(item(community, 'sched1', 'onboarding'), { kind: 'new' });
    await content.save(item(community, 'sched2', 'events'), { kind: 'new' });
    const moderatorId = String(sandboxUserId(MODERATOR));
    await communities.addModerator(community, { platform: 'telegram', id: moderatorId });

    // Act 1: set on Tuesday 1 Dec 2026, 11:00 in Paris.
    const set = await ask('schedule set mon,thu 09:30 onboarding,events', group);

    // Assess 1: Thursday 3 Dec 09:30 in Paris (UTC+1) is 08:30 UTC; the group is the channel.
    expect(set).toContain('Next slot: Thu 3 Dec, 09:30 (Europe/Paris)');
    expect(await scheduleOf(group)).toMatchObject({
      communityId: community,
      space: { platform: 'telegram', id: String(chatId) },
      channelId: String(chatId),
      days: ['mon', 'thu'],
      time: '09:30',
      topics: ['onboarding', 'events'],
      pace: 1,
      nextAt: '2026-12-03T08:30:00.000Z',
    });

    // Act 2: the worker's run at the slot, then the same slot again as if the first run died before
    // moving the schedule on.
    clock.set(new Date('2026-12-03T08:30:00.000Z'));
    await underTest().outbox.run();
    const moved = await scheduleOf(group);
    if (!moved) throw new Error('the schedule is gone');
    await content.saveSchedule({ ...moved, nextAt: '2026-12-03T08:30:00.000Z' });
    clock.advance(60_000);
    await underTest().outbox.run();

    // Assess 2: one message in the group, at the slot, of the first topic's item; next is Monday 7 Dec.
    const [thursday, ...more] = deliveredIn(chatId);
    expect(thursday).toMatchObject({
      text: expect.stringContaining('Scheduled sched1'),
      at: Date.parse('2026-12-03T08:30:00Z'),
    });
    expect(more).toEqual([]);
    // With the members' vote buttons (their callback data within Telegram's 64 bytes, or the fake refuses).
    const sent = calls('sendMessage', 0)
      .map(payloadOf)
      .filter((payload) => payload.chat_id === chatId && String(payload.text).includes('sched1'));
    const keyboard = sent.map((payload) => payload.reply_markup as { inline_keyboard: { text: string }[][] });
    expect(keyboard.map((markup) => markup.inline_keyboard.flat().map((button) => button.text))).toEqual([
      ['Helpful', 'Not for me'],
    ]);
    const posts = await content.posts(spaceOf(group), String(chatId), START, 10);
    expect(posts.map((post) => [post.slotAt, post.itemId])).toEqual([['2026-12-03T08:30:00.000Z', 'sched1']]);
    expect((await scheduleOf(group))?.nextAt).toBe('2026-12-07T08:30:00.000Z');

    // Act 3: two members react to Thursday's message, one answers it (the next day); Monday's slot (the
    // other topic) settles its feedback.
    clock.set(new Date('2026-12-03T12:00:00.000Z'));
    const messageId = String(thursday?.messageId);
    for (const user of ['reacter1', 'reacter2']) {
      await act({ kind: 'reaction', user, channel: group.channel, messageId, emoji: '👍' });
    }
    clock.set(new Date('2026-12-04T09:00:00.000Z'));
    const reply = { user: 'replier1', channel: group.channel, text: 'Tried it, it works.' };
    await act({ kind: 'message', ...reply, threadOf: messageId, messageId: '424242' });
    clock.set(new Date('2026-12-07T08:30:00.000Z'));
    await underTest().outbox.run();

    // Assess 3: the three who reacted or answered count for the item's rating.
    const [, settled] = await content.posts(spaceOf(group), String(chatId), START, 10);
    expect(settled).toMatchObject({
      slotAt: '2026-12-03T08:30:00.000Z',
      settled: true,
      reactions: 2,
      replies: 1,
    });
    expect((await content.get(community, 'sched1'))?.counts).toMatchObject({ engaged: 3 });

    // Act 4: Thursday's slot, when both items were posted within 90 days.
    clock.set(new Date('2026-12-10T08:30:00.000Z'));
    await underTest().outbox.run();

    // Assess 4: nothing more in the group; the moderator is told privately, once.
    expect(deliveredIn(chatId).map((message) => message.text)).toEqual([
      expect.stringContaining('Scheduled sched1'),
      expect.stringContaining('Scheduled sched2'),
    ]);
    expect(await scheduleOf(group)).toMatchObject({
      starvedSlots: 1,
      starvedNoticeAt: '2026-12-10T08:30:00.000Z',
      nextAt: '2026-12-14T08:30:00.000Z',
    });
    const notes = deliveredIn(sandboxUserId(MODERATOR))
      .map((message) => message.text)
      .filter((text) => text.includes('The library needs more'));
    // The group is named by its title, which says more to a moderator than its chat id.
    expect(notes).toEqual([expect.stringContaining('The library needs more for group "sch-posts"')]);
    expect(notes[0]).toContain(`(telegram:${chatId})`);
  });

  it('shows the schedule, keeps the pace when re-set, and turns off', async () => {
    // Prepare: a group whose feedback halved its pace.
    const group: Group = { space: 'a', channel: 'sch-paced' };
    const community = await communityOf(group);
    const { content } = underTest().table.store.core;
    await attention(group, 2, 8);
    await content.setTopic(community, 'onboarding', true);
    await ask('schedule set mon 10:00', group);
    const set = await scheduleOf(group);
    if (!set) throw new Error('not scheduled');
    await content.saveSchedule({ ...set, pace: 0.5, postsSincePaceChange: 2 });

    // Act
    const again = await ask('schedule set weekdays 10:15 onboarding', group);
    const shown = await ask('schedule show', group);
    const off = await ask('schedule off', group);
    const offAgain = await ask('schedule off', group);
    const shownAfter = await ask('schedule show', group);

    // Assess
    expect(again).toContain('The pace stays at 1 in 2 slots');
    expect(shown).toContain(
      'group "sch-paced": weekdays at 10:15 (Europe/Paris), topics onboarding · pace 1 in 2 slots',
    );
    expect(off).toBe('Scheduled posts in this channel are off.');
    expect(offAgain).toBe('This channel has no scheduled posts.');
    expect(shownAfter).toMatch(/^No channel here has scheduled posts/);
    expect(await scheduleOf(group)).toBeUndefined();
  });
});

describe('Telegram: a schedule has walls', () => {
  it("another group's moderator and a member of the group neither see nor change it", async () => {
    // Prepare: this group's schedule; another group (space b) is a community of its own, with its own.
    const here: Group = { space: 'a', channel: 'sch-walls' };
    const there: Group = { space: 'b', channel: 'sch-other' };
    await ask('schedule set mon 10:00', here);
    const before = await scheduleOf(here);
    await ask('schedule set tue 11:00', there, OTHER_MODERATOR);
    const { spaces } = underTest().table.store.core;
    const [ours, theirs] = await Promise.all([spaces.find(spaceOf(here)), spaces.find(spaceOf(there))]);

    // Act: the other moderator, in their group and in this one; a member of this group.
    const theirShow = await ask('schedule show', there, OTHER_MODERATOR);
    const theirOff = await ask('schedule off', there, OTHER_MODERATOR);
    const theirOffAgain = await ask('schedule off', there, OTHER_MODERATOR);
    const theirOffHere = await ask('schedule off', here, OTHER_MODERATOR);
    const theirShowHere = await ask('schedule show', here, OTHER_MODERATOR);
    const memberSet = await ask('schedule set daily 12:00', here, 'alice');
    const memberShow = await ask('schedule show', here, 'alice');
    const memberOff = await ask('schedule off', here, 'alice');

    // Assess
    expect(ours?.communityId).toBeDefined();
    expect(theirs?.communityId).not.toBe(ours?.communityId);
    expect(theirShow).toContain('group "sch-other": tue at 11:00');
    expect(theirShow).not.toContain(String(chatOf(here)));
    expect(theirShow).not.toContain('sch-walls');
    expect(theirOff).toBe('Scheduled posts in this channel are off.');
    expect(theirOffAgain).toBe('This channel has no scheduled posts.');
    const refusal = /is for moderators only \(on telegram: the chat creator and administrators\)/;
    for (const answer of [theirOffHere, theirShowHere, memberSet, memberShow, memberOff]) {
      expect(answer).toMatch(refusal);
      expect(answer).not.toContain('10:00');
    }
    expect(before).toMatchObject({ days: ['mon'], time: '10:00', channelId: String(chatOf(here)) });
    expect(await scheduleOf(here)).toEqual(before);
    expect(await scheduleOf(there)).toBeUndefined();
  });
});
