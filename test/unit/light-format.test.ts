import { describe, expect, it } from 'vitest';
import { parseLightFormat } from '../../shared/core/light-format.js';

describe('parseLightFormat', () => {
  it('splits bold, italic, inline code and fenced blocks', () => {
    expect(parseLightFormat('**Hi** _you_, run `x`:\n```\na  b\n```\nbye')).toEqual([
      { type: 'bold', text: 'Hi' },
      { type: 'text', text: ' ' },
      { type: 'italic', text: 'you' },
      { type: 'text', text: ', run ' },
      { type: 'code', text: 'x' },
      { type: 'text', text: ':\n' },
      { type: 'codeBlock', text: 'a  b' },
      { type: 'text', text: '\nbye' },
    ]);
  });

  it('leaves snake_case words and an unclosed fence as plain text', () => {
    expect(parseLightFormat('use snake_case_names ```oops')).toEqual([
      { type: 'text', text: 'use snake_case_names ' },
      { type: 'text', text: '```oops' },
    ]);
  });
});
