import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { toMrkdwn } from '../../bots/slack/render.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { GRAMMAR_CASES } from '../support/grammar-cases.js';
import { ackBody, command, dmsTo, field, received } from './slack-deliveries.js';

/**
 * The one command grammar (shared/core/command-grammar.ts), row by row, through the real Slack handler:
 * what a moderator types after `/community` is the slash command's `text`, and each row must run the
 * subcommand it names with the values it names, or be refused with the problem it names.
 */

let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot.close());

/** Who types every row: a moderator, so that `stats` runs and `feedback` reaches the other moderators. */
const USER = 'UMODSAM';

describe('Slack /community text, read by the shared grammar', () => {
  it.each(GRAMMAR_CASES.map((row) => [JSON.stringify(row.text), row] as const))('%s', async (_text, row) => {
    // Act
    const typed = command(row.text, { user: USER });
    const result = await bot.handler(typed.event);
    await bot.lambda.idle();

    // Assess
    const acknowledged = ackBody(result);
    const later = received(bot.api, typed.hookPath).map((request) => field(request, 'text') ?? '');
    if (row.problem !== undefined) {
      expect(acknowledged).toMatchObject({ response_type: 'ephemeral' });
      // The blocks carry the refusal as written (mrkdwn); the `text` fallback drops its markup.
      const blocks = (acknowledged?.blocks ?? []) as { text?: { text?: string } }[];
      const sections = blocks.map((block) => block.text?.text);
      expect(sections.join('')).toContain(toMrkdwn(row.problem));
      expect(later).toEqual([]);
      return;
    }
    switch (row.path) {
      case 'help':
        expect(acknowledged?.text).toContain('the community bot');
        break;
      case 'stats':
        expect(result.body).toBe('');
        expect(later).toEqual([expect.stringContaining('Community stats')]);
        break;
      case 'feedback': {
        expect(result.body).toBe('');
        // The note reaches another moderator exactly as typed (the rest of the line, quotes kept).
        const note = row.values?.note ?? '';
        const delivered = dmsTo(bot.api, 'UMODLEA').filter((request) =>
          field(request, 'text')?.endsWith(`\n${note}`),
        );
        expect(delivered).toHaveLength(1);
        break;
      }
      default:
        throw new Error(`no expectation for the path ${row.path}`);
    }
  });
});
