/** The App Home view (render.ts `renderHome`): a core message as `{type: 'home', blocks}`, within 100 blocks. */
import { describe, expect, it } from 'vitest';
import { HOME_BLOCK_LIMIT, renderHome, SECTION_TEXT_LIMIT } from '../../bots/slack/render.js';

describe('renderHome', () => {
  it('draws a message as a home view of mrkdwn sections', () => {
    expect(renderHome({ text: '**Recording:** on' })).toEqual({
      type: 'home',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Recording:* on' } }],
    });
  });

  it('keeps a home that would need more than 100 blocks to 100, the last one saying it was cut', () => {
    // 120 sections' worth of text: each paragraph alone fills most of a section.
    const paragraph = `${'word '.repeat(Math.floor(SECTION_TEXT_LIMIT / 5) - 1)}end`;
    const text = Array.from({ length: 120 }, () => paragraph).join('\n');

    const view = renderHome({ text });

    expect(view.blocks).toHaveLength(HOME_BLOCK_LIMIT);
    expect(view.blocks.at(-1)).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '_More than this page can show: cut here._' },
    });
    const texts = view.blocks.map((block) => (block as { text?: { text?: string } }).text?.text ?? '');
    expect(texts.every((text) => text.length > 0 && text.length <= SECTION_TEXT_LIMIT)).toBe(true);
  });
});
