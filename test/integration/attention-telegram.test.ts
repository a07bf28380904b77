/**
 * Attention on Telegram, through the real webhook: `/community settings` (show, change, refusals),
 * `mute` / `unmute` for oneself and for a channel, channel roles, and the walls between communities. Every
 * answer goes to the member's private chat; asserted on what the fake Bot API received and on the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { communityHarness, type Group } from './telegram-harness.js';

let bot: BotUnderTest | undefined;
beforeAll(async () => {
  // The product's default quiet hours (the harness turns them off for other tests).
  bot = await startBotUnderTest(telegramPlatform, { env: { DEFAULT_QUIET_HOURS: '21:00-08:00' } });
});
afterAll(() => bot?.close());

const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { answerTo, spaceOf, chatOf, link, post } = communityHarness(underTest);

/** Administers every group of sandbox space `a` (and `modann-b` those of space `b`). */
const MODERATOR = 'modann';
/** Also an administrator of space `a`'s groups, but never made a community moderator. */
const SPACE_MODERATOR = 'modsam';
const group = (channel: string, space = 'a'): Group => ({ space, channel });

/** The community a group's space belongs to, as stored. */
async function communityOf(where: Group): Promise<string> {
  const space = await underTest().table.store.core.spaces.find(spaceOf(where));
  if (!space) throw new Error(`${where.channel} is not registered`);
  return space.communityId;
}

const settingsOf = async (where: Group) =>
  underTest().table.store.core.attention.settings(await communityOf(where));

/** The stored settings a community has before anyone changes them (the defaults, written out). */
const DEFAULTS = {
  timeZone: 'UTC',
  quietHours: { start: '21:00', end: '08:00' },
  channelPerDay: 2,
  channelPerWeek: 8,
  memberPerWeek: 1,
  paused: false,
};

