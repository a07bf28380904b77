/**
 * `/community schedule set <days> <time> [topics]`, `schedule show`, `schedule off`: a moderator sets the
 * channel's cadence of library posts. A cadence the channel could never keep is refused with its reason:
 * over the channel budget, in a muted channel, or at a time inside quiet hours (every post would be held).
 * Re-setting keeps the pace the channel's feedback set: changing the time does not forgive bad feedback.
 */
import { answer, type CommandTurn, type Outcome } from '../feature.js';
import type { AttentionSettings } from '../outbox/model.js';
import { describeLocal, isQuiet } from '../outbox/zone.js';
import { commandText, isSpace, librarySpace, personOf, quotedList } from './authoring-common.js';
import { describeDays, nextSlot, parseDays, parseTime } from './cadence.js';
import type { FeatureParts } from './feature.js';
import type { ChannelSchedule, Weekday } from './model.js';

const SET = 'schedule set <days> <time> [topics]';

/** A cadence as typed, checked against the library and the community's attention settings. */
interface Cadence {
  readonly days: Weekday[];
  readonly time: string;
  readonly topics: string[];
}

async function setSchedule(turn: CommandTurn): Promise<Outcome> {
  const found = librarySpace(turn, SET);
  if (!isSpace(found)) return found;
  const { stores } = turn.services;
  const { space, channelId } = turn.event.location;
  const settings = await stores.attention.settings(found.communityId);
  const cadence = await readCadence(turn, found.communityId);
  if ('error' in cadence) return answer(cadence.error);
  const refusal = await refusalOf(turn, cadence, settings);
  if (refusal) return answer(refusal);
  const existing = await stores.content.schedule(space, channelId);
  const nextAt = nextSlot(cadence.days, cadence.time, settings.timeZone, turn.now);
  const schedule: ChannelSchedule = {
    communityId: found.communityId,
    space,
    channelId,
    ...cadence,
    setBy: await personOf(turn.services, found.communityId, space, turn.event.member),
    setAt: turn.now.toISOString(),
    pace: existing?.pace ?? 1,
    credit: existing?.credit ?? 0,
    postsSincePaceChange: existing?.postsSincePaceChange ?? 0,
    nextAt: nextAt.toISOString(),
    starvedSlots: existing?.starvedSlots ?? 0,
    ...(existing?.starvedNoticeAt ? { starvedNoticeAt: existing.starvedNoticeAt } : {}),
  };
  await stores.content.saveSchedule(schedule);
  const paced =
    schedule.pace < 1 ? ` The pace stays at ${paceWords(schedule.pace)}, as feedback set it.` : '';
  return answer(
    `Scheduled: a library item here ${cadenceWords(schedule, settings)}. ` +
      `Next slot: ${describeLocal(nextAt, settings.timeZone)}.${paced}`,
  );
}

