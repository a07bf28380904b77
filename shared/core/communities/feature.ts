/**
 * Communities: which spaces belong together, who runs them, and what was done. Space moderators (as each
 * platform says) manage their own space; community moderators act for every space of the community.
 */

import { COMMAND_NAME } from '../command-table.js';
import type { Member } from '../events.js';
import { answer, type CommandTurn, type Feature } from '../feature.js';
import { sumCounts } from '../members/kinds.js';
import {
  FORGET_SPACE_ACTION,
  forgetSpaceButton,
  forgetSpaceCommand,
  KEEP_SPACE_ACTION,
  keepSpaceButton,
} from './forget-space.js';
import {
  CANCEL_ACTION,
  cancelButton,
  describe,
  JOIN_ACTION,
  joinButton,
  linkCommand,
  unlinkCommand,
} from './links.js';
import { type SpaceRecord, spaceKey } from './model.js';

/** `/community audit` shows this many of the latest moderator actions. */
export const AUDIT_SHOWN = 50;

export const communitiesFeature: Feature = {
  memberData: [
    {
      name: 'community roles and audit entries',
      purpose:
        'that you are a community moderator, and the moderator actions you took (kept, without your name)',
      keptFor: 'roles until removed; audit entries a year',
      erase: (scope, stores) =>
        sumCounts(
          scope.identities.map((identity) => stores.communities.eraseMember(scope.communityId, identity)),
        ),
    },
  ],
  commands: [
    {
      name: 'link',
      summary: 'Link spaces into one community (a one-time code)',
      moderatorOnly: true,
      options: [
        { name: 'code', type: 'text', summary: 'A code from another space (S-XXXX-XXXX)', required: false },
      ],
    },
    {
      name: 'unlink',
      summary: 'Make a space a community of its own again',
      moderatorOnly: true,
      communityOnly: true,
      options: [
        {
          name: 'space',
          type: 'text',
          summary: 'Which space (as /community spaces names it); this one if left out',
          required: false,
        },
      ],
    },
    {
      name: 'spaces',
      summary: "This community's spaces",
      bare: 'list',
      commands: [
        { name: 'list', summary: "This community's spaces", moderatorOnly: true, options: [] },
        {
          name: 'forget',
          summary: 'Erase everything recorded in one of them',
          moderatorOnly: true,
          communityOnly: true,
          options: [
            {
              name: 'space',
              type: 'text',
              summary: 'Which space (as /community spaces names it)',
              required: true,
            },
          ],
        },
      ],
    },
    {
      name: 'moderators',
      summary: "This community's moderators",
      bare: 'list',
      commands: [
        { name: 'list', summary: "Who the community's moderators are", moderatorOnly: true, options: [] },
        {
          name: 'add',
          summary: 'Make a member a community moderator',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'member', type: 'member', summary: 'Who', required: true }],
        },
        {
          name: 'remove',
          summary: 'Stop a member being a community moderator',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'member', type: 'member', summary: 'Who', required: true }],
        },
      ],
    },
    {
      name: 'audit',
      summary: `The last ${AUDIT_SHOWN} moderator actions in this community`,
      moderatorOnly: true,
      communityOnly: true,
      options: [],
    },
  ],
  commandHandlers: {
    link: linkCommand,
    unlink: unlinkCommand,
    'spaces list': { run: listSpaces },
    'spaces forget': forgetSpaceCommand,
    'moderators list': { run: listModerators },
    'moderators add': { run: addModerator },
    'moderators remove': { run: removeModerator },
    audit: { run: showAudit },
  },
  buttonHandlers: {
    [JOIN_ACTION]: joinButton,
    [CANCEL_ACTION]: cancelButton,
    [FORGET_SPACE_ACTION]: forgetSpaceButton,
    [KEEP_SPACE_ACTION]: keepSpaceButton,
  },
};

async function listSpaces(turn: CommandTurn) {
  const here = turn.space as SpaceRecord;
  const spaces = await turn.services.stores.spaces.spacesOf(here.communityId);
  const lines = spaces.map(
    (space) =>
      `- ${describe(space)}: ${space.status === 'active' ? 'active' : space.status}` +
      (spaceKey(space) === spaceKey(here) ? ' (this space)' : ''),
  );
  return answer(`**This community's spaces**\n${lines.join('\n')}`);
}

async function listModerators(turn: CommandTurn) {
  const here = turn.space as SpaceRecord;
  const moderators = await turn.services.stores.communities.moderators(here.communityId);
  if (moderators.length === 0) {
    return answer(
      `This community has no community moderators yet, so the moderators of its space run it ` +
        `(${turn.services.moderatorRule}). The first \`/${COMMAND_NAME} link\` makes the two moderators who link ` +
        `it community moderators.`,
    );
  }
  return answer(`**Community moderators**\n${moderators.map((member) => `- ${who(member)}`).join('\n')}`);
}

async function addModerator(turn: CommandTurn) {
  const here = turn.space as SpaceRecord;
  const member = turn.values.member as Member;
  const { communities } = turn.services.stores;
  if (await communities.isModerator(here.communityId, member)) {
    return answer(`${who(member)} is a community moderator already.`);
  }
  const founding = (await communities.moderators(here.communityId)).length === 0;
  await communities.addModerator(here.communityId, member);
  // A community nobody had named moderators for was run by its space's moderators: the one adding stays one.
  if (founding && !sameMember(member, turn.event.member)) {
    await communities.addModerator(here.communityId, turn.event.member);
  }
  await audit(turn, `made ${who(member)} a community moderator`);
  return answer(`${who(member)} is a community moderator now.`);
}

async function removeModerator(turn: CommandTurn) {
  const here = turn.space as SpaceRecord;
  const member = turn.values.member as Member;
  const { communities } = turn.services.stores;
  const moderators = await communities.moderators(here.communityId);
  if (!moderators.some((moderator) => sameMember(moderator, member))) {
    return answer(`${who(member)} is not a community moderator.`);
  }
  if (moderators.length === 1) {
    return answer('A community keeps at least one community moderator: add another one first.');
  }
  await communities.removeModerator(here.communityId, member);
  await audit(turn, `removed ${who(member)} from the community moderators`);
  return answer(`${who(member)} is no longer a community moderator.`);
}

async function showAudit(turn: CommandTurn) {
  const here = turn.space as SpaceRecord;
  const entries = await turn.services.stores.communities.auditTrail(here.communityId, AUDIT_SHOWN);
  if (entries.length === 0) return answer('No moderator actions recorded in this community yet.');
  const lines = entries.map(
    (entry) =>
      `- ${entry.at.slice(0, 16).replace('T', ' ')} UTC, ${who(entry.actor)} in \`${entry.where}\`: ${entry.action}`,
  );
  return answer(`**Moderator actions** (latest first)\n${lines.join('\n')}`);
}

function audit(turn: CommandTurn, action: string): Promise<void> {
  const here = turn.space as SpaceRecord;
  return turn.services.stores.communities.audit(here.communityId, {
    at: turn.now.toISOString(),
    actor: turn.event.member,
    action,
    where: spaceKey(here),
  });
}

function who(member: { readonly platform: string; readonly id: string }): string {
  return `\`${member.platform}:${member.id}\``;
}

function sameMember(a: Member, b: Member): boolean {
  return a.platform === b.platform && a.id === b.id;
}
