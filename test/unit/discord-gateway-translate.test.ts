import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translateDispatch } from '../../bots/discord/gateway/translate.js';
import { SANDBOX_GUILD_ID, sandboxId, sandboxUserId } from '../../bots/discord/sandbox.js';
import {
  gatewayGuildCreate,
  gatewayGuildDelete,
  gatewayJoin,
  gatewayLeave,
  gatewayMessage,
  gatewayReaction,
} from '../../bots/discord/sandbox-gateway.js';

const AT = new Date('2026-03-01T10:00:00.000Z');
const FIXTURES = join(import.meta.dirname, '../fixtures/discord/gateway');

type Payload = { t: string; d: Record<string, unknown> };

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Payload;
}

/** A payload with some of its data replaced. */
function withData(payload: { t: string; d: object }, data: Record<string, unknown>): Payload {
  return { ...payload, d: { ...payload.d, ...data } };
}

const message = () => gatewayMessage({ user: 'alice', channel: 'general', text: 'hello there' }, AT);

describe('translateDispatch: messages', () => {
  it('reads a member message as message_posted, with its snowflake as id, its time and its text length', () => {
    const payload = message();

    expect(translateDispatch(payload, new Date())).toEqual({
      event: {
        kind: 'message_posted',
        id: payload.d.id,
        location: {
          space: { platform: 'discord', id: SANDBOX_GUILD_ID },
          channelId: sandboxId('channel', 'general'),
        },
        member: { platform: 'discord', id: sandboxUserId('alice') },
        occurredAt: AT,
        messageId: payload.d.id,
        textLength: 'hello there'.length,
      },
    });
  });

  it('reads a reply as thread_reply, and a forward (which quotes, not answers) as a message', () => {
    const reply = gatewayMessage({ user: 'bob', channel: 'general', replyTo: '1234567890' }, AT);
    const forward = withData(message(), { message_reference: { type: 1, message_id: '1234567890' } });

    const translated = translateDispatch(reply, AT);
    expect(translated).toMatchObject({ event: { kind: 'thread_reply', replyToId: '1234567890' } });
    // No text without the Message Content intent: its length is unknown, not 0.
    expect((translated as { event: { textLength?: number } }).event.textLength).toBeUndefined();
    expect(translateDispatch(forward, AT)).toMatchObject({ event: { kind: 'message_posted' } });
  });

  it.each([
    ['a DM', withData(message(), { guild_id: undefined }), 'a direct message'],
    ['a bot', withData(message(), { author: { id: '1', username: 'b', bot: true } }), 'posted by a bot'],
    ['Discord itself', withData(message(), { author: { id: '1', system: true } }), 'posted by a bot'],
    ['a webhook', withData(message(), { webhook_id: '223704706495545344' }), 'a webhook'],
    ['a crosspost', withData(message(), { flags: 2 }), 'a crosspost'],
    ["Discord's join notice (USER_JOIN)", withData(message(), { type: 7 }), 'message type 7'],
    ['a pin notice', withData(message(), { type: 6 }), 'message type 6'],
  ])('ignores a message from %s, saying why', (_, payload, reason) => {
    expect(translateDispatch(payload, AT)).toEqual({ ignored: expect.stringContaining(reason) });
  });
});