describe('Telegram: /community settings', () => {
  const here = group('settings');

  it('shows the defaults, changes each setting, shows them again, and audits every change', async () => {
    // Prepare: the group speaks first, so it is a community of its own.
    await post(here, 1, ['alice']);
    const before = await answerTo(MODERATOR, here, '/community settings');

    // Act
    const told = [
      await answerTo(MODERATOR, here, '/community settings timezone europe/paris'),
      await answerTo(MODERATOR, here, '/community settings quiet-hours 22:30-07:00'),
      await answerTo(MODERATOR, here, '/community settings channel-budget 3 10'),
      await answerTo(MODERATOR, here, '/community settings member-budget 2'),
      await answerTo(MODERATOR, here, '/community settings pause'),
      await answerTo(MODERATOR, here, '/community settings retention 45'),
    ];
    const changed = await answerTo(MODERATOR, here, '/community settings show');
    const stored = await settingsOf(here);
    const resumed = await answerTo(MODERATOR, here, '/community settings resume');
    const quietOff = await answerTo(MODERATOR, here, '/community settings quiet-hours off');
    const audit = await answerTo(MODERATOR, here, '/community audit');

    // Assess
    expect(before.split('\n')).toEqual([
      'Community settings',
      '- Retention: raw engagement records are kept 395 days (/community settings retention)',
      '- Time zone: UTC (/community settings timezone)',
      '- Quiet hours: 21:00-08:00, nothing unasked goes out then (/community settings quiet-hours)',
      '- Channel budget: at most 2 unasked posts a day and 8 a week in each channel (/community settings channel-budget)',
      '- Member budget: at most 1 unasked private message a week to each member (/community settings member-budget)',
      '- Unasked messages: going out (/community settings pause holds them all)',
      '- Failed messages: 0',
    ]);
    expect(told.slice(0, 5)).toEqual([
      'Time zone: Europe/Paris.',
      "Quiet hours: 22:30-07:00 in the community's time zone. What falls in them waits until they end.",
      'Channel budget: at most 3 unasked posts a day and 10 a week in each channel.',
      'Member budget: at most 2 unasked private messages a week to each member.',
      'Paused: nothing unasked goes out in this community; what is waiting stays queued until /community settings resume.',
    ]);
    expect(told[5]).toMatch(/kept 45 days after their day/);
    expect(changed).toContain('- Retention: raw engagement records are kept 45 days');
    expect(changed).toContain('- Time zone: Europe/Paris (');
    expect(changed).toContain('- Quiet hours: 22:30-07:00, nothing unasked goes out then');
    expect(changed).toContain(
      '- Channel budget: at most 3 unasked posts a day and 10 a week in each channel',
    );
    expect(changed).toContain('- Member budget: at most 2 unasked private messages a week to each member');
    expect(changed).toContain('- Unasked messages: paused, they wait until /community settings resume');
    expect(stored).toEqual({
      timeZone: 'Europe/Paris',
      quietHours: { start: '22:30', end: '07:00' },
      channelPerDay: 3,
      channelPerWeek: 10,
      memberPerWeek: 2,
      paused: true,
    });
    expect(resumed).toBe('Resumed: waiting messages go out as quiet hours and budgets allow.');
    expect(quietOff).toBe('Quiet hours: none. Unasked messages may go out at any hour.');
    expect(await settingsOf(here)).toEqual({
      timeZone: 'Europe/Paris',
      channelPerDay: 3,
      channelPerWeek: 10,
      memberPerWeek: 2,
      paused: false,
    });
    for (const action of [
      'set the time zone to Europe/Paris',
      'set quiet hours to 22:30-07:00',
      'set the channel budget to 3 a day, 10 a week',
      'set the member budget to 2 a week',
      'paused unasked messages',
      'resumed unasked messages',
      'turned quiet hours off',
    ]) {
      expect(audit).toContain(`telegram:${sandboxUserId(MODERATOR)} in telegram:${chatOf(here)}: ${action}`);
    }
  });

  it('refuses a member, an unknown zone, bad hours and bad budgets, and changes nothing', async () => {
    const where = group('settings-refused');
    await post(where, 1, ['alice']);

    const byMember = await answerTo('kim', where, '/community settings pause');
    const shownToMember = await answerTo('kim', where, '/community settings');
    const zone = await answerTo(MODERATOR, where, '/community settings timezone Mars/Olympus');
    const offset = await answerTo(MODERATOR, where, '/community settings timezone +01:00');
    const hours = await answerTo(MODERATOR, where, '/community settings quiet-hours 25:00-07:00');
    const sameHours = await answerTo(MODERATOR, where, '/community settings quiet-hours 08:00-08:00');
    const dayOverWeek = await answerTo(MODERATOR, where, '/community settings channel-budget 5 3');
    const zeroDay = await answerTo(MODERATOR, where, '/community settings channel-budget 0 8');
    const member = await answerTo(MODERATOR, where, '/community settings member-budget 8');
    const fraction = await answerTo(MODERATOR, where, '/community settings member-budget 1.5');

    expect(byMember).toContain("is for this community's moderators only");
    expect(shownToMember).toContain('is for moderators only');
    expect(zone).toBe(
      'Mars/Olympus is not a time zone I know. Use an IANA name such as Europe/Paris, America/New_York or UTC.',
    );
    expect(offset).toContain('+01:00 is not a time zone I know');
    for (const refusal of [hours, sameHours]) {
      expect(refusal).toMatch(/^Quiet hours are two local times HH:MM-HH:MM .* or off; .* is neither\.$/);
    }
    for (const refusal of [dayOverWeek, zeroDay]) {
      expect(refusal).toContain('A channel budget is two whole numbers: posts a day (1 to 24)');
    }
    for (const refusal of [member, fraction]) {
      expect(refusal).toContain(
        'A member budget is a whole number of unasked private messages a week, 1 to 7.',
      );
    }
    expect(await settingsOf(where)).toEqual(DEFAULTS);
  });
});

