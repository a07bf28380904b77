/**
 * Communities are walls for what "Speaking unasked" adds, on Slack and Discord (Telegram's are in
 * attention-telegram and announce-telegram): a moderator of another community neither sees nor changes
 * this one's settings, welcome or channel roles, and their `announce everywhere` never reaches it. Through
 * the real signed handlers; asserted on the answers and on the table.
 */
import { describe, expect, it } from 'vitest';
import { sandboxGuildId } from '../../bots/discord/sandbox-cast.js';
import { WORKSPACE_A, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import type { Space } from '../../shared/core/events.js';
import type { BotUnderTest } from '../support/bot.js';
import { discordBot, postIn, say } from './discord-harness.js';
import { ask, installedForBlock as installed } from './slack-install-harness.js';
import { scanItems } from './telegram-harness.js';

const WELCOME_A = 'Hello from A: read the pinned rules.';

/** What the table holds about a space's community: its zone, its welcome, its channels with a role. */
async function stateOf(bot: BotUnderTest, space: Space) {
  const { spaces, attention, welcomes } = bot.table.store.core;
  const record = await spaces.find(space);
  if (!record) throw new Error(`${space.platform}:${space.id} is not registered`);
  return {
    communityId: record.communityId,
    zone: (await attention.settings(record.communityId)).timeZone,
    welcome: (await welcomes.welcome(space))?.text,
    channels: (await attention.channels(space)).map((channel) => channel.roles.join(',')),
  };
}

/** Outbox items whose target is in `space`. */
async function queuedIn(bot: BotUnderTest, space: Space) {
  return scanItems(
    bot.table,
    (item) => item.sk?.S?.startsWith('OUTBOX#') === true && item.spaceId?.S === space.id,
  );
}

describe('walls on Slack: two workspaces, two communities', () => {
  const bot = installed();
  const A: Space = { platform: 'slack', id: WORKSPACE_A.teamId };
  const B: Space = { platform: 'slack', id: WORKSPACE_B.teamId };

  it("keeps A's settings, welcome and channels out of B's sight and reach", async () => {
    // Prepare: A's moderator sets up A.
    await ask(bot(), WORKSPACE_A, 'UMODSAM', 'settings timezone Europe/Paris');
    await ask(bot(), WORKSPACE_A, 'UMODSAM', `welcome set ${WELCOME_A}`);
    await ask(bot(), WORKSPACE_A, 'UMODSAM', 'channel announcements');
    await bot().settled();
    const before = await stateOf(bot(), A);
    const queuedBefore = (await queuedIn(bot(), A)).length;
    expect(queuedBefore).toBeGreaterThan(0);

    // Act: B's moderator looks and changes things in B, and announces everywhere.
    const shown = await ask(bot(), WORKSPACE_B, 'UMODMIA', 'welcome show');
    const channels = await ask(bot(), WORKSPACE_B, 'UMODMIA', 'channel');
    await ask(bot(), WORKSPACE_B, 'UMODMIA', 'settings timezone Asia/Tokyo');
    await ask(bot(), WORKSPACE_B, 'UMODMIA', 'announce Hello from B everywhere');
    await bot().settled();

    // Assess
    expect(before).toMatchObject({ zone: 'Europe/Paris', welcome: WELCOME_A, channels: ['announcements'] });
    expect(shown.text).toContain('no welcome');
    expect(shown.text).not.toContain(WELCOME_A);
    expect(channels.text).toContain('No channel of this space has a role');
    const after = await stateOf(bot(), B);
    expect(after.communityId).not.toBe(before.communityId);
    expect(after).toMatchObject({ zone: 'Asia/Tokyo', channels: [] });
    expect(after.welcome).toBeUndefined();
    expect(await stateOf(bot(), A)).toEqual(before);
    expect(await queuedIn(bot(), A)).toHaveLength(queuedBefore);
  });
});

describe('walls on Discord: two servers, two communities', () => {
  const context = discordBot();
  const A: Space = { platform: 'discord', id: sandboxGuildId('a') };
  const B: Space = { platform: 'discord', id: sandboxGuildId('b') };

  it("keeps A's settings, welcome and channels out of B's sight and reach", async () => {
    // Prepare: both servers served; A's moderator sets up A.
    await postIn(context, 'a', 1, ['alice']);
    await postIn(context, 'b', 1, ['alice']);
    await say(context, 'a', 'modsam', '/community settings timezone Europe/Paris');
    await say(context, 'a', 'modsam', `/community welcome set ${WELCOME_A}`);
    await say(context, 'a', 'modsam', '/community channel announcements');
    await context.bot.settled();
    const before = await stateOf(context.bot, A);
    const queuedBefore = (await queuedIn(context.bot, A)).length;
    expect(queuedBefore).toBeGreaterThan(0);

    // Act: B's moderator looks and changes things in B, and announces everywhere.
    const shown = await say(context, 'b', 'modmia', '/community welcome show');
    const channels = await say(context, 'b', 'modmia', '/community channel');
    await say(context, 'b', 'modmia', '/community settings timezone Asia/Tokyo');
    await say(context, 'b', 'modmia', '/community announce Hello from B everywhere');
    await context.bot.settled();

    // Assess
    expect(before).toMatchObject({ zone: 'Europe/Paris', welcome: WELCOME_A, channels: ['announcements'] });
    expect(shown).toContain('no welcome');
    expect(shown).not.toContain(WELCOME_A);
    expect(channels).toContain('No channel of this space has a role');
    const after = await stateOf(context.bot, B);
    expect(after.communityId).not.toBe(before.communityId);
    expect(after).toMatchObject({ zone: 'Asia/Tokyo', channels: [] });
    expect(after.welcome).toBeUndefined();
    expect(await stateOf(context.bot, A)).toEqual(before);
    expect(await queuedIn(context.bot, A)).toHaveLength(queuedBefore);
  });
});
