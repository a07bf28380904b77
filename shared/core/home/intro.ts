/**
 * The introduction a member gets in a private chat with the bot (Telegram's `/start` and `/help`, a deep
 * link that has nothing left to deliver, and `/community help` sent privately on any platform): what the
 * bot offers, where its commands work, and how to link this account with the member's accounts on other
 * platforms. A private chat belongs to no community, so it shows nobody's data.
 */
import { COMMAND_NAME, type TableEntry } from '../command-table.js';
import { answer, type Feature } from '../feature.js';
import { helpFor } from '../help/help.js';
import { MEMBER_CODE_MINUTES } from '../members/identities.js';

/**
 * `/start` and `/help` as typed to the bot in a private chat (Telegram adds `@<bot>` when picked from the
 * menu in some clients). `/start <token>` is a deep link: the adapter hands its token on separately.
 */
const INTRO_COMMAND = /^\/(?:start|help)(?:@\w+)?$/i;

/** Whether private text asks for the introduction. */
export function asksForIntro(text: string): boolean {
  return INTRO_COMMAND.test(text.trim());
}

/** The introduction: help's list for members, where to use it, and how to link this account. */
export function introText(table: readonly TableEntry[]): string {
  const link = `/${COMMAND_NAME} me link`;
  return [
    helpFor(table, false),
    '**Where:** send these in a group or channel of your community, so the bot knows which one you mean. ' +
      'Nothing you send in this private chat is counted.',
    `**Link this account** with yours on another platform, so they count as one member: there, in a space of ` +
      `your community, send \`${link}\` to get a code, then send \`${link} <code>\` here (a code works once, ` +
      `for ${MEMBER_CODE_MINUTES} minutes). It works the other way round too.`,
    `In your community, \`/${COMMAND_NAME} me\` shows what the bot holds about you.`,
  ].join('\n');
}

/**
 * The help feature, with `help` sent in a private chat answered by the introduction (Telegram's bare
 * `/start` arrives as that command): there is no community there to list moderators' commands for.
 */
export function withIntro(help: Feature): Feature {
  const inCommunity = help.commandHandlers.help;
  if (!inCommunity) throw new Error('The help feature has no help command');
  return {
    ...help,
    commandHandlers: {
      ...help.commandHandlers,
      help: {
        run: (turn) =>
          turn.event.location.direct
            ? Promise.resolve(answer(introText(turn.services.table)))
            : inCommunity.run(turn),
      },
    },
  };
}
