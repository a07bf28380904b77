/**
 * `/community spaces forget <space>`: a community moderator erases everything recorded in one of the
 * community's spaces (after a confirmation). The bot keeps serving the space; removing it is how recording
 * stops. Runs as a later job that a failure half-way simply runs again (every step is a delete).
 */
import { COMMAND_NAME } from '../command-table.js';
import type { ButtonPressed } from '../events.js';
import { answer, type CommandTurn, type Handler, type Turn } from '../feature.js';
import { spaceIds } from '../members/model.js';
import { MAX_RETENTION_DAYS } from '../members/retention.js';
import type { OutboundMessage } from '../messenger.js';
import { lastDays, utcDay } from '../time.js';
import { describe } from './links.js';
import { type SpaceRecord, spaceKey } from './model.js';

export const FORGET_SPACE_ACTION = 'spaces.forget';
export const KEEP_SPACE_ACTION = 'spaces.keep';

const DAY_MS = 24 * 3600 * 1000;

export const forgetSpaceCommand: Handler<CommandTurn> = {
  run: async (turn) => {
    const found = await communitySpace(turn, String(turn.values.space ?? '').trim());
    if (typeof found === 'string') return answer(found);
    return answer(
      `**Erase everything recorded in a space?** ${describe(found)}: its engagement records, daily totals, feedback notes ` +
        'and waiting answers are deleted for good, and its numbers leave this community’s stats. The bot keeps ' +
        'working there (remove it from the space to stop recording).',
      [
        { actionId: FORGET_SPACE_ACTION, label: 'Erase its data', value: spaceKey(found) },
        { actionId: KEEP_SPACE_ACTION, label: 'Cancel' },
      ],
    );
  },
};

export const forgetSpaceButton: Handler<Turn<ButtonPressed>> = {
  run: async (turn) => {
    // Checked again on the press: rights may have changed, the space may have left the community.
    if (!turn.space || !(await turn.isCommunityModerator())) {
      return answer('Only a community moderator can erase a space’s data.');
    }
    const found = await communitySpace(turn, turn.event.value ?? '');
    return typeof found === 'string' ? answer(found) : { kind: 'later' };
  },
  later: async (turn): Promise<OutboundMessage> => {
    const target = await communitySpace(turn, turn.event.value ?? '');
    // It may have left the community since the press: nothing to erase from here then.
    if (typeof target === 'string') return { text: target };
    const days = daysSince(target.registeredAt, turn.now);
    let records = 0;
    let other = 0;
    for (const id of spaceIds(target)) {
      const erased = await turn.services.stores.spaceData.eraseSpace(id, days);
      records += erased.records;
      other += erased.other;
    }
    const here = turn.space as SpaceRecord;
    await turn.services.stores.communities.audit(here.communityId, {
      at: turn.now.toISOString(),
      actor: turn.event.member,
      action: `erased the data of ${spaceKey(target)}`,
      where: spaceKey(here),
    });
    return {
      text:
        `**Erased** what was recorded in ${describe(target)}. This run deleted ${records} engagement records and ` +
        `${other} other items (daily totals, waiting answers, feedback notes); a run that resumed after a failure ` +
        'counts only what was left.',
    };
  },
};

export const keepSpaceButton: Handler<Turn<ButtonPressed>> = {
  run: async () => ({ kind: 'update', message: { text: 'Nothing was erased.' } }),
};

/** The community's space named `key` (`telegram:-100…`), or why there is none. */
async function communitySpace(turn: Turn, key: string): Promise<SpaceRecord | string> {
  const here = turn.space as SpaceRecord;
  const spaces = await turn.services.stores.spaces.spacesOf(here.communityId);
  const found = (spaces.length > 0 ? spaces : [here]).find((space) => spaceKey(space) === key);
  return (
    found ??
    `No space \`${key.replace(/`/g, '')}\` in this community. \`/${COMMAND_NAME} spaces\` lists them.`
  );
}

/**
 * Every UTC day a space can have records on: from the day before it registered (a clock's margin) to today;
 * without a registration date, as far back as any retention keeps records.
 */
function daysSince(registeredAt: string, now: Date): string[] {
  const registered = Date.parse(registeredAt);
  const start = Number.isNaN(registered) ? now.getTime() - MAX_RETENTION_DAYS * DAY_MS : registered - DAY_MS;
  const count = Math.max(1, Math.ceil((now.getTime() - start) / DAY_MS) + 1);
  return lastDays(now, count).filter((day) => day >= utcDay(new Date(start)));
}
