import { describe, expect, it } from 'vitest';
import {
  escapeSlackText,
  renderBlocks,
  renderCommandResponse,
  SECTION_TEXT_LIMIT,
  toMrkdwn,
  toPlainText,
} from '../../bots/slack/render.js';
import { PLATFORMS } from '../../shared/core/events.js';
import { privateReply, publicReply } from '../../shared/core/reply.js';
import { type CommunityStats, formatStats, STATS_WINDOWS, type Totals } from '../../shared/core/stats.js';

const sectionTexts = (text: string) =>
  renderBlocks(privateReply(text)).map((block) => (block.type === 'section' ? (block.text?.text ?? '') : ''));

/** A busy community's numbers: four- and five-digit counts in every cell, as a long-lived workspace has. */
function busyStats(): CommunityStats {
  const totals = (scale: number): Totals => ({
    members: 1234 * scale,
    messages: 56789 * scale,
    replies: 23456 * scale,
    reactions: 98765 * scale,
    joins: 4321 * scale,
  });
  return {
    through: '2026-05-04',
    windows: STATS_WINDOWS.map(({ label, days }) => ({
      label,
      perPlatform: Object.fromEntries(PLATFORMS.map((platform) => [platform, totals(days)])) as Record<
        (typeof PLATFORMS)[number],
        Totals
      >,
      total: totals(days * 3),
    })),
  };
}

describe('Slack rendering', () => {
  it('turns the light format into mrkdwn', () => {
    expect(toMrkdwn('**Stats** are _fresh_, run `/community stats`')).toBe(
      '*Stats* are _fresh_, run `/community stats`',
    );
  });

  it('turns a fenced block into a Slack code block', () => {
    expect(toMrkdwn('Table:\n```\na  1\nb  2\n```')).toBe('Table:\n```\na  1\nb  2\n```');
  });

  it('escapes &, < and > everywhere, so member-chosen text cannot become a mention or link', () => {
    expect(toMrkdwn('a < b & c > d **<!channel>** `x<y`')).toBe(
      'a &lt; b &amp; c &gt; d *&lt;!channel&gt;* `x&lt;y`',
    );
  });

  it('gives a plain fallback text without markup, still escaped', () => {
    expect(toPlainText('**Hi** _there_ `<code>`\n```\nrow\n```')).toBe('Hi there &lt;code&gt;\n\nrow\n');
  });

  it('renders a reply as one mrkdwn section', () => {
    expect(renderBlocks(privateReply('**Hello**'))).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Hello*' } },
    ]);
  });

  it('renders buttons as Block Kit buttons whose action_id is the reply button actionId', () => {
    const blocks = renderBlocks(
      publicReply('Pick one', [
        { actionId: 'community_help', label: 'Help', value: 'help' },
        { actionId: 'community_stats', label: 'Stats' },
      ]),
    );

    expect(blocks[1]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'community_help',
          text: { type: 'plain_text', text: 'Help', emoji: true },
          value: 'help',
        },
        {
          type: 'button',
          action_id: 'community_stats',
          text: { type: 'plain_text', text: 'Stats', emoji: true },
        },
      ],
    });
  });

  it('splits long text into sections Slack accepts, without cutting markup', () => {
    // Prepare: escaping makes each `&` five characters long.
    const text = `${'&'.repeat(1000)} **${'b'.repeat(2500)}** ${'c'.repeat(700)}`;

    // Act
    const sections = renderBlocks(privateReply(text)).map((block) =>
      block.type === 'section' ? (block.text?.text ?? '') : '',
    );

    // Assess: every section fits, opens as many bold runs as it closes, and nothing is lost.
    expect(sections.length).toBeGreaterThan(1);
    for (const section of sections) {
      expect(section.length).toBeLessThanOrEqual(SECTION_TEXT_LIMIT);
      expect((section.match(/\*/g) ?? []).length % 2).toBe(0);
    }
    expect(sections.join('').replace(/\*/g, '')).toBe(toMrkdwn(text).replace(/\*/g, ''));
  });

  it('answers a private reply ephemerally and a public one in the channel, with a text fallback', () => {
    const secret = renderCommandResponse(privateReply('**only you**'));
    const shared = renderCommandResponse(publicReply('everyone'));

    expect(secret).toMatchObject({ response_type: 'ephemeral', text: 'only you' });
    expect(secret.blocks).toHaveLength(1);
    expect(shared).toMatchObject({ response_type: 'in_channel', text: 'everyone' });
  });

  it('keeps the stats table one code block in one section, its lines whole', () => {
    // Prepare: longer than the 598 characters the renderer used to cut segments at, far below 3,000.
    const text = formatStats(busyStats());
    const table = text.slice(text.indexOf('```') + 4, text.lastIndexOf('```') - 1);

    // Act
    const sections = sectionTexts(text);

    // Assess
    expect(table.length).toBeGreaterThan(600);
    expect(sections).toHaveLength(1);
    expect(sections[0]?.match(/```/g)).toHaveLength(2);
    expect(sections[0]).toContain(`\`\`\`\n${table}\n\`\`\``);
  });

  it('splits a code block longer than a section between lines, each piece a block of whole lines', () => {
    // Prepare: 150 lines of 40 characters, with characters escaping makes longer.
    const lines = Array.from({ length: 150 }, (_, index) =>
      `row ${String(index).padStart(3, '0')} a<b & c>d`.padEnd(40, '.'),
    );
    const text = `\`\`\`\n${lines.join('\n')}\n\`\`\``;

    // Act
    const sections = sectionTexts(text);

    // Assess
    expect(sections.length).toBeGreaterThan(1);
    const blockLines = sections.flatMap((section) => {
      expect(section.length).toBeLessThanOrEqual(SECTION_TEXT_LIMIT);
      expect(section.startsWith('```\n') && section.endsWith('\n```')).toBe(true);
      return section.slice(4, -4).split('\n');
    });
    expect(blockLines).toEqual(lines.map(escapeSlackText));
  });

  it('cuts inside a line only when that one line is longer than a section', () => {
    const line = 'x'.repeat(SECTION_TEXT_LIMIT + 100);

    const sections = sectionTexts(`\`\`\`\nshort\n${line}\nshort too\n\`\`\``);

    expect(sections.map((section) => section.length <= SECTION_TEXT_LIMIT)).toEqual(sections.map(() => true));
    expect(sections.join('').replace(/```|\n/g, '')).toBe(`short${line}short too`);
    expect(sections[0]).toBe('```\nshort\n```');
  });
});
