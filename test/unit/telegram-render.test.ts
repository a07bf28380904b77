import { describe, expect, it } from 'vitest';
import { splitCallbackData } from '../../bots/telegram/parse.js';
import {
  alertText,
  ButtonPayloadError,
  CALLBACK_DATA_LIMIT,
  escapeHtml,
  renderMessage,
} from '../../bots/telegram/render.js';
import type { Button } from '../../shared/core/messenger.js';

describe('renderMessage (Telegram HTML)', () => {
  it('maps bold, italic, code and fenced blocks to Telegram HTML tags', () => {
    const rendered = renderMessage({ text: '**Stats** for _today_: `/community`\n```\na  1\nb  2\n```' });

    expect(rendered).toEqual({
      text: '<b>Stats</b> for <i>today</i>: <code>/community</code>\n<pre>a  1\nb  2</pre>',
      parse_mode: 'HTML',
    });
  });

  it('shows inline code inside bold or italic text as code, not as backticks', () => {
    const rendered = renderMessage({ text: '**Needs more for `-100<1>` (telegram)** _see `x`_' });

    expect(rendered.text).toBe(
      '<b>Needs more for <code>-100&lt;1&gt;</code> (telegram)</b> <i>see <code>x</code></i>',
    );
  });

  it('escapes markup characters everywhere, inside tags too', () => {
    const rendered = renderMessage({ text: 'a < b & "c" > d **<b>x</b>** `<i>`\n```\n<script>\n```' });

    expect(rendered.text).toBe(
      'a &lt; b &amp; &quot;c&quot; &gt; d <b>&lt;b&gt;x&lt;/b&gt;</b> <code>&lt;i&gt;</code>\n' +
        '<pre>&lt;script&gt;</pre>',
    );
  });

  it('turns buttons into an inline keyboard whose callback data carries the action id and the value', () => {
    const rendered = renderMessage({
      text: 'Pick one',
      buttons: [
        { actionId: 'vote.yes', label: 'Yes', value: '-1001234567890/abc:def' },
        { actionId: 'vote.no', label: 'No <way>' },
      ],
    });

    expect(rendered.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'Yes', callback_data: 'vote.yes:-1001234567890/abc:def' }],
        [{ text: 'No <way>', callback_data: 'vote.no' }],
      ],
    });
  });

  it('reads back what it rendered: split at the first colon, the value keeps any later ones', () => {
    expect(splitCallbackData('vote.yes:-1001234567890/abc:def')).toEqual({
      actionId: 'vote.yes',
      value: '-1001234567890/abc:def',
    });
    expect(splitCallbackData('vote.no')).toEqual({ actionId: 'vote.no' });
    expect(splitCallbackData('vote.empty:')).toEqual({ actionId: 'vote.empty', value: '' });
  });

  it('refuses a button Telegram could not carry back, naming it, rather than failing the whole send', () => {
    const exactly = { actionId: 'a', label: 'ok', value: 'x'.repeat(CALLBACK_DATA_LIMIT - 2) };
    const tooLong: Button = { actionId: 'feedback.read', label: 'Read', value: 'é'.repeat(30) };
    const withColon: Button = { actionId: 'a:b', label: 'bad' };

    expect(() => renderMessage({ text: 'x', buttons: [exactly] })).not.toThrow();
    expect(() => renderMessage({ text: 'x', buttons: [tooLong] })).toThrow(ButtonPayloadError);
    expect(() => renderMessage({ text: 'x', buttons: [tooLong] })).toThrow(/feedback\.read carries 74 bytes/);
    expect(() => renderMessage({ text: 'x', buttons: [withColon] })).toThrow(/no ':'/);
  });

  it('names the group a private answer is for in its buttons, when it fits, and reads it back', () => {
    const join: Button = { actionId: 'link.join', label: 'Join', value: '0123456789abcdef0123456789abcdef' };
    const long: Button = { actionId: 'a.b', label: 'Long', value: 'x'.repeat(50) };
    const cancel: Button = { actionId: 'link.cancel', label: 'Cancel' };

    const rendered = renderMessage({ text: 'Join?', buttons: [join, long, cancel] }, -1001234567890);

    const data = rendered.reply_markup?.inline_keyboard
      .flat()
      .map((button) => 'callback_data' in button && button.callback_data);
    expect(data).toEqual([
      'link.join@-1001234567890:0123456789abcdef0123456789abcdef',
      // 69 bytes with the group: it goes without, and its press is one in the private chat.
      `a.b:${'x'.repeat(50)}`,
      'link.cancel@-1001234567890',
    ]);
    expect(splitCallbackData('link.join@-1001234567890:0123')).toEqual({
      actionId: 'link.join',
      value: '0123',
      group: -1001234567890,
    });
    expect(splitCallbackData('link.cancel@-1001234567890')).toEqual({
      actionId: 'link.cancel',
      group: -1001234567890,
    });
    expect(() => renderMessage({ text: 'x', buttons: [{ actionId: 'a@b', label: 'bad' }] })).toThrow(
      /no ':' or '@'/,
    );
  });

  it('escapes the four characters HTML mode needs and leaves the rest alone', () => {
    expect(escapeHtml(`Tom & Jerry <3 "quotes" 'single' 👍`)).toBe(
      `Tom &amp; Jerry &lt;3 &quot;quotes&quot; 'single' 👍`,
    );
  });
});

describe('alertText (an answer shown to the presser only)', () => {
  it('is the plain text when it fits 200 characters and has no buttons', () => {
    expect(alertText({ text: 'Already marked as read by `42`.' })).toBe('Already marked as read by 42.');
    expect(alertText({ text: 'x'.repeat(200) })).toHaveLength(200);
  });

  it('is undefined when the answer needs a message: too long, empty, or with buttons', () => {
    expect(alertText({ text: 'x'.repeat(201) })).toBeUndefined();
    expect(alertText({ text: '' })).toBeUndefined();
    expect(alertText({ text: 'ok', buttons: [{ actionId: 'a', label: 'A' }] })).toBeUndefined();
  });
});
