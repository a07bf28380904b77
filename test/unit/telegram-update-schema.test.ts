import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { checkUpdate } from '../../bots/telegram/update-schema.js';
import { TELEGRAM_ALLOWED_UPDATES as ALLOWED_UPDATES } from '../../bots/telegram/updates.js';
import { DEEP } from '../support/fuzz.js';
import { ownFixtures, peerPayloads } from '../support/peers.js';

const OWN = ownFixtures('telegram');

/** A message that passes, for the cases to break one field of. */
const MESSAGE = {
  message_id: 10,
  date: 1735725600,
  chat: { id: -1001234567890, type: 'supergroup' },
  from: { id: 111111111, is_bot: false, first_name: 'Alice' },
  text: 'Hello',
};

function check(update: Record<string, unknown>) {
  return checkUpdate({ update_id: 1, ...update } as Update);
}

function reactionTo(...reactions: unknown[]) {
  return check({
    message_reaction: {
      chat: MESSAGE.chat,
      message_id: 10,
      date: 1,
      old_reaction: [],
      new_reaction: reactions,
    },
  });
}

describe('checkUpdate', () => {
  it('passes every documented fixture and every peer payload Telegram sends', () => {
    const payloads = [...OWN, ...peerPayloads('telegram')].filter(
      ({ file }) => file !== 'telegram/tx-message-missing-fields.json',
    );

    const refused = payloads.filter(({ payload }) => checkUpdate(payload as Update) !== undefined);

    expect(payloads.length).toBeGreaterThan(40);
    expect(refused.map(({ file }) => file)).toEqual([]);
  });

  it('marks teloxide\'s "some fields are missing" message unreadable, naming the first missing field', () => {
    expect(check({ message: { 'some fields are missing': true } })).toEqual({
      ignored: 'message.chat is missing',
      unreadable: true,
    });
  });

  it.each(ALLOWED_UPDATES)('checks %s, an update kind the webhook subscribes to', (kind) => {
    expect(check({ [kind]: null })).toEqual({
      ignored: `${kind}: expected an object, got null`,
      unreadable: true,
    });
  });

  it('reads nothing of update kinds it does not handle, known or not', () => {
    expect(
      check({ channel_post: null, poll: 5, new_update_kind: 'x', 'something unknown': [] }),
    ).toBeUndefined();
  });

  it('never quotes a string in its reason: it could be message text', () => {
    const result = check({ message: { ...MESSAGE, message_id: 'my secret words' } });

    expect(result?.ignored).toBe('message.message_id: expected a number, got a string of 15 characters');
  });

  it("takes a sender without is_bot for a person, as in the Bot API's own webhook examples", () => {
    expect(check({ message: { ...MESSAGE, from: { id: 1111111, first_name: 'Test' } } })).toBeUndefined();
    expect(check({ message: { ...MESSAGE, from: { id: 1111111, is_bot: 'no' } } })?.ignored).toBe(
      'message.from.is_bot: expected true or false, got a string of 2 characters',
    );
  });

  it('takes dates from 0 (an inaccessible message) to the last instant a Date can hold', () => {
    const query = (date: number) =>
      check({ callback_query: { id: 'q', from: MESSAGE.from, message: { ...MESSAGE, date } } });

    expect(query(0)).toBeUndefined();
    expect(query(8_640_000_000_000)).toBeUndefined();
    expect(query(-1)?.ignored).toBe('callback_query.message.date: expected a Unix time in seconds, got -1');
    expect(query(8_640_000_000_001)?.ignored).toBe(
      'callback_query.message.date: expected a Unix time in seconds, got 8640000000001',
    );
  });

  it('takes reaction kinds it does not know by their type, and wants the emoji or id of known ones', () => {
    expect(
      reactionTo({ type: 'paid' }, { type: 'custom_emoji', custom_emoji_id: '5368324170671202286' }),
    ).toBe(undefined);
    expect(reactionTo({ type: 'custom_emoji' })?.ignored).toBe(
      'message_reaction.new_reaction.0: expected an emoji reaction with its emoji, or a custom emoji reaction with its id, got an object',
    );
    expect(reactionTo({ type: 'emoji', emoji: '👍' }, 'x')?.ignored).toBe(
      'message_reaction.new_reaction.1: expected an object, got a string of 1 character',
    );
  });

  it('wants a presence-only field (a photo) to be something other than null, and a signing chat to have an id', () => {
    expect(check({ message: { ...MESSAGE, photo: null } })?.ignored).toBe(
      'message.photo: expected a value other than null, got null',
    );
    // The chat a post is signed with stands for its poster: its id is read.
    expect(check({ message: { ...MESSAGE, sender_chat: null } })?.ignored).toBe(
      'message.sender_chat: expected an object, got null',
    );
    expect(check({ message: { ...MESSAGE, sender_chat: { title: 'no id' } } })?.ignored).toBe(
      'message.sender_chat.id is missing',
    );
  });

  it('wants a text mention to carry the member it names, and entity spans to be integers', () => {
    const withEntity = (entity: object) =>
      check({ message: { ...MESSAGE, text: '/community thanks Ann', entities: [entity] } });

    expect(withEntity({ type: 'text_mention', offset: 17, length: 3, user: MESSAGE.from })).toBeUndefined();
    expect(withEntity({ type: 'text_mention', offset: 17, length: 3 })?.ignored).toBe(
      'message.entities.0: expected a text mention with its user, got an object',
    );
    expect(withEntity({ type: 'bold', offset: 0, length: -1 })?.ignored).toBe(
      'message.entities.0.length: expected a length, got -1',
    );
    expect(withEntity({ type: 'text_mention', offset: 17, length: 3, user: { id: 'x' } })?.ignored).toBe(
      'message.entities.0.user.id: expected a number, got a string of 1 character',
    );
  });

  it('wants a group title (kept as the space name) to be bounded, and migration ids to be chat ids', () => {
    const titled = (title: unknown) => check({ message: { ...MESSAGE, chat: { ...MESSAGE.chat, title } } });

    expect(titled('Example Community')).toBeUndefined();
    expect(titled('x'.repeat(256))?.ignored).toBe(
      'message.chat.title: expected a title of at most 255 characters, got a string of 256 characters',
    );
    expect(check({ message: { ...MESSAGE, migrate_to_chat_id: '-100' } })?.ignored).toBe(
      'message.migrate_to_chat_id: expected a number, got a string of 4 characters',
    );
    expect(check({ message: { ...MESSAGE, migrate_from_chat_id: 1.5 } })?.ignored).toBe(
      'message.migrate_from_chat_id: expected an integer id, got 1.5',
    );
  });

  it('does not follow fields it does not read, however deep they nest', () => {
    // A reply chain nested 10,000 deep, as JSON text: only the first reply_to_message is read.
    const chain = `${'{"message_id":1,"reply_to_message":'.repeat(DEEP)}{"message_id":1}${'}'.repeat(DEEP)}`;
    const message = { ...MESSAGE, reply_to_message: JSON.parse(chain), pinned_message: JSON.parse(chain) };

    expect(check({ message })).toBeUndefined();
  });
});
