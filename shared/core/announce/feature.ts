/**
 * `/community announce <text> [everywhere]`: a moderator's announcement, posted through the outbox and the
 * channel budget to the channel the command was run in, or (a community moderator, `everywhere`) to the
 * announcements channel of every space of the community. The moderator is told where and when each goes.
 *
 * `everywhere` is the last word of the line: the text option takes the rest of the line on text platforms
 * (command-grammar.ts), so the handler reads a final `everywhere` off it. Discord also offers it as a boolean
 * option of its own; given there (yes or no), the text is kept exactly as typed. Without the option, a final
 * `everywhere` means the same on every platform (the Discord sandbox, like a member in a hurry, types it). To
 * announce text that ends in the word, end it with a full stop.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import { answer, type CommandTurn, type Feature, type Outcome } from '../feature.js';
import { announceEverywhere, announceHere, MUTED_HERE } from './send.js';

/** Within one message on every platform (Discord allows 2000 characters). */
export const ANNOUNCEMENT_MAX_LENGTH = 1800;

const EVERYWHERE = /\s+everywhere$/i;

/** The announcement and whether it goes everywhere, as the platform delivered the command. */
export function readAnnouncement(turn: CommandTurn): { text: string; everywhere: boolean } {
  const typed = String(turn.values.text ?? '').trim();
  if (typeof turn.values.everywhere === 'boolean') {
    return { text: typed, everywhere: turn.values.everywhere === true };
  }
  return EVERYWHERE.test(typed)
    ? { text: typed.replace(EVERYWHERE, '').trim(), everywhere: true }
    : { text: typed, everywhere: false };
}

async function checkAnnouncement(turn: CommandTurn): Promise<Outcome> {
  const { text, everywhere } = readAnnouncement(turn);
  if (!text) return answer(`Nothing to announce: \`/${COMMAND_NAME} announce <text> [everywhere]\`.`);
  if (text.length > ANNOUNCEMENT_MAX_LENGTH) {
    return answer(
      `Please keep an announcement under ${ANNOUNCEMENT_MAX_LENGTH} characters (yours has ${text.length}).`,
    );
  }
  // Checked here, in the request: the later run trusts the rights the request checked (dispatcher.ts).
  if (everywhere && !(await turn.isCommunityModerator())) {
    return answer(
      `Only a community moderator can announce in every space (\`/${COMMAND_NAME} moderators list\` names ` +
        'them). Without `everywhere` it goes to this channel.',
    );
  }
  if (!everywhere && (await channelMuted(turn))) return answer(MUTED_HERE);
  return { kind: 'later' };
}

async function channelMuted(turn: CommandTurn): Promise<boolean> {
  const { location } = turn.event;
  return (await turn.services.stores.attention.channel(location.space, location.channelId)).muted;
}

export const announceFeature: Feature = {
  commands: [
    {
      name: 'announce',
      summary: 'Announce here, or in every space',
      moderatorOnly: true,
      options: [
        { name: 'text', type: 'text', summary: 'The announcement', required: true, rest: true },
        {
          name: 'everywhere',
          type: 'boolean',
          summary: "In every space's announcements channel (community moderators)",
          required: false,
        },
      ],
    },
  ],
  commandHandlers: {
    announce: {
      run: checkAnnouncement,
      later: async (turn) => {
        const { text, everywhere } = readAnnouncement(turn);
        const space = turn.space as SpaceRecord;
        return everywhere ? announceEverywhere(turn, space, text) : announceHere(turn, space, text);
      },
    },
  },
};
