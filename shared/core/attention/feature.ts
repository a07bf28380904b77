/**
 * Attention: how much the bot may say unasked, when, and where. Moderators set the community's time zone,
 * quiet hours and budgets, pause everything, mute a channel and name channels' roles; each member may mute
 * the bot for themselves. The outbox (outbox/) reads all of it before it sends anything.
 *
 * Groups are shaped for Discord, where a group cannot run alone: each lists the subcommand its bare name runs
 * on text platforms (`/community settings` is `settings show`, `/community mute` is `mute me`).
 */
import type { CommandGroup, TableEntry } from '../command-table.js';
import type { Feature, MemberDataKind } from '../feature.js';
import { setRetention } from '../members/feature.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../members/retention.js';
import { CHANNEL_ROLES, OUTBOX_KEPT_DAYS, SPEND_KEPT_DAYS } from '../outbox/model.js';
import { listChannels, toggleRole } from './channels.js';
import { setChannelMuted, setSelfMuted } from './mutes.js';
import {
  MAX_CHANNEL_PER_DAY,
  MAX_CHANNEL_PER_WEEK,
  MAX_MEMBER_PER_WEEK,
  setChannelBudget,
  setMemberBudget,
  setPaused,
  setQuietHours,
  setTimeZone,
  showSettings,
} from './settings.js';

/** A settings change: community-wide, so for community moderators (communities/rights.ts). */
const change = { moderatorOnly: true, communityOnly: true } as const;

const SETTINGS: CommandGroup = {
  name: 'settings',
  summary: "This community's settings",
  bare: 'show',
  commands: [
    { name: 'show', summary: "This community's settings", moderatorOnly: true, options: [] },
    {
      name: 'retention',
      summary: 'How many days raw engagement records are kept',
      ...change,
      options: [
        {
          name: 'days',
          type: 'number',
          summary: `${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}`,
          required: true,
        },
      ],
    },
    {
      name: 'timezone',
      summary: "The community's time zone (quiet hours are local to it)",
      ...change,
      options: [{ name: 'zone', type: 'text', summary: 'An IANA zone, e.g. Europe/Paris', required: true }],
    },
    {
      name: 'quiet-hours',
      summary: 'When nothing unasked goes out',
      ...change,
      options: [
        { name: 'hours', type: 'text', summary: 'HH:MM-HH:MM (e.g. 21:00-08:00), or off', required: true },
      ],
    },
    {
      name: 'channel-budget',
      summary: 'How many unasked posts a channel gets',
      ...change,
      options: [
        { name: 'per-day', type: 'number', summary: `1 to ${MAX_CHANNEL_PER_DAY}`, required: true },
        { name: 'per-week', type: 'number', summary: `1 to ${MAX_CHANNEL_PER_WEEK}`, required: true },
      ],
    },
    {
      name: 'member-budget',
      summary: 'How many unasked private messages a member gets a week',
      ...change,
      options: [{ name: 'per-week', type: 'number', summary: `1 to ${MAX_MEMBER_PER_WEEK}`, required: true }],
    },
    { name: 'pause', summary: 'Hold every unasked message of the community', ...change, options: [] },
    { name: 'resume', summary: 'Let unasked messages go out again', ...change, options: [] },
  ],
};

/** `mute` / `unmute`: for oneself (bare), or a moderator for the channel it is run in. */
function muteGroup(name: 'mute' | 'unmute'): CommandGroup {
  const undo = name === 'unmute';
  return {
    name,
    summary: undo ? 'Let the bot speak unasked again' : 'Stop the bot speaking unasked',
    bare: 'me',
    commands: [
      {
        name: 'me',
        summary: undo ? 'Get unasked messages again' : 'This bot sends you nothing unasked in this community',
        moderatorOnly: false,
        options: [],
      },
      {
        name: 'channel',
        summary: undo ? 'Unasked posts may come to this channel again' : 'No unasked posts in this channel',
        moderatorOnly: true,
        options: [],
      },
    ],
  };
}

const CHANNEL: CommandGroup = {
  name: 'channel',
  summary: "What this space's channels are for",
  bare: 'list',
  commands: [
    { name: 'list', summary: 'Channels with a role, or muted', moderatorOnly: true, options: [] },
    ...CHANNEL_ROLES.map((role) => ({
      name: role,
      summary: `Make this channel ${role === 'announcements' ? 'the' : 'a'} ${role} channel (again: undo)`,
      moderatorOnly: true,
      options: [],
    })),
  ],
};

const ATTENTION_COMMANDS: readonly TableEntry[] = [SETTINGS, muteGroup('mute'), muteGroup('unmute'), CHANNEL];

/** What the attention items keep about a member. */
export const ATTENTION_MEMBER_DATA: readonly MemberDataKind[] = [
  {
    name: 'mutes and message counts',
    purpose:
      'that you muted this bot in the community, and when it sent you something unasked (so it stays within ' +
      'your weekly budget; never the text)',
    keptFor: `a mute until you unmute; each count ${SPEND_KEPT_DAYS} days`,
    // Counting spends would need every topic's budget key; erasing is one query per id.
    erase: (scope, stores) => stores.attention.eraseMember(scope.communityId, scope.memberIds),
  },
  {
    name: 'messages the bot holds for you or sent you',
    purpose:
      'what the bot will say to you unasked, until it is sent; then only that it was sent and when (for audit), ' +
      'without the text',
    keptFor: `until sent, then ${OUTBOX_KEPT_DAYS} days`,
    erase: (scope, stores) => stores.outbox.eraseMember(scope.communityId, scope.memberIds),
  },
];

export const attentionFeature: Feature = {
  commands: ATTENTION_COMMANDS,
  commandHandlers: {
    'settings show': { run: showSettings },
    'settings retention': { run: setRetention },
    'settings timezone': { run: setTimeZone },
    'settings quiet-hours': { run: setQuietHours },
    'settings channel-budget': { run: setChannelBudget },
    'settings member-budget': { run: setMemberBudget },
    'settings pause': { run: (turn) => setPaused(turn, true) },
    'settings resume': { run: (turn) => setPaused(turn, false) },
    'mute me': { run: (turn) => setSelfMuted(turn, true) },
    'unmute me': { run: (turn) => setSelfMuted(turn, false) },
    'mute channel': { run: (turn) => setChannelMuted(turn, true) },
    'unmute channel': { run: (turn) => setChannelMuted(turn, false) },
    'channel list': { run: listChannels },
    ...Object.fromEntries(
      CHANNEL_ROLES.map((role) => [`channel ${role}`, { run: (turn) => toggleRole(turn, role) }]),
    ),
  } satisfies Feature['commandHandlers'],
  memberData: ATTENTION_MEMBER_DATA,
};
