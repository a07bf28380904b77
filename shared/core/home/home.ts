/**
 * The bot's home: what a member sees when they open the bot's own page (Slack's App Home tab). Everyone's
 * view says what they can do, whether the bot records them and which accounts they linked; a moderator's
 * adds this week's numbers, the community's failed messages and the unread feedback of the spaces their
 * stats cover. Built as one core message, which the platform draws (Messenger.publishHome).
 */
import { FAILED_COUNTED } from '../attention/settings.js';
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import { notEnabledText } from '../communities/spaces.js';
import type { HomeOpened } from '../events.js';
import type { CoreServices } from '../feature.js';
import type { FeedbackNote } from '../feedback/store.js';
import { helpFor } from '../help/help.js';
import { accountsText, recordingText } from '../members/me.js';
import { memberScope } from '../members/scope.js';
import type { OutboundMessage } from '../messenger.js';
import { computeStats, formatStats, type StatsSpace } from '../stats/compute.js';
import { statsScope } from '../stats/stats.js';

/** The home shows this many unread notes, newest first (the count says how many there are in all). */
export const HOME_NOTES_SHOWN = 3;
/** A note's text is cut to this many characters in the home: the note itself is in the moderator's DMs. */
export const HOME_NOTE_CHARACTERS = 300;
/** The stats window the home shows (`/community stats` shows the others). */
const HOME_WINDOW = '7 days';

/** One opening of the home: the member, the space as stored, and their rights (asked at most once). */
export interface HomeTurn {
  readonly event: HomeOpened;
  readonly now: Date;
  readonly services: CoreServices;
  /** The space the home belongs to (a Slack workspace), as stored; undefined if the bot never saw it. */
  readonly space?: SpaceRecord;
  /** Whether the member moderates the space: the platform says so, or they are a community moderator. */
  isModerator(): Promise<boolean>;
}

/** The member's home: their own part, then (for a moderator, checked server side) the moderators' part. */
export async function homeView(turn: HomeTurn): Promise<OutboundMessage> {
  const { space } = turn;
  if (!space) return { text: 'This bot does not know this workspace yet: add it to a channel to start.' };
  if (space.status !== 'active') return { text: notEnabledText(space) };
  const moderator = await turn.isModerator();
  const parts = await Promise.all([
    memberPart(turn, space, moderator),
    moderator ? moderatorPart(turn, space) : undefined,
  ]);
  return { text: parts.filter((part) => part !== undefined).join('\n\n') };
}

/** What the member can do here, whether they are recorded, and their accounts in this community. */
async function memberPart(turn: HomeTurn, space: SpaceRecord, moderator: boolean): Promise<string> {
  const { services, event, now } = turn;
  const scope = await memberScope(services, space, event.member, now);
  return [
    `**Your home with the community bot** in ${space.name ?? space.id}`,
    `**Recording:** ${recordingText(scope.privacy)}`,
    `**Accounts:** ${accountsText(scope.identities)}`,
    `\`/${COMMAND_NAME} me\` shows everything the bot holds about you; \`/${COMMAND_NAME} me forget\` erases it.`,
    '',
    helpFor(services.table, moderator),
  ].join('\n');
}

/**
 * This week's numbers and unread feedback of the spaces the moderator's stats cover (their space, or every
 * space of the community for a community moderator), and the community's failed messages: never another
 * community's.
 */
async function moderatorPart(turn: HomeTurn, space: SpaceRecord): Promise<string> {
  const { stores } = turn.services;
  const scope = await statsScope(stores, space, turn.event.member);
  const [stats, failed, notes] = await Promise.all([
    computeStats(stores.engagement, scope, turn.now),
    stores.outbox.failed(space.communityId, FAILED_COUNTED),
    unreadNotes(turn, scope),
  ]);
  const week = { ...stats, windows: stats.windows.filter((window) => window.label === HOME_WINDOW) };
  const failedCount = failed.length >= FAILED_COUNTED ? `${FAILED_COUNTED} or more` : String(failed.length);
  return [
    '**Your community this week** (you moderate here)',
    formatStats(week),
    `**Failed messages:** ${failedCount} (\`/${COMMAND_NAME} audit\` lists them)`,
    ...feedbackLines(notes),
  ].join('\n');
}

async function unreadNotes(turn: HomeTurn, scope: readonly StatsSpace[]): Promise<FeedbackNote[]> {
  const { feedback } = turn.services.stores;
  const perSpace = await Promise.all(
    scope.map((space) => feedback.unread({ platform: space.platform, id: space.id }, turn.now)),
  );
  return perSpace.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function feedbackLines(notes: readonly FeedbackNote[]): string[] {
  if (notes.length === 0) return ['**Unread feedback:** none'];
  const shown = notes.slice(0, HOME_NOTES_SHOWN);
  return [
    `**Unread feedback:** ${notes.length} ${notes.length === 1 ? 'note' : 'notes'}` +
      (notes.length > shown.length ? ` (the latest ${shown.length} here)` : ''),
    ...shown.map((note) => `- from \`${note.from.id}\`, ${note.createdAt.slice(0, 10)}: ${clip(note.text)}`),
    '_Mark a note read from the private message the bot sent you about it._',
  ];
}

/** One line of at most {@link HOME_NOTE_CHARACTERS} characters (never cut inside a surrogate pair). */
function clip(text: string): string {
  const characters = [...text.replace(/\s+/g, ' ').trim()];
  if (characters.length <= HOME_NOTE_CHARACTERS) return characters.join('');
  return `${characters.slice(0, HOME_NOTE_CHARACTERS - 1).join('')}…`;
}
