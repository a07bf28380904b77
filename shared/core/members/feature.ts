/**
 * Members and privacy: `/community me ...` lets a person link their identities across platforms, see what the
 * product holds about them, stop it and erase it; `/community forget <member>` lets community moderators
 * erase someone who asked another way. `/community settings retention` (how long records are kept) is
 * handled here and listed in the settings group (attention/feature.ts).
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import type { ButtonPressed } from '../events.js';
import { type Member, PLATFORMS, type Platform } from '../events.js';
import { answer, type CommandTurn, type Feature, type Handler, type Turn } from '../feature.js';
import type { OutboundMessage } from '../messenger.js';
import { eraseMember, reportText } from './erasure.js';
import { linkMember } from './identities.js';
import { CORE_MEMBER_DATA } from './kinds.js';
import { showMember } from './me.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from './retention.js';
import { spacesOf } from './scope.js';

export const FORGET_ME_ACTION = 'me.forget';
export const FORGET_MEMBER_ACTION = 'members.forget';
export const KEEP_ACTION = 'me.keep';

const IN_A_SPACE = `Use this in a space of your community (where \`/${COMMAND_NAME} me\` knows which community you mean).`;

type SpaceHandler = (turn: CommandTurn, space: SpaceRecord) => Promise<ReturnType<typeof answer>>;

function withSpace(turn: CommandTurn, run: SpaceHandler) {
  return turn.space ? run(turn, turn.space) : Promise.resolve(answer(IN_A_SPACE));
}

async function inSpace(
  turn: Turn,
  run: (turn: Turn, space: SpaceRecord) => Promise<OutboundMessage>,
): Promise<OutboundMessage> {
  return turn.space ? run(turn, turn.space) : { text: IN_A_SPACE };
}

async function unlink(turn: CommandTurn, space: SpaceRecord) {
  const platform = turn.values.platform as Platform;
  const { members } = turn.services.stores;
  const identities = await members.identities(space.communityId, turn.event.member);
  const target = identities.find((identity) => identity.platform === platform);
  if (!target || identities.length === 1)
    return answer(`You have no linked ${platform} account in this community.`);
  const remaining = identities.filter((identity) => identity !== target);
  await members.deleteIdentity(space.communityId, target);
  if (remaining.length > 1) await members.saveIdentities(space.communityId, remaining, turn.now);
  else await Promise.all(remaining.map((identity) => members.deleteIdentity(space.communityId, identity)));
  return answer(
    `Unlinked: your ${platform} account \`${target.id}\` is a separate member of this community again.`,
  );
}

async function setOptedOut(turn: CommandTurn, space: SpaceRecord, optedOut: boolean) {
  const { members } = turn.services.stores;
  const pseudonyms = await turn.services.pseudonyms();
  const identities = await members.identities(space.communityId, turn.event.member);
  const keys = identities.map((identity) => pseudonyms.privacyKey(identity));
  if (!optedOut && [...(await members.privacy(keys)).values()].some((state) => state.erasing)) {
    return answer('Your data is being erased right now; opt in again once that is done.');
  }
  await Promise.all(keys.map((key) => members.setOptedOut(key, optedOut, turn.now)));
  const accounts = identities.length > 1 ? `your ${identities.length} linked accounts` : 'you';
  return answer(
    optedOut
      ? `Stopped: from now on nothing about ${accounts} is recorded, and this bot sends you nothing unasked. ` +
          `What was recorded before stays until you erase it (\`/${COMMAND_NAME} me forget\`); ` +
          `\`/${COMMAND_NAME} me optin\` starts again.`
      : `Recording again: your engagement counts from now on. \`/${COMMAND_NAME} me optout\` stops it.`,
  );
}

function askToForget() {
  return answer(
    '**Erase everything this bot holds about you in this community?** Your engagement records, your place in ' +
      'the daily totals, linked accounts, codes and anything a feature keeps about you are deleted, and you ' +
      'stay opted out (nothing new is recorded) until you opt in again. This cannot be undone.',
    [
      { actionId: FORGET_ME_ACTION, label: 'Erase my data' },
      { actionId: KEEP_ACTION, label: 'Cancel' },
    ],
  );
}

const forgetMe: Handler<Turn<ButtonPressed>> = {
  run: async (turn) => (turn.space ? { kind: 'later' } : answer(IN_A_SPACE)),
  later: async (turn) => {
    const space = turn.space as SpaceRecord;
    const report = await eraseMember(turn.services, space, turn.event.member, turn.now);
    return {
      text:
        `**Erased.** What this bot held about you in this community is gone:\n${reportText(report)}\n` +
        `Nothing new is recorded about you; \`/${COMMAND_NAME} me optin\` starts again.`,
    };
  },
};

async function askToForgetMember(turn: CommandTurn) {
  const member = turn.values.member as Member;
  return answer(
    `**Erase everything this bot holds about \`${member.platform}:${member.id}\` in this community?** ` +
      'Use this for a request that reached you another way. It cannot be undone, and the audit trail records ' +
      'that you did it (without naming them).',
    [
      { actionId: FORGET_MEMBER_ACTION, label: 'Erase their data', value: `${member.platform}:${member.id}` },
      { actionId: KEEP_ACTION, label: 'Cancel' },
    ],
  );
}

const forgetMember: Handler<Turn<ButtonPressed>> = {
  run: async (turn) => {
    // Rights are checked again on the press: the button may have been forwarded, or rights taken away.
    if (!turn.space || !(await turn.isCommunityModerator())) {
      return answer('Only a community moderator can erase a member’s data.');
    }
    return parseMember(turn.event.value) ? { kind: 'later' } : answer('This button does not name a member.');
  },
  later: async (turn) => {
    const space = turn.space as SpaceRecord;
    const member = parseMember(turn.event.value) as Member;
    const report = await eraseMember(turn.services, space, member, turn.now);
    await turn.services.stores.communities.audit(space.communityId, {
      at: turn.now.toISOString(),
      actor: turn.event.member,
      action: "erased a member's data on request",
      where: `${space.platform}:${space.id}`,
    });
    return { text: `**Erased** that member's data in this community:\n${reportText(report)}` };
  },
};

function parseMember(value: string | undefined): Member | undefined {
  const at = value?.indexOf(':') ?? -1;
  const platform = value?.slice(0, at) as Platform;
  const id = value?.slice(at + 1) ?? '';
  return at > 0 && PLATFORMS.includes(platform) && id ? { platform, id } : undefined;
}

/** `/community settings retention <days>` (the settings group lives in attention/feature.ts). */
export async function setRetention(turn: CommandTurn) {
  const days = turn.values.days as number;
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    return answer(`Retention is a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}.`);
  }
  const space = turn.space as SpaceRecord;
  const spaces = await spacesOf(turn.services, space);
  await Promise.all(spaces.map((each) => turn.services.stores.spaces.setRetention(each, days)));
  await turn.services.stores.communities.audit(space.communityId, {
    at: turn.now.toISOString(),
    actor: turn.event.member,
    action: `set retention to ${days} days`,
    where: `${space.platform}:${space.id}`,
  });
  return answer(
    `Raw engagement records written from now on are kept ${days} days after their day (every instance of ` +
      'the bot reads the setting within a minute); the daily totals stay, so stats do not change when records expire.',
  );
}

