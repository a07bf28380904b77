import { describe, expect, it } from 'vitest';
import { parseCommandText, runCommand } from '../../shared/core/commands.js';
import type { DayTotals, EngagementStore } from '../../shared/core/engagement.js';
import type { CommandInvoked, Platform } from '../../shared/core/events.js';

const NOW = new Date('2026-11-23T12:00:00Z');

/** A store whose every day holds the same fixed totals: enough to check the command's arithmetic. */
function storeWithDaily(perDay: Omit<DayTotals, 'platform' | 'day'>): EngagementStore {
  return {
    record: () => Promise.reject(new Error('commands do not write')),
    dayTotals: (platform: Platform, days: readonly string[]) =>
      Promise.resolve(days.map((day) => ({ platform, day, ...perDay }))),
  };
}

function invocation(args: string, platform: Platform = 'slack'): CommandInvoked {
  return {
    kind: 'command_invoked',
    id: 'cmd-1',
    args,
    occurredAt: NOW,
    member: { platform, id: 'U1' },
    location: { space: { platform, id: 'T1' }, channelId: 'C1' },
  };
}

const quiet = storeWithDaily({ messages: 0, replies: 0, reactions: 0, joins: 0, members: [] });

describe('runCommand', () => {
  it('shows moderators the stats command in help, and others only help', async () => {
    const asModerator = await runCommand({
      invocation: invocation('help'),
      isModerator: async () => true,
      moderatorRule: 'workspace owners and admins',
      store: quiet,
      now: NOW,
    });
    const asMember = await runCommand({
      invocation: invocation('help'),
      isModerator: async () => false,
      moderatorRule: 'workspace owners and admins',
      store: quiet,
      now: NOW,
    });
    expect(asModerator.text).toContain('/community stats');
    expect(asMember.text).not.toContain('/community stats');
    expect(asMember.visibility).toBe('private');
  });

  it('refuses stats to a non-moderator privately, naming the platform rule', async () => {
    const reply = await runCommand({
      invocation: invocation('stats', 'discord'),
      isModerator: async () => false,
      moderatorRule: 'members with the Manage Server permission',
      store: quiet,
      now: NOW,
    });
    expect(reply.visibility).toBe('private');
    expect(reply.text).toContain('moderators only');
    expect(reply.text).toContain('Manage Server');
  });

  it('sums days per window and counts a member once per window', async () => {
    // Prepare: every platform, every day: 2 messages, 1 reply, 3 reactions, 1 join, the same two members.
    const store = storeWithDaily({ messages: 2, replies: 1, reactions: 3, joins: 1, members: ['a', 'b'] });

    // Act
    const reply = await runCommand({
      invocation: invocation('stats'),
      isModerator: async () => true,
      moderatorRule: 'workspace owners and admins',
      store,
      now: NOW,
    });

    // Assess: rows are "<label> members messages replies reactions joins".
    const rows = reply.text.split('\n').map((line) => line.trim().split(/\s{2,}/));
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

  it('answers an unknown subcommand with help instead of silence', async () => {
    const reply = await runCommand({
      invocation: invocation('launch rockets'),
      isModerator: async () => false,
      moderatorRule: 'workspace owners and admins',
      store: quiet,
      now: NOW,
    });
    expect(reply.text).toContain('Unknown subcommand `launch`');
    expect(reply.text).toContain('/community help');
  });
});

describe('parseCommandText', () => {
  it.each([
    ['/community stats', 'stats'],
    ['/community', ''],
    ['/community@CommunityBot  help ', 'help'],
    ['/COMMUNITY@communitybot stats', 'stats'],
  ])('reads %j as %j', (text, args) => {
    expect(parseCommandText(text, 'CommunityBot')).toBe(args);
  });

  it.each(['/community@otherbot stats', '/communityx', 'hello /community', '/start'])(
    'ignores %j',
    (text) => {
      expect(parseCommandText(text, 'CommunityBot')).toBeUndefined();
    },
  );
});
