import { describe, expect, it } from 'vitest';
import { readAnnouncement } from '../../shared/core/announce/feature.js';
import { isProblem, readCommand } from '../../shared/core/command-grammar.js';
import { listCommands, type TableEntry } from '../../shared/core/command-table.js';
import type { DayTotals, EngagementStore } from '../../shared/core/engagement.js';
import type { CommandInvoked, Space } from '../../shared/core/events.js';
import type { CommandTurn, CoreServices } from '../../shared/core/feature.js';
import { COMMAND_TABLE, FEATURES, featureRegistry } from '../../shared/core/features.js';
import { noteId } from '../../shared/core/feedback/feedback.js';
import { helpText } from '../../shared/core/help/help.js';
import { computeStats, formatStats, type StatsSpace } from '../../shared/core/stats/compute.js';

const NOW = new Date('2026-11-23T12:00:00Z');

/** A store whose every day holds the same fixed totals: enough to check the stats arithmetic. */
function storeWithDaily(
  perDay: Omit<DayTotals, 'platform' | 'spaceId' | 'day'>,
): Pick<EngagementStore, 'dayTotals'> {
  return {
    dayTotals: (space: Space, days: readonly string[]) =>
      Promise.resolve(days.map((day) => ({ platform: space.platform, spaceId: space.id, day, ...perDay }))),
  };
}

function helpTurn(moderator: boolean, direct = false): CommandTurn {
  const event: CommandInvoked = {
    kind: 'command_invoked',
    id: 'cmd-1',
    input: { text: 'help' },
    answer: {},
    occurredAt: NOW,
    member: { platform: 'slack', id: 'U1' },
    location: { space: { platform: 'slack', id: 'T1' }, channelId: 'C1', ...(direct ? { direct } : {}) },
  };
  const [help] = listCommands(COMMAND_TABLE);
  return {
    event,
    now: NOW,
    services: { table: COMMAND_TABLE } as unknown as CoreServices,
    isModerator: async () => moderator,
    isCommunityModerator: async () => moderator,
    platformSaysModerator: async () => moderator,
    command: help as NonNullable<typeof help>,
    values: {},
  };
}

describe('help', () => {
  it('lists moderator commands for moderators only, grouped', async () => {
    const asModerator = await helpText(helpTurn(true));
    const asMember = await helpText(helpTurn(false));
    expect(asModerator).toContain('**For moderators**');
    expect(asModerator).toContain('`/community stats`');
    expect(asMember).not.toContain('/community stats');
    expect(asMember).toContain('`/community feedback [note]`: Send the moderators a private note');
    expect(asMember).toContain('_Moderators have more commands._');
  });

  it('never lists moderator commands in a private chat, where nobody moderates', async () => {
    expect(await helpText(helpTurn(true, true))).not.toContain('/community stats');
  });
});

