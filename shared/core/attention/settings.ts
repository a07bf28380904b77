/**
 * `/community settings ...`: the community-wide settings of unasked speech (time zone, quiet hours, budgets,
 * pause) next to retention, which members/ owns. Each change is audited; `settings` alone shows them all.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import { answer, type CommandTurn, type Outcome } from '../feature.js';
import { DEFAULT_RETENTION_DAYS } from '../members/retention.js';
import type { AttentionSettings } from '../outbox/model.js';
import { isTimeZone, parseQuietHours } from '../outbox/zone.js';
import { auditAction } from './audit.js';

/** At most this many posts a day per channel: more is a feed, not a community channel. */
export const MAX_CHANNEL_PER_DAY = 24;
/** At most this many posts a week per channel. */
export const MAX_CHANNEL_PER_WEEK = 100;
/** At most one unasked private message a day per member; 0 would silently drop every welcome. */
export const MAX_MEMBER_PER_WEEK = 7;
/** `settings` counts failed messages up to this many (`/community audit` lists them). */
export const FAILED_COUNTED = 100;

const SETTINGS = `/${COMMAND_NAME} settings`;

/** `settings` / `settings show`: every setting of the community, and how many messages failed. */
export async function showSettings(turn: CommandTurn): Promise<Outcome> {
  const space = turn.space as SpaceRecord;
  const { attention, outbox } = turn.services.stores;
  const [settings, failed] = await Promise.all([
    attention.settings(space.communityId),
    outbox.failed(space.communityId, FAILED_COUNTED),
  ]);
  const failedCount = failed.length >= FAILED_COUNTED ? `${FAILED_COUNTED} or more` : String(failed.length);
  return answer(
    [
      '**Community settings**',
      `- Retention: raw engagement records are kept ${space.retentionDays ?? DEFAULT_RETENTION_DAYS} days (\`${SETTINGS} retention\`)`,
      `- Time zone: ${settings.timeZone} (\`${SETTINGS} timezone\`)`,
      `- Quiet hours: ${quietText(settings)} (\`${SETTINGS} quiet-hours\`)`,
      `- Channel budget: at most ${settings.channelPerDay} unasked posts a day and ${settings.channelPerWeek} a week in each channel (\`${SETTINGS} channel-budget\`)`,
      `- Member budget: at most ${settings.memberPerWeek} unasked private ${plural(settings.memberPerWeek, 'message')} a week to each member (\`${SETTINGS} member-budget\`)`,
      settings.paused
        ? `- Unasked messages: **paused**, they wait until \`${SETTINGS} resume\``
        : `- Unasked messages: going out (\`${SETTINGS} pause\` holds them all)`,
      `- Failed messages: ${failedCount}`,
    ].join('\n'),
  );
}

function quietText(settings: AttentionSettings): string {
  const quiet = settings.quietHours;
  return quiet ? `${quiet.start}-${quiet.end}, nothing unasked goes out then` : 'none';
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

/** `settings timezone <zone>`: an IANA zone, stored as the runtime spells it. */
export async function setTimeZone(turn: CommandTurn): Promise<Outcome> {
  const typed = String(turn.values.zone ?? '').trim();
  // Offsets (`+01:00`) pass Intl on recent runtimes, but they ignore daylight saving: names only.
  if (!/^[A-Za-z]/.test(typed) || !isTimeZone(typed)) {
    return answer(
      `\`${clip(typed)}\` is not a time zone I know. Use an IANA name such as \`Europe/Paris\`, ` +
        '`America/New_York` or `UTC`.',
    );
  }
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone: typed }).resolvedOptions().timeZone;
  return save(turn, { timeZone: zone }, `set the time zone to ${zone}`, `Time zone: ${zone}.`);
}

/** `settings quiet-hours <HH:MM-HH:MM | off>`. */
export async function setQuietHours(turn: CommandTurn): Promise<Outcome> {
  const typed = String(turn.values.hours ?? '').trim();
  if (typed.toLowerCase() === 'off') {
    return save(
      turn,
      { quietHours: undefined },
      'turned quiet hours off',
      'Quiet hours: none. Unasked messages may go out at any hour.',
    );
  }
  const quiet = parseQuietHours(typed);
  if (!quiet) {
    return answer(
      `Quiet hours are two local times \`HH:MM-HH:MM\` (for example \`21:00-08:00\`, across midnight) or \`off\`; ` +
        `\`${clip(typed)}\` is neither.`,
    );
  }
  const span = `${quiet.start}-${quiet.end}`;
  return save(
    turn,
    { quietHours: quiet },
    `set quiet hours to ${span}`,
    `Quiet hours: ${span} in the community's time zone. What falls in them waits until they end.`,
  );
}

/** `settings channel-budget <per day> <per week>`. */
export async function setChannelBudget(turn: CommandTurn): Promise<Outcome> {
  const perDay = turn.values['per-day'] as number;
  const perWeek = turn.values['per-week'] as number;
  const valid =
    isWhole(perDay, 1, MAX_CHANNEL_PER_DAY) && isWhole(perWeek, 1, MAX_CHANNEL_PER_WEEK) && perDay <= perWeek;
  if (!valid) {
    return answer(
      `A channel budget is two whole numbers: posts a day (1 to ${MAX_CHANNEL_PER_DAY}) and posts a week ` +
        `(1 to ${MAX_CHANNEL_PER_WEEK}), no fewer a week than a day. For example \`${SETTINGS} channel-budget 2 8\`.`,
    );
  }
  return save(
    turn,
    { channelPerDay: perDay, channelPerWeek: perWeek },
    `set the channel budget to ${perDay} a day, ${perWeek} a week`,
    `Channel budget: at most ${perDay} unasked ${plural(perDay, 'post')} a day and ${perWeek} a week in each channel.`,
  );
}

/** `settings member-budget <per week>`. */
export async function setMemberBudget(turn: CommandTurn): Promise<Outcome> {
  const perWeek = turn.values['per-week'] as number;
  if (!isWhole(perWeek, 1, MAX_MEMBER_PER_WEEK)) {
    return answer(
      `A member budget is a whole number of unasked private messages a week, 1 to ${MAX_MEMBER_PER_WEEK}. ` +
        `To stop welcomes, use \`/${COMMAND_NAME} welcome off\`.`,
    );
  }
  return save(
    turn,
    { memberPerWeek: perWeek },
    `set the member budget to ${perWeek} a week`,
    `Member budget: at most ${perWeek} unasked private ${plural(perWeek, 'message')} a week to each member.`,
  );
}

/** `settings pause` / `settings resume`: holds or releases every unasked message of the community. */
export async function setPaused(turn: CommandTurn, paused: boolean): Promise<Outcome> {
  return paused
    ? save(
        turn,
        { paused: true },
        'paused unasked messages',
        `Paused: nothing unasked goes out in this community; what is waiting stays queued until \`${SETTINGS} resume\`.`,
      )
    : save(
        turn,
        { paused: false },
        'resumed unasked messages',
        'Resumed: waiting messages go out as quiet hours and budgets allow.',
      );
}

async function save(
  turn: CommandTurn,
  change: Partial<AttentionSettings>,
  action: string,
  told: string,
): Promise<Outcome> {
  const space = turn.space as SpaceRecord;
  await turn.services.stores.attention.saveSettings(space.communityId, change);
  await auditAction(turn, space.communityId, action);
  return answer(told);
}

function isWhole(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Echoes member input safely inside a code span. */
function clip(text: string): string {
  const clean = text.replaceAll('`', "'");
  return clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
}
