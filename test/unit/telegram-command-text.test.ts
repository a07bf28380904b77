import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { parseCommandText, readTypedCommand, writeTextMentions } from '../../bots/telegram/command-text.js';

const BOT = 'CommunityBot';

describe('parseCommandText', () => {
  it.each([
    ['/community', ''],
    ['/community stats', 'stats'],
    ['/community   help  ', 'help'],
    ['/Community@communitybot stats', 'stats'],
    ['/community@CommunityBot feedback the "new"\neditor', 'feedback the "new"\neditor'],
  ])('reads %j as our command with %j after it', (text, rest) => {
    expect(parseCommandText(text, BOT)).toBe(rest);
  });

  it.each(['/community@OtherBot stats', '/start', '/communityx', 'community stats', 'hello /community'])(
    'leaves %j alone: another command, another bot, or no command',
    (text) => {
      expect(parseCommandText(text, BOT)).toBeUndefined();
    },
  );

  it('reads any command with its name in lower case (the private chat hands /start and /cancel on)', () => {
    expect(readTypedCommand('/Start abc_DEF-1', BOT)).toEqual({ name: 'start', rest: 'abc_DEF-1' });
    expect(readTypedCommand('/cancel@communitybot', BOT)).toEqual({ name: 'cancel', rest: '' });
  });
});

describe('writeTextMentions', () => {
  const mention = (offset: number, length: number, id: number): MessageEntity =>
    ({ type: 'text_mention', offset, length, user: { id, is_bot: false, first_name: 'x' } }) as MessageEntity;

  it('replaces each text mention by <@id>, counting offsets in UTF-16 units as Telegram does', () => {
    const text = '/community a 🎉 Ann and Bo';
    const entities = [
      mention(16, 3, 7),
      mention(24, 2, 8),
      { type: 'bold', offset: 0, length: 4 } as MessageEntity,
    ];

    expect(writeTextMentions(text, entities)).toBe('/community a 🎉 <@7> and <@8>');
  });

  it('leaves @username mentions (no id to read) and entities outside the text alone', () => {
    const username = { type: 'mention', offset: 11, length: 4 } as MessageEntity;

    expect(writeTextMentions('/community @ann', [username, mention(40, 3, 9)])).toBe('/community @ann');
  });
});