describe('Telegram: mutes', () => {
  const here = group('mutes');

  it('mutes and unmutes a member for themselves, under their opaque id', async () => {
    await post(here, 1, ['lena']);
    const communityId = await communityOf(here);
    const lena = expectedMemberId('telegram', String(sandboxUserId('lena')));
    const { attention } = underTest().table.store.core;

    const muted = await answerTo('lena', here, '/community mute');
    const whileMuted = await attention.mutedMembers(communityId, [lena]);
    const unmuted = await answerTo('lena', here, '/community unmute me');
    const afterwards = await attention.mutedMembers(communityId, [lena]);

    expect(muted).toMatch(/^Muted: this bot sends you nothing unasked in this community/);
    expect([...whileMuted]).toEqual([lena]);
    expect(unmuted).toMatch(/^Unmuted: this bot may send you a few unasked messages again/);
    expect([...afterwards]).toEqual([]);
  });

  it('tells an opted-out member they are never messaged, and stores no mute', async () => {
    await post(here, 1, ['otto']);
    const otto = expectedMemberId('telegram', String(sandboxUserId('otto')));
    await answerTo('otto', here, '/community me optout');

    const told = await answerTo('otto', here, '/community mute');

    expect(told).toBe(
      'You opted out (/community me optout), so this bot already never sends you anything unasked.',
    );
    const muted = await underTest().table.store.core.attention.mutedMembers(await communityOf(here), [otto]);
    expect([...muted]).toEqual([]);
  });

  it('mutes a channel for a moderator only, and refuses an announcement there', async () => {
    const where = group('muted-channel');
    await post(where, 1, ['alice']);
    const { attention } = underTest().table.store.core;
    const channel = () => attention.channel(spaceOf(where), String(chatOf(where)));

    const byMember = await answerTo('kim', where, '/community mute channel');
    const afterMember = (await channel()).muted;
    const muted = await answerTo(MODERATOR, where, '/community mute channel');
    const afterModerator = (await channel()).muted;
    const announced = await answerTo(MODERATOR, where, '/community announce Hello all');
    const unmuted = await answerTo(MODERATOR, where, '/community unmute channel');

    expect(byMember).toContain('is for moderators only');
    expect(afterMember).toBe(false);
    expect(muted).toMatch(/^Muted here: this bot posts nothing unasked in this channel/);
    expect(afterModerator).toBe(true);
    expect(announced).toBe(
      'This channel is muted for the bot, so nothing unasked is posted here: nothing was announced. ' +
        '/community unmute channel lifts the mute.',
    );
    expect(unmuted).toMatch(/^Unmuted here/);
    expect((await channel()).muted).toBe(false);
  });
});

describe('Telegram: channel roles', () => {
  it('lists, toggles on and off, refuses a member', async () => {
    const where = group('roles');
    await post(where, 1, ['alice']);
    const chat = String(chatOf(where));

    const empty = await answerTo(MODERATOR, where, '/community channel');
    const made = await answerTo(MODERATOR, where, '/community channel announcements');
    const questions = await answerTo(MODERATOR, where, '/community channel questions');
    const listed = await answerTo(MODERATOR, where, '/community channel list');
    const stored = await underTest().table.store.core.attention.channel(spaceOf(where), chat);
    const unmade = await answerTo(MODERATOR, where, '/community channel announcements');
    const byMember = await answerTo('kim', where, '/community channel content');
    const after = await underTest().table.store.core.attention.channel(spaceOf(where), chat);

    expect(empty).toMatch(/^No channel of this space has a role or is muted yet/);
    expect(made).toBe("This channel is now the space's announcements channel.");
    expect(questions).toBe('This channel is now a questions channel.');
    expect(listed).toBe(`Channels of this space\n- ${chat} (this channel): announcements, questions`);
    expect([...stored.roles].sort()).toEqual(['announcements', 'questions']);
    expect(unmade).toBe('This channel is no longer the announcements channel.');
    expect(byMember).toContain('is for moderators only');
    expect(after.roles).toEqual(['questions']);
  });
});

describe('Telegram: walls between communities', () => {
  it('changes only the community it is run in; a space-only moderator of a linked one changes nothing', async () => {
    // Prepare: x (space a) and y (space b) linked: modann and modann-b are its community moderators.
    const x = group('walls');
    const y = group('walls', 'b');
    const other = group('walls-other');
    await post(x, 1, ['alice']);
    await post(y, 1, ['bob']);
    await post(other, 1, ['carol']);
    await link({ admin: MODERATOR, group: x }, { admin: 'modann-b', group: y });

    // Act
    const otherChanged = await answerTo(MODERATOR, other, '/community settings timezone Asia/Tokyo');
    await answerTo(MODERATOR, other, '/community channel announcements');
    const spaceOnly = await answerTo(SPACE_MODERATOR, x, '/community settings pause');
    const linkedShown = await answerTo('modann-b', y, '/community settings');
    const linkedChannels = await answerTo('modann-b', y, '/community channel');

    // Assess
    expect(otherChanged).toBe('Time zone: Asia/Tokyo.');
    expect(spaceOnly).toContain("is for this community's moderators only");
    expect(await settingsOf(x)).toEqual(DEFAULTS);
    expect(await settingsOf(y)).toEqual(DEFAULTS);
    expect((await settingsOf(other)).timeZone).toBe('Asia/Tokyo');
    expect(linkedShown).toContain('- Time zone: UTC (');
    expect(linkedShown).not.toContain('Tokyo');
    expect(linkedChannels).toMatch(/^No channel of this space has a role/);
  });
});