export const membersFeature: Feature = {
  commands: [
    {
      name: 'me',
      summary: 'What this bot holds about you: see, link, stop, erase',
      bare: 'show',
      commands: [
        { name: 'show', summary: 'Everything this bot holds about you', moderatorOnly: false, options: [] },
        {
          name: 'link',
          summary: 'Link your account on another platform: get a code, or redeem one',
          moderatorOnly: false,
          options: [
            {
              name: 'code',
              type: 'text',
              summary: 'A code from your other platform (M-XXXX-XXXX)',
              required: false,
            },
          ],
        },
        {
          name: 'unlink',
          summary: 'Undo a link with your account on a platform',
          moderatorOnly: false,
          options: [
            {
              name: 'platform',
              type: 'choice',
              summary: 'Which platform',
              required: true,
              choices: PLATFORMS,
            },
          ],
        },
        { name: 'optout', summary: 'Stop recording anything about you', moderatorOnly: false, options: [] },
        { name: 'optin', summary: 'Record your engagement again', moderatorOnly: false, options: [] },
        {
          name: 'forget',
          summary: 'Erase everything this bot holds about you',
          moderatorOnly: false,
          options: [],
        },
      ],
    },
    {
      name: 'forget',
      summary: "Erase a member's data (at their request)",
      moderatorOnly: true,
      communityOnly: true,
      options: [{ name: 'member', type: 'member', summary: 'Whose data', required: true }],
    },
  ],
  commandHandlers: {
    'me show': { run: async () => ({ kind: 'later' }), later: (turn) => inSpace(turn, showMember) },
    'me link': { run: (turn) => linkMember(turn) },
    'me unlink': { run: (turn) => withSpace(turn, unlink) },
    'me optout': { run: (turn) => withSpace(turn, (t, space) => setOptedOut(t, space, true)) },
    'me optin': { run: (turn) => withSpace(turn, (t, space) => setOptedOut(t, space, false)) },
    'me forget': { run: (turn) => withSpace(turn, async () => askToForget()) },
    forget: { run: askToForgetMember },
  },
  buttonHandlers: {
    [FORGET_ME_ACTION]: forgetMe,
    [FORGET_MEMBER_ACTION]: forgetMember,
    [KEEP_ACTION]: { run: async () => ({ kind: 'update', message: { text: 'Nothing was erased.' } }) },
  },
  memberData: CORE_MEMBER_DATA,
};
