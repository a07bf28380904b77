import { describe, expect, it } from 'vitest';
import {
  escapeSlackText,
  renderBlocks,
  renderModal,
  renderResponse,
  SECTION_TEXT_LIMIT,
  toMrkdwn,
  toPlainText,
} from '../../bots/slack/render.js';
import { PLATFORMS } from '../../shared/core/events.js';
import {
  type CommunityStats,
  formatStats,
  STATS_WINDOWS,
  type Totals,
} from '../../shared/core/stats/compute.js';

const sectionTexts = (text: string) =>
  renderBlocks({ text }).map((block) => (block.type === 'section' ? (block.text?.text ?? '') : ''));

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
      perSpace: [],
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

  it('renders a message as one mrkdwn section', () => {
    expect(renderBlocks({ text: '**Hello**' })).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Hello*' } },
    ]);
  });

  it('renders buttons as Block Kit buttons carrying the action id and value', () => {
    const blocks = renderBlocks({
      text: 'Pick one',
      buttons: [
        { actionId: 'community_help', label: 'Help', value: 'help' },
        { actionId: 'community_stats', label: 'Stats' },
      ],
    });

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
    const sections = renderBlocks({ text }).map((block) =>
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

  it('answers privately as ephemeral and publicly in the channel, with a text fallback', () => {
    const secret = renderResponse({ text: '**only you**' });
    const shared = renderResponse({ text: 'everyone' }, 'public');

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

describe('Slack modals', () => {
  const form = {
    formId: 'feedback',
    title: 'A title far longer than Slack allows in a modal',
    submitLabel: 'Send',
    fields: [
      { id: 'note', label: 'Your note', style: 'paragraph', required: true, maxLength: 4000 },
      { id: 'name', label: 'Name', style: 'short', required: false, maxLength: 80, placeholder: 'optional' },
    ],
  } as const;

  it('renders a form as a modal: callback_id is the form id, one plain text input per field', () => {
    const modal = renderModal(form, '{"channelId":"C1","userId":"U1"}');

    expect(modal).toMatchObject({
      type: 'modal',
      callback_id: 'feedback',
      submit: { type: 'plain_text', text: 'Send' },
      private_metadata: '{"channelId":"C1","userId":"U1"}',
    });
    expect(modal.blocks).toEqual([
      {
        type: 'input',
        block_id: 'note',
        optional: false,
        label: { type: 'plain_text', text: 'Your note', emoji: true },
        element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 3000 },
      },
      {
        type: 'input',
        block_id: 'name',
        optional: true,
        label: { type: 'plain_text', text: 'Name', emoji: true },
        element: {
          type: 'plain_text_input',
          action_id: 'name',
          multiline: false,
          max_length: 80,
          placeholder: { type: 'plain_text', text: 'optional', emoji: true },
        },
      },
    ]);
  });

  it('cuts a modal title to the 24 characters Slack accepts', () => {
    const { title } = renderModal(form, '{}');

    expect([...title.text]).toHaveLength(24);
    expect(title.text.endsWith('…')).toBe(true);
  });
});
