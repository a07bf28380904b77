/** `/community me`: everything the product holds about the member who asks, privately. */
import { COMMAND_NAME } from '../command-table.js';
import { describe } from '../communities/links.js';
import type { SpaceRecord } from '../communities/model.js';
import { COLUMN_OF_KIND, isEngagement } from '../engagement.js';
import type { Member } from '../events.js';
import type { Turn } from '../feature.js';
import type { OutboundMessage } from '../messenger.js';
import { lastDays } from '../time.js';
import { type PrivacyState, spaceIds } from './model.js';
import { DEFAULT_RETENTION_DAYS } from './retention.js';
import { memberScope } from './scope.js';

const SINGULAR: Readonly<Record<string, string>> = {
  messages: 'message',
  replies: 'reply',
  reactions: 'reaction',
  joins: 'join',
};

/** `me` counts engagement over this many days. */
export const ME_DAYS = 30;

export async function showMember(turn: Turn, space: SpaceRecord): Promise<OutboundMessage> {
  const { services, event, now } = turn;
  const scope = await memberScope(services, space, event.member, now);
  const fromDay = lastDays(now, ME_DAYS)[0] ?? '';
  const bySpace = await Promise.all(
    scope.spaces.map(async (each) => {
      const activity = (
        await Promise.all(
          spaceIds(each).map((id) => services.stores.engagement.memberActivity(id, scope.memberIds, fromDay)),
        )
      ).flat();
      return { space: each, activity: activity.filter((entry) => isEngagement(entry.kind)) };
    }),
  );
  const counts = new Map<string, number>();
  for (const { activity } of bySpace) {
    for (const { kind } of activity) {
      const column = COLUMN_OF_KIND[kind] ?? kind.replace('_', ' ');
      counts.set(column, (counts.get(column) ?? 0) + 1);
    }
  }
  const seenIn = bySpace.filter((entry) => entry.activity.length > 0).map((entry) => describe(entry.space));
  const kinds = await Promise.all(
    services.memberData.map(async (kind) => ({
      kind,
      count: kind.count ? await kind.count(scope, services.stores) : undefined,
    })),
  );
  const retention = space.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const lines = [
    '**What this bot holds about you in this community**',
    `**Accounts:** ${accountsText(scope.identities)}`,
    `**Recording:** ${recordingText(scope.privacy)}`,
    `**Last ${ME_DAYS} days:** ${
      counts.size > 0
        ? [...counts]
            .map(([column, count]) => `${count} ${count === 1 ? (SINGULAR[column] ?? column) : column}`)
            .join(', ')
        : 'nothing recorded'
    }`,
    `**Spaces:** ${seenIn.length > 0 ? seenIn.join(', ') : 'none in the last 30 days'}`,
    `**What is kept, and for how long** (raw records here: ${retention} days):`,
    ...kinds.map(
      ({ kind, count }) =>
        `- ${kind.name}${count === undefined ? '' : ` (${count})`}: ${kind.purpose}; kept ${kind.keptFor}.`,
    ),
    `- your privacy choice: whether you opted out, as a keyed hash that names nobody; kept for good, so that ` +
      'erasing you stays true.',
    `\`/${COMMAND_NAME} me forget\` erases all of it.`,
  ];
  return { text: lines.join('\n') };
}

/** The member's linked accounts in a community, and how to link another (`me`, the home). */
export function accountsText(identities: readonly Member[]): string {
  return (
    identities.map((identity) => `${identity.platform} \`${identity.id}\``).join(', ') +
    (identities.length > 1 ? ' (linked by you)' : ` (link another with \`/${COMMAND_NAME} me link\`)`)
  );
}

/** Whether the bot records the member, and how to change it (`me`, the home). */
export function recordingText(privacy: PrivacyState): string {
  if (privacy.erasing) return 'stopped, your data is being erased';
  return privacy.optedOut
    ? `stopped (you opted out; \`/${COMMAND_NAME} me optin\` starts again)`
    : `on (\`/${COMMAND_NAME} me optout\` stops it)`;
}