describe('the command table', () => {
  it('has a handler for every command, and refuses a table that lacks one', () => {
    expect(() => featureRegistry(FEATURES)).not.toThrow();
    const orphan: TableEntry = { name: 'orphan', summary: 'x', moderatorOnly: false, options: [] };
    expect(() => featureRegistry([...FEATURES, { commands: [orphan], commandHandlers: {} }])).toThrow(
      'Commands without a handler: orphan',
    );
  });

  /** The names the next issues use (issue 6 asks to plan the table for them): they must fit Discord. */
  const PLANNED: Readonly<Record<string, readonly string[]>> = {
    link: [],
    unlink: [],
    spaces: [],
    moderators: [],
    audit: [],
    me: ['show', 'link', 'unlink', 'optout', 'optin', 'forget'],
    forget: [],
    settings: ['show', 'timezone', 'quiet-hours', 'channel-budget', 'member-budget', 'pause', 'resume'],
    channel: [],
    mute: [],
    unmute: [],
    welcome: [],
    announce: [],
    topics: [],
    tip: [],
    find: [],
    content: ['add', 'edit', 'retire', 'list', 'suggest', 'queue', 'stats'],
    schedule: [],
    digest: [],
    stats: [],
    help: [],
    feedback: [],
  };

  it('leaves room for every planned command within Discord limits (25 per level, name rules)', () => {
    const names = new Set([...Object.keys(PLANNED), ...COMMAND_TABLE.map((entry) => entry.name)]);
    expect(names.size).toBeLessThanOrEqual(25);
    for (const [name, subcommands] of Object.entries(PLANNED)) {
      expect(name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(subcommands.length).toBeLessThanOrEqual(25);
      for (const sub of subcommands) expect(sub).toMatch(/^[-_a-z0-9]{1,32}$/);
    }
  });
});

const EVERY_PLATFORM: readonly StatsSpace[] = [
  { platform: 'slack', id: 'T1', formerIds: [], label: 'acme' },
  { platform: 'discord', id: '1300000000000000002', formerIds: [], label: 'acme-discord' },
  { platform: 'telegram', id: '-1001', formerIds: [], label: 'acme-telegram' },
];

describe('stats', () => {
  it('sums days per window and counts a member once per window', async () => {
    // Prepare: every platform, every day: 2 messages, 1 reply, 3 reactions, 1 join, the same two members.
    const store = storeWithDaily({ messages: 2, replies: 1, reactions: 3, joins: 1, members: ['a', 'b'] });

    // Act
    const text = formatStats(await computeStats(store, EVERY_PLATFORM, NOW));

    // Assess: rows are "<label> members messages replies reactions joins".
    const rows = text.split('\n').map((line) => line.trim().split(/\s{2,}/));
    const row = (label: string, after: string) => {
      const start = rows.findIndex((cells) => cells[0] === after);
      return rows
        .slice(start)
        .find((cells) => cells[0] === label)
        ?.slice(1)
        .map(Number);
    };
    expect(row('slack', 'today')).toEqual([2, 2, 1, 3, 1]);
    expect(row('total', 'today')).toEqual([6, 6, 3, 9, 3]);
    expect(row('slack', '7 days')).toEqual([2, 14, 7, 21, 7]);
    expect(row('total', '30 days')).toEqual([6, 180, 90, 270, 90]);
  });

  it('shows only the platforms of the spaces asked about', async () => {
    const store = storeWithDaily({ messages: 1, replies: 0, reactions: 0, joins: 0, members: ['a'] });
    const text = formatStats(
      await computeStats(store, [{ platform: 'telegram', id: '-1001', formerIds: [], label: 'g' }], NOW),
    );
    expect(text).toContain('  telegram');
    expect(text).not.toContain('  slack');
    expect(text).not.toContain('  discord');
    // One space: no per-space row.
    expect(text).not.toContain('  g ');
  });

  it('reads a migrated space under each of its ids, as one space', async () => {
    // Prepare: the same daily numbers under the old and the new id, with one member in common.
    const store: Pick<EngagementStore, 'dayTotals'> = {
      dayTotals: async (space, days) =>
        days.map((day) => ({
          platform: space.platform,
          spaceId: space.id,
          day,
          messages: 1,
          replies: 0,
          reactions: 0,
          joins: 0,
          members: space.id === '-1002' ? ['a', 'b'] : ['a'],
        })),
    };
    const group: StatsSpace = { platform: 'telegram', id: '-1002', formerIds: ['-1001'], label: 'g' };

    // Act
    const stats = await computeStats(store, [group], NOW);

    // Assess: both ids' messages, members counted once.
    expect(stats.windows[0]?.total).toEqual({ members: 2, messages: 2, replies: 0, reactions: 0, joins: 0 });
    expect(stats.windows[1]?.total.messages).toBe(14);
  });

  it('shows each space of a community on its own line, and the totals', async () => {
    const store = storeWithDaily({ messages: 1, replies: 0, reactions: 0, joins: 0, members: ['a'] });
    const text = formatStats(await computeStats(store, EVERY_PLATFORM, NOW));
    const today = text
      .split('\n')
      .slice(4, 11)
      .map((line) => line.trim().split(/\s{2,}/)[0]);
    expect(today).toEqual(['acme', 'acme-discord', 'acme-telegram', 'slack', 'discord', 'telegram', 'total']);
  });
});

describe('feedback note ids', () => {
  it('are short, stable per event and differ between events', () => {
    const event = { ...helpTurn(false).event, id: '13345224609.738474920.8088930838d88f008e0' };
    expect(noteId(event)).toBe(noteId({ ...event }));
    expect(noteId(event)).not.toBe(noteId({ ...event, id: 'other' }));
    expect(noteId(event)).toMatch(/^[0-9a-z]{1,13}$/);
  });
});

describe('announce <text> [everywhere]', () => {
  /** What the announce handler reads from a command as the grammar delivers it. */
  function read(input: CommandInvoked['input']) {
    const call = readCommand(COMMAND_TABLE, input, 'discord');
    if (isProblem(call)) throw new Error(call.problem);
    return readAnnouncement({ values: call.values } as unknown as CommandTurn);
  }

  it('reads a final `everywhere` off typed text, and keeps the text otherwise', () => {
    expect(read({ text: 'announce Meetup on Friday everywhere' })).toEqual({
      text: 'Meetup on Friday',
      everywhere: true,
    });
    expect(read({ text: 'announce Meetup on Friday' })).toEqual({
      text: 'Meetup on Friday',
      everywhere: false,
    });
    expect(read({ text: 'announce We are everywhere.' })).toEqual({
      text: 'We are everywhere.',
      everywhere: false,
    });
  });

  it("takes Discord's boolean option as said, the text as typed", () => {
    const options = { text: 'Meetup everywhere', everywhere: false };
    expect(read({ path: ['announce'], options })).toEqual({ text: 'Meetup everywhere', everywhere: false });
    expect(read({ path: ['announce'], options: { text: 'Meetup', everywhere: true } })).toEqual({
      text: 'Meetup',
      everywhere: true,
    });
  });
});
