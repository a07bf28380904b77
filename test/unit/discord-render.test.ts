import { describe, expect, it } from 'vitest';
import { CONTENT_LIMIT, escapeMarkdown, renderReply, renderText } from '../../bots/discord/render.js';
import { privateReply, publicReply } from '../../shared/core/reply.js';

describe('renderReply', () => {
  it('marks a private reply ephemeral and never lets it ping anyone', () => {
    expect(renderReply(privateReply('hi'))).toEqual({
      content: 'hi',
      flags: 64,
      allowed_mentions: { parse: [] },
    });
  });

  it('leaves a public reply without flags', () => {
    expect(renderReply(publicReply('hi'))).not.toHaveProperty('flags');
  });

  it('renders buttons as action rows of five, with the action id as custom_id', () => {
    const buttons = Array.from({ length: 7 }, (_, index) => ({ actionId: `a${index}`, label: `B${index}` }));

    const { components } = renderReply(publicReply('pick', buttons));

    expect(components).toHaveLength(2);
    expect(components?.[0]).toMatchObject({ type: 1, components: { length: 5 } });
    expect(components?.[1]).toEqual({
      type: 1,
      components: [
        { type: 2, style: 1, label: 'B5', custom_id: 'a5' },
        { type: 2, style: 1, label: 'B6', custom_id: 'a6' },
      ],
    });
  });
});

describe('renderText', () => {
  it('maps bold, italic and code to Discord markdown', () => {
    expect(renderText('**Stats** for _today_: `/community stats`')).toBe(
      '**Stats** for _today_: `/community stats`',
    );
  });

  it('keeps fenced blocks verbatim, markup characters included', () => {
    const text = 'Table:\n```\n  discord  *2*  _x_\n```';

    expect(renderText(text)).toBe('Table:\n```\n  discord  *2*  _x_\n```');
  });

  it('escapes markup in plain text so member-supplied characters stay literal', () => {
    expect(renderText('a*b*c ~~d~~ <@123> [x](y) |s|')).toBe(
      'a\\*b\\*c \\~\\~d\\~\\~ \\<@123\\> \\[x\\](y) \\|s\\|',
    );
  });

  it('keeps markup characters inside inline code literal', () => {
    expect(renderText('run `a*b_c` then')).toBe('run `a*b_c` then');
  });

  it('cuts text over the content limit and closes a code block it cut open', () => {
    const rendered = renderText(`head\n\`\`\`\n${'x'.repeat(CONTENT_LIMIT * 2)}\n\`\`\``);

    expect(rendered.length).toBeLessThanOrEqual(CONTENT_LIMIT);
    expect(rendered.endsWith('…\n```')).toBe(true);
  });
});

describe('escapeMarkdown', () => {
  it('escapes headings, quotes, lists and numbered lists only where a line starts', () => {
    expect(escapeMarkdown('# big\n> quote\n- item\n3. third\nnot # here - 4. ok')).toBe(
      '\\# big\n\\> quote\n\\- item\n3\\. third\nnot # here - 4. ok',
    );
  });

  it('escapes backslashes first so an escape cannot be undone', () => {
    expect(escapeMarkdown('\\*')).toBe('\\\\\\*');
  });
});