/** Days, time and topics as typed, or what is wrong with them. */
async function readCadence(turn: CommandTurn, communityId: string): Promise<Cadence | { error: string }> {
  const days = parseDays(String(turn.values.days ?? ''));
  if ('error' in days) return days;
  const typedTime = String(turn.values.time ?? '');
  const time = parseTime(typedTime);
  if (!time)
    return { error: `\`${typedTime.slice(0, 20)}\` is not a time: use HH:MM (24 hours), e.g. \`09:30\`.` };
  const topics = [
    ...new Set(
      String(turn.values.topics ?? '')
        .toLowerCase()
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ];
  if (topics.length === 0) return { days: days.days, time, topics };
  const known = (await turn.services.stores.content.meta(communityId)).topics;
  const unknown = topics.filter((topic) => !known.includes(topic));
  if (unknown.length === 0) return { days: days.days, time, topics };
  const listed =
    known.length > 0
      ? `the library's topics are ${quotedList(known)}`
      : `the library has no topics yet (${commandText('topics add <topic>')})`;
  return { error: `Unknown topic${unknown.length > 1 ? 's' : ''} ${quotedList(unknown)}: ${listed}.` };
}

/** Why the channel could not keep this cadence, if so. */
async function refusalOf(
  turn: CommandTurn,
  cadence: Cadence,
  settings: AttentionSettings,
): Promise<string | undefined> {
  const { space, channelId } = turn.event.location;
  if (cadence.days.length > settings.channelPerWeek) {
    return (
      `${cadence.days.length} a week is over this channel's budget of ${settings.channelPerWeek} a week ` +
      `(${commandText('settings channel-budget')}).`
    );
  }
  if ((await turn.services.stores.attention.channel(space, channelId)).muted) {
    return `This channel is muted for the bot, so nothing would be posted (${commandText('unmute channel')} lifts it).`;
  }
  const slot = nextSlot(cadence.days, cadence.time, settings.timeZone, turn.now);
  const quiet = settings.quietHours;
  if (quiet && isQuiet(slot, settings.timeZone, quiet)) {
    return (
      `${cadence.time} falls in the community's quiet hours (${quiet.start}-${quiet.end}, ${settings.timeZone}): ` +
      'every post would be held. Choose a time outside them.'
    );
  }
  return undefined;
}

async function showSchedules(turn: CommandTurn): Promise<Outcome> {
  const found = librarySpace(turn, 'schedule show');
  if (!isSpace(found)) return found;
  const { stores } = turn.services;
  const [schedules, settings] = await Promise.all([
    stores.content.schedules(turn.event.location.space),
    stores.attention.settings(found.communityId),
  ]);
  if (schedules.length === 0) {
    return answer(`No channel here has scheduled posts. ${commandText(SET)} in a channel sets one.`);
  }
  const lines = schedules.map((schedule) => {
    const starved =
      schedule.starvedSlots > 0 ? ` · ${schedule.starvedSlots} slots skipped (library ran dry)` : '';
    return (
      `- ${channelWords(schedule, found)}: ${cadenceWords(schedule, settings)} · pace ${paceWords(schedule.pace)} · ` +
      `next slot ${describeLocal(new Date(schedule.nextAt), settings.timeZone)}${starved}`
    );
  });
  return answer(`**Scheduled posts**\n${lines.join('\n')}`);
}

/**
 * How a moderator recognises the channel: a Telegram group is its own channel, and its title says more than
 * its chat id; elsewhere the channel id, as the platform shows it in a link.
 */
export function channelWords(
  schedule: ChannelSchedule,
  space: { readonly id: string; readonly name?: string },
): string {
  if (schedule.channelId === space.id && space.name) return `group "${space.name}"`;
  return `channel \`${schedule.channelId}\``;
}

async function stopSchedule(turn: CommandTurn): Promise<Outcome> {
  const found = librarySpace(turn, 'schedule off');
  if (!isSpace(found)) return found;
  const { space, channelId } = turn.event.location;
  const deleted = await turn.services.stores.content.deleteSchedule(space, channelId);
  return answer(
    deleted ? 'Scheduled posts in this channel are off.' : 'This channel has no scheduled posts.',
  );
}

/** `on mon, thu at 09:30 (Europe/Paris), topics a and b`. */
function cadenceWords(
  schedule: Pick<ChannelSchedule, 'days' | 'time' | 'topics'>,
  settings: AttentionSettings,
): string {
  const topics = schedule.topics.length > 0 ? `, topics ${quotedList(schedule.topics)}` : ', any topic';
  return `${describeDays(schedule.days)} at ${schedule.time} (${settings.timeZone})${topics}`;
}

/** `full` or the share of slots that post: `1 in 2 slots`. */
export function paceWords(pace: number): string {
  if (pace >= 1) return 'full';
  const oneIn = 1 / pace;
  return Number.isInteger(oneIn) ? `1 in ${oneIn} slots` : `${Math.round(pace * 100)}% of slots`;
}

export const scheduleParts: FeatureParts = {
  commandHandlers: {
    'schedule set': { run: setSchedule },
    'schedule show': { run: showSchedules },
    'schedule off': { run: stopSchedule },
  },
};
