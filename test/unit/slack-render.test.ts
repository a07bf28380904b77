import { describe, expect, it } from 'vitest';
import {
  renderBlocks,
  renderCommandResponse,
  SECTION_TEXT_LIMIT,
  toMrkdwn,
  toPlainText,
} from '../../bots/slack/render.js';
import { privateReply, publicReply } from '../../shared/core/reply.js';

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
});
