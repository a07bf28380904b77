/**
 * "Who talks to whom": the member a reply or a reaction is addressed to (`toMember`), as each platform's
 * parser reads it from real-shaped payloads. Sources:
 * - test/fixtures/<platform>/ (the platforms' documented examples, sources in each folder's README.md);
 * - test/fixtures/peers/ (other projects' captured payloads, sources in its SOURCES.md), named per case.
 * Where a case changes a payload, the comment says what changed.
 */
import { readFileSync } from 'node:fs';
import type { Message, MessageReactionUpdated, Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { translateDispatch } from '../../bots/discord/gateway/translate.js';
import { parseEventCallback } from '../../bots/slack/parse.js';
import { translateMessage, translateReaction } from '../../bots/telegram/parse.js';
import { checkUpdate } from '../../bots/telegram/update-schema.js';

type Json = Record<string, unknown>;

/** A fresh copy of a fixture (`slack/event-thread-reply.json`, `peers/slack/vc-thread-reply.json`). */
function fixture(path: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as Json;
}

/** The object under `key`, for changing it in place. */
function at(payload: Json, key: string): Json {
  return payload[key] as Json;
}

describe('Slack: parent_user_id on a thread reply, item_user on a reaction', () => {
  const BOT = { botId: 'B0BOT', botUserId: 'U0BOT' };

  it('addresses a thread reply to the thread root author named by parent_user_id', () => {
    // Documented thread reply (slack/event-thread-reply.json): U2222222 answers a thread of U123ABC456.
    const result = parseEventCallback(fixture('slack/event-thread-reply.json'), BOT);

    expect(result).toMatchObject({
      kind: 'thread_reply',
      member: { platform: 'slack', id: 'U2222222' },
      toMember: { platform: 'slack', id: 'U123ABC456' },
    });
  });

  it.each(['reaction_added', 'reaction_removed'])(
    'addresses %s to the author of the item, item_user',
    (type) => {
      // Documented reaction_added (slack/event-reaction-added.json): U123ABC456 reacts to U222222222's
      // message. reaction_removed carries the same fields (its docs page), so only `type` changes.
      const payload = fixture('slack/event-reaction-added.json');
      at(payload, 'event').type = type;

      expect(parseEventCallback(payload, BOT)).toMatchObject({
        kind: type,
        member: { platform: 'slack', id: 'U123ABC456' },
        toMember: { platform: 'slack', id: 'U222222222' },
      });
    },
  );

  it('addresses a broadcast thread reply to the author of its root', () => {
    // peers/slack/bp-thread-broadcast.json (bolt-python), where U111 answers their own thread; here U222
    // answers it. A thread_broadcast names the thread root in `root`, without parent_user_id.
    const payload = fixture('peers/slack/bp-thread-broadcast.json');
    at(payload, 'event').user = 'U222';

    expect(parseEventCallback(payload, BOT)).toMatchObject({
      kind: 'thread_reply',
      member: { platform: 'slack', id: 'U222' },
      toMember: { platform: 'slack', id: 'U111' },
    });
  });

  it('addresses nothing when someone answers their own thread or reacts to their own message', () => {
    // peers/slack/vc-thread-reply.json (vercel/chat's recording, bot U00FAKEBOT01): parent_user_id is the
    // replier; peers/slack/bp-thread-broadcast.json as captured: the root is the replier's own.
    const ownThread = parseEventCallback(fixture('peers/slack/vc-thread-reply.json'), {
      botId: 'B00FAKEBOT01',
      botUserId: 'U00FAKEBOT01',
    });
    const ownBroadcast = parseEventCallback(fixture('peers/slack/bp-thread-broadcast.json'), BOT);
    // The documented reaction, made by the author of the message reacted to.
    const ownReaction = fixture('slack/event-reaction-added.json');
    at(ownReaction, 'event').item_user = 'U123ABC456';

    expect(ownThread).toMatchObject({ kind: 'thread_reply', member: { id: 'U00FAKEUSER1' } });
    expect(ownThread).not.toHaveProperty('toMember');
    expect(ownBroadcast).toMatchObject({ kind: 'thread_reply', member: { id: 'U111' } });
    expect(ownBroadcast).not.toHaveProperty('toMember');
    const reacted = parseEventCallback(ownReaction, BOT);
    expect(reacted).toMatchObject({ kind: 'reaction_added' });
    expect(reacted).not.toHaveProperty('toMember');
  });

  it('addresses nothing to our own bot or to Slackbot, and nothing to a bot-posted broadcast root', () => {
    // peers/slack/vc-reaction-no-event-id.json (vercel/chat, bot U00FAKEBOT01): a member reacts to the
    // bot's message. Its recording has no event_id, which a reaction is keyed by; one is added.
    const toOurBot = fixture('peers/slack/vc-reaction-no-event-id.json');
    toOurBot.event_id = 'Ev0FAKE0001';
    const recordedBot = { botId: 'B00FAKEBOT01', botUserId: 'U00FAKEBOT01' };
    // The documented thread reply, answering a thread our bot (then Slackbot) started.
    const replyToBot = fixture('slack/event-thread-reply.json');
    at(replyToBot, 'event').parent_user_id = BOT.botUserId;
    const replyToSlackbot = fixture('slack/event-thread-reply.json');
    at(replyToSlackbot, 'event').parent_user_id = 'USLACKBOT';
    // The broadcast of bp-thread-broadcast.json by U222, under a root another app's bot posted.
    const underBotRoot = fixture('peers/slack/bp-thread-broadcast.json');
    at(underBotRoot, 'event').user = 'U222';
    at(at(underBotRoot, 'event'), 'root').bot_id = 'B999';

    for (const [payload, bot] of [
      [toOurBot, recordedBot],
      [replyToBot, BOT],
      [replyToSlackbot, BOT],
      [underBotRoot, BOT],
    ] as const) {
      const result = parseEventCallback(payload, bot);
      expect(result).toHaveProperty('kind');
      expect(result).not.toHaveProperty('toMember');
    }
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['a list', ['U123ABC456']],
    ['not an id', 'U1 U2'],
    ['null', null],
  ])('still reads a reply or a reaction whose target is %s, without toMember', (_, target) => {
    // The documented thread reply and reaction, their target fields replaced.
    const reply = fixture('slack/event-thread-reply.json');
    at(reply, 'event').parent_user_id = target;
    const reaction = fixture('slack/event-reaction-added.json');
    at(reaction, 'event').item_user = target;
    const broadcast = fixture('peers/slack/bp-thread-broadcast.json');
    at(broadcast, 'event').user = 'U222';
    at(broadcast, 'event').root = target;

    for (const [payload, kind] of [
      [reply, 'thread_reply'],
      [reaction, 'reaction_added'],
      [broadcast, 'thread_reply'],
    ] as const) {
      const result = parseEventCallback(payload, BOT);
      expect(result).toMatchObject({ kind });
      expect(result).not.toHaveProperty('toMember');
    }
  });

  it('addresses a top-level message to nobody', () => {
    // Documented message.channels event (slack/event-message.json).
    const result = parseEventCallback(fixture('slack/event-message.json'), BOT);

    expect(result).toMatchObject({ kind: 'message_posted' });
    expect(result).not.toHaveProperty('toMember');
  });
});

describe('Telegram: reply_to_message.from on a reply', () => {
  const BOT = 'community_sandbox_bot';

  /** Checks the update as the webhook does (never unreadable here), then translates its message. */
  function translate(update: Json) {
    expect(checkUpdate(update as unknown as Update)).toBeUndefined();
    return translateMessage(update.message as Message, update.update_id as number, BOT);
  }

  /** The documented reply (telegram/reply.json: Bob answers Alice), its answered message changed. */
  function replyWith(answered: (message: Json) => void): Json {
    const update = fixture('telegram/reply.json');
    answered(at(at(update, 'message'), 'reply_to_message'));
    return update;
  }

  it('addresses a reply to the author of the message answered', () => {
    expect(translate(fixture('telegram/reply.json'))).toEqual({
      events: [
        expect.objectContaining({
          kind: 'thread_reply',
          member: { platform: 'telegram', id: '222222222' },
          toMember: { platform: 'telegram', id: '111111111' },
        }),
      ],
    });
  });

  it('addresses a captured reply to its answered member', () => {
    // peers/telegram/tx-command-reply-to-story.json (teloxide): 5964236329 answers 6962620676's message.
    // Captured as `/report`, a command for another bot; its bot_command entity is dropped so it is a reply.
    const update = fixture('peers/telegram/tx-command-reply-to-story.json');
    delete at(update, 'message').entities;

    expect(translate(update)).toMatchObject({
      events: [
        {
          kind: 'thread_reply',
          member: { id: '5964236329' },
          toMember: { platform: 'telegram', id: '6962620676' },
        },
      ],
    });
  });

  it('addresses a reply to a member of an old payload without is_bot (a person)', () => {
    const update = replyWith((answered) => {
      delete at(answered, 'from').is_bot;
    });

    expect(translate(update)).toMatchObject({ events: [{ toMember: { id: '111111111' } }] });
  });

  it.each([
    [
      'a bot',
      (answered: Json) => {
        at(answered, 'from').is_bot = true;
      },
    ],
    [
      'the replier themselves',
      (answered: Json) => {
        at(answered, 'from').id = 222222222;
      },
    ],
    // An anonymous admin's message, as peers/telegram/tx-anonymous-admin-forward.json has them.
    [
      'an anonymous admin (GroupAnonymousBot on behalf of the group)',
      (answered: Json) => {
        const anonymous = at(fixture('peers/telegram/tx-anonymous-admin-forward.json'), 'message');
        answered.from = anonymous.from;
        answered.sender_chat = anonymous.sender_chat;
      },
    ],
    // A channel post forwarded into its discussion group: `from` is a placeholder that is no bot (Bot API,
    // #message: sender_chat, is_automatic_forward).
    [
      'a channel post in the discussion group',
      (answered: Json) => {
        answered.from = { id: 777000, is_bot: false, first_name: 'Telegram' };
        answered.sender_chat = { id: -1002236736395, title: 'Test', type: 'channel' };
        answered.is_automatic_forward = true;
      },
    ],
  ])('addresses nothing to %s', (_, change) => {
    const result = translate(replyWith(change));

    expect(result).toMatchObject({ events: [{ kind: 'thread_reply', replyToId: '10' }] });
    expect((result as { events: object[] }).events[0]).not.toHaveProperty('toMember');
  });

  it.each([
    ['a string from', (answered: Json) => Object.assign(answered, { from: 'Alice' })],
    ['a null from', (answered: Json) => Object.assign(answered, { from: null })],
    ['no from', (answered: Json) => delete answered.from],
    ['a string id', (answered: Json) => Object.assign(at(answered, 'from'), { id: '111111111' })],
    ['a fractional id', (answered: Json) => Object.assign(at(answered, 'from'), { id: 1.5 })],
    [
      'an is_bot that is no boolean',
      (answered: Json) => Object.assign(at(answered, 'from'), { is_bot: 'no' }),
    ],
  ])('still reads a reply whose answered message has %s, without toMember', (_, change) => {
    const result = translate(replyWith(change));

    expect(result).toMatchObject({ events: [{ kind: 'thread_reply', replyToId: '10' }] });
    expect((result as { events: object[] }).events[0]).not.toHaveProperty('toMember');
  });

  it('keeps none of the answered message: no text, no name', () => {
    const result = translate(fixture('telegram/reply.json'));

    expect(JSON.stringify(result)).not.toMatch(/Hello everyone|Alice|alice_example/);
  });

  it('addresses a topic message (a "reply" to the topic) and a reaction to nobody', () => {
    // peers/telegram/tx-forum-topic-message.json (teloxide); peers/telegram/tx-reaction-added-user.json
    // (teloxide): a message_reaction update does not say whose message was reacted to.
    const topic = translate(fixture('peers/telegram/tx-forum-topic-message.json'));
    const reactionUpdate = fixture('peers/telegram/tx-reaction-added-user.json');
    const reaction = translateReaction(
      reactionUpdate.message_reaction as MessageReactionUpdated,
      reactionUpdate.update_id as number,
    );

    expect(topic).toMatchObject({ events: [{ kind: 'message_posted' }] });
    expect((topic as { events: object[] }).events[0]).not.toHaveProperty('toMember');
    expect(reaction).toMatchObject({ events: [{ kind: 'reaction_added' }] });
    expect((reaction as { events: object[] }).events[0]).not.toHaveProperty('toMember');
  });
});

describe('Discord: referenced_message.author on a reply, message_author_id on a reaction', () => {
  const AT = new Date('2026-03-01T10:00:00.000Z');
  /** The Example Message's author (Mason) and the Example User (Nelly), who replies and reacts to it. */
  const MASON = '53908099506183680';
  const NELLY = '80351110224678912';

  /** The Example Message as a message object: MESSAGE_CREATE's `d` without its gateway-only fields. */
  function exampleMessage(): Json {
    const {
      guild_id: _guild,
      member: _member,
      ...message
    } = at(fixture('discord/gateway/message-create.json'), 'd');
    return message;
  }

  /** discord/gateway/message-reply.json (Nelly answers the Example Message) with `referenced_message` set. */
  function replyReferencing(referenced: unknown): Json {
    const payload = fixture('discord/gateway/message-reply.json');
    at(payload, 'd').referenced_message = referenced;
    return payload;
  }

  function withAuthor(changes: Json): Json {
    const message = exampleMessage();
    Object.assign(at(message, 'author'), changes);
    return message;
  }

  function withoutAuthorId(): Json {
    const message = exampleMessage();
    delete at(message, 'author').id;
    return message;
  }

  it('addresses a reply to the author of the referenced message, keeping none of its text', () => {
    const result = translateDispatch(replyReferencing(exampleMessage()), AT);

    expect(result).toMatchObject({
      event: {
        kind: 'thread_reply',
        member: { platform: 'discord', id: NELLY },
        replyToId: '334385199974967042',
        toMember: { platform: 'discord', id: MASON },
      },
    });
    expect(JSON.stringify(result)).not.toMatch(/Supa Hot|Mason/);
  });

  it('addresses a reaction to the author of the message, message_author_id', () => {
    // discord/gateway/reaction-add.json: Nelly reacts to the Example Message.
    expect(translateDispatch(fixture('discord/gateway/reaction-add.json'), AT)).toMatchObject({
      event: {
        kind: 'reaction_added',
        member: { platform: 'discord', id: NELLY },
        toMember: { platform: 'discord', id: MASON },
      },
    });
  });

  it.each([
    ['Discord did not fetch the answered message', fixture('discord/gateway/message-reply.json')],
    ['the answered message was deleted (null)', replyReferencing(null)],
    ['a bot wrote it', replyReferencing(withAuthor({ bot: true }))],
    ['Discord itself wrote it', replyReferencing(withAuthor({ system: true }))],
    [
      'a webhook posted it',
      // A webhook's message names the webhook as its author (Message Object, `author`).
      replyReferencing({
        ...withAuthor({ id: '223704706495545344' }),
        webhook_id: '223704706495545344',
      }),
    ],
    ['the replier wrote it', replyReferencing(withAuthor({ id: NELLY }))],
  ])('addresses a reply to nobody when %s', (_, payload) => {
    const result = translateDispatch(payload, AT);

    expect(result).toMatchObject({ event: { kind: 'thread_reply', replyToId: '334385199974967042' } });
    expect((result as { event: object }).event).not.toHaveProperty('toMember');
  });

  it.each([
    ['a string', 'Supa Hot'],
    ['a list', [exampleMessage()]],
    ['an author without an id', withoutAuthorId()],
    ['an author id that is no snowflake', withAuthor({ id: 'Mason' })],
    ['a bot flag that is no boolean', withAuthor({ bot: 'yes' })],
  ])('still reads a reply whose referenced_message is %s, without toMember', (_, referenced) => {
    const result = translateDispatch(replyReferencing(referenced), AT);

    expect(result).toMatchObject({ event: { kind: 'thread_reply' } });
    expect((result as { event: object }).event).not.toHaveProperty('toMember');
  });

  it.each([
    ['the reactor themselves (their own message)', NELLY],
    ['a number', 42],
    ['no snowflake', 'Mason'],
  ])('reads a reaction whose message_author_id is %s, without toMember', (_, author) => {
    const payload = fixture('discord/gateway/reaction-add.json');
    at(payload, 'd').message_author_id = author;

    const result = translateDispatch(payload, AT);

    expect(result).toMatchObject({ event: { kind: 'reaction_added', member: { id: NELLY } } });
    expect((result as { event: object }).event).not.toHaveProperty('toMember');
  });

  it('addresses a removed reaction to nobody: MESSAGE_REACTION_REMOVE does not say whose message it was', () => {
    const result = translateDispatch(fixture('discord/gateway/reaction-remove.json'), AT);

    expect(result).toMatchObject({ event: { kind: 'reaction_removed' } });
    expect((result as { event: object }).event).not.toHaveProperty('toMember');
  });
});