describe('translateDispatch: reactions, joins and leaves', () => {
  const reaction = { user: 'carol', channel: 'general', messageId: '99', emoji: '👍' };

  it('keys a reaction by kind, message, member and emoji: no delivery adds anything to the key', () => {
    const added = translateDispatch(gatewayReaction(reaction), AT);
    const again = translateDispatch(gatewayReaction(reaction), new Date(AT.getTime() + 60_000));
    const removed = translateDispatch(gatewayReaction(reaction, true), AT);

    const id = `99:${sandboxUserId('carol')}:👍`;
    expect(added).toMatchObject({
      event: { kind: 'reaction_added', id: `reaction_added:${id}`, reaction: '👍' },
    });
    expect(again).toMatchObject({ event: { id: `reaction_added:${id}` } });
    expect(removed).toMatchObject({ event: { kind: 'reaction_removed', id: `reaction_removed:${id}` } });
  });

  it('names a custom emoji by its id (names change), and keeps its id when the name is gone', () => {
    const custom = withData(gatewayReaction(reaction), { emoji: { id: '41771983429993937', name: null } });

    expect(translateDispatch(custom, AT)).toMatchObject({
      event: { id: expect.stringMatching(/:41771983429993937$/), reaction: '41771983429993937' },
    });
  });

  it('ignores a bot reacting, a reaction in a DM, and an emoji with neither id nor name', () => {
    const base = gatewayReaction(reaction);
    const byBot = withData(base, { member: { user: { id: '1', bot: true } } });
    const inDm = withData(base, { guild_id: undefined });
    const noEmoji = withData(base, { emoji: { id: null, name: null } });

    expect([byBot, inDm, noEmoji].map((payload) => translateDispatch(payload, AT))).toEqual([
      { ignored: expect.stringContaining('a bot') },
      { ignored: expect.stringContaining('direct message') },
      { ignored: expect.stringContaining('neither id nor name') },
    ]);
  });

  it('keys a join by member and joined_at, so GUILD_MEMBER_ADD sent again for a member is the same join', () => {
    const joined = new Date('2026-02-28T08:00:00.000Z');

    const first = translateDispatch(gatewayJoin('dana', joined), AT);
    const resent = translateDispatch(gatewayJoin('dana', joined), new Date());
    const rejoined = translateDispatch(gatewayJoin('dana', AT), AT);

    expect(first).toMatchObject({
      event: {
        kind: 'member_joined',
        id: `member_joined:${sandboxUserId('dana')}:2026-02-28T08:00:00.000Z`,
        occurredAt: joined,
        // In the server as a whole: no channel (a welcome goes privately, or to the announcements channel).
        location: { space: { id: SANDBOX_GUILD_ID }, channelId: '' },
      },
    });
    expect(resent).toEqual(first);
    expect(rejoined).not.toMatchObject({ event: { id: (first as { event: { id: string } }).event.id } });
  });

  it('keys a leave by member and the UTC day it arrived (nothing in it says when)', () => {
    const morning = translateDispatch(gatewayLeave('frank'), AT);
    const evening = translateDispatch(gatewayLeave('frank'), new Date('2026-03-01T23:59:00.000Z'));
    const nextDay = translateDispatch(gatewayLeave('frank'), new Date('2026-03-02T00:01:00.000Z'));

    expect(morning).toMatchObject({
      event: { kind: 'member_left', id: `member_left:${sandboxUserId('frank')}:2026-03-01` },
    });
    expect(evening).toMatchObject({ event: { id: `member_left:${sandboxUserId('frank')}:2026-03-01` } });
    expect(nextDay).toMatchObject({ event: { id: `member_left:${sandboxUserId('frank')}:2026-03-02` } });
  });

  it('ignores bots joining and leaving', () => {
    const bot = { id: '1300000000000000001', username: 'other-bot', bot: true };

    expect(translateDispatch(withData(gatewayJoin('x', AT), { user: bot }), AT)).toEqual({
      ignored: expect.stringContaining('a bot joined'),
    });
    expect(translateDispatch(withData(gatewayLeave('x'), { user: bot }), AT)).toEqual({
      ignored: expect.stringContaining('a bot left'),
    });
  });
});

describe('translateDispatch: the bot in a server', () => {
  it('adds the space with its system channel for the notice, when the server has one', () => {
    const payload = gatewayGuildCreate({ systemChannel: 'welcome', name: 'Makers' });

    expect(translateDispatch(payload, AT)).toEqual({
      change: {
        kind: 'bot_added',
        space: { platform: 'discord', id: SANDBOX_GUILD_ID },
        channelId: sandboxId('channel', 'welcome'),
        name: 'Makers',
      },
    });
  });

  it('else picks the first text channel as the client lists it (by position, not a category)', () => {
    expect(translateDispatch(gatewayGuildCreate(), AT)).toMatchObject({
      change: { channelId: sandboxId('channel', 'general') },
    });
    expect(translateDispatch(fixture('guild-create.json'), AT)).toMatchObject({
      change: { channelId: '41771983423143937', name: 'Discord Testers' },
    });
  });

  it('ignores a server without any text channel (it registers on its first interaction)', () => {
    const noText = withData(gatewayGuildCreate(), { channels: [{ id: '5', type: 2, position: 0 }] });

    expect(translateDispatch(noText, AT)).toEqual({
      ignored: expect.stringContaining('without a text channel'),
    });
  });

  it('removes the space on GUILD_DELETE, unless the guild is only unavailable (an outage)', () => {
    expect(translateDispatch(gatewayGuildDelete('42'), AT)).toEqual({
      change: { kind: 'bot_removed', space: { platform: 'discord', id: '42' } },
    });
    expect(translateDispatch(gatewayGuildDelete('42', true), AT)).toEqual({
      ignored: expect.stringContaining('outage'),
    });
  });
});

describe('translateDispatch: what is not for the bot, and what cannot be read', () => {
  it('ignores other dispatches and non-dispatch opcodes by name', () => {
    expect(translateDispatch({ op: 0, s: 3, t: 'TYPING_START', d: {} }, AT)).toEqual({
      ignored: 'TYPING_START: not an event the bot records',
    });
    expect(translateDispatch({ op: 11, d: null, s: null, t: 'X' }, AT)).toEqual({
      ignored: expect.stringContaining('opcode 11'),
    });
  });

  it.each([
    ['not an object', 'MESSAGE_CREATE', 'dispatch: expected Object'],
    [
      'a message whose author id is a number',
      withData(message(), { author: { id: 5 } }),
      'MESSAGE_CREATE d.author.id',
    ],
    [
      'a message without a timestamp',
      withData(message(), { timestamp: undefined }),
      'd.timestamp: expected a value',
    ],
    [
      'a join whose joined_at is not a date',
      withData(gatewayJoin('x', AT), { joined_at: 'yesterday' }),
      'd.joined_at',
    ],
    ['a guild whose channels are not a list', withData(gatewayGuildCreate(), { channels: {} }), 'd.channels'],
  ])('marks %s unreadable, naming the field and never quoting it', (_, payload, reason) => {
    const result = translateDispatch(payload, AT);

    expect(result).toEqual({ ignored: expect.stringContaining(reason), unreadable: true });
    expect(JSON.stringify(result)).not.toContain('yesterday');
  });
});
