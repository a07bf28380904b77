import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReply } from '../../bots/telegram/render.js';
import { privateReply, publicReply } from '../../shared/core/reply.js';

describe('renderReply (Telegram HTML)', () => {
  it('maps bold, italic, code and fenced blocks to Telegram HTML tags', () => {
    const rendered = renderReply(privateReply('**Stats** for _today_: `/community`\n```\na  1\nb  2\n```'));

    expect(rendered).toEqual({
      text: '<b>Stats</b> for <i>today</i>: <code>/community</code>\n<pre>a  1\nb  2</pre>',
      parse_mode: 'HTML',
    });
  });

  it('escapes markup characters everywhere, inside tags too', () => {
    const rendered = renderReply(publicReply('a < b & "c" > d **<b>x</b>** `<i>`\n```\n<script>\n```'));

    expect(rendered.text).toBe(
      'a &lt; b &amp; &quot;c&quot; &gt; d <b>&lt;b&gt;x&lt;/b&gt;</b> <code>&lt;i&gt;</code>\n' +
        '<pre>&lt;script&gt;</pre>',
    );
  });

  it('turns buttons into an inline keyboard whose callback data is the action id', () => {
    const rendered = renderReply(
      publicReply('Pick one', [
        { actionId: 'vote_yes', label: 'Yes' },
        { actionId: 'vote_no', label: 'No <way>' },
      ]),
    );

    expect(rendered.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'Yes', callback_data: 'vote_yes' }],
        [{ text: 'No <way>', callback_data: 'vote_no' }],
      ],
    });
  });

  it('escapes the four characters HTML mode needs and leaves the rest alone', () => {
    expect(escapeHtml(`Tom & Jerry <3 "quotes" 'single' 👍`)).toBe(
      `Tom &amp; Jerry &lt;3 &quot;quotes&quot; 'single' 👍`,
    );
  });
});
