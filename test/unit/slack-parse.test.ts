import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventCallback } from '../../bots/slack/parse.js';
import {
  formMetadata,
  parseButtonPress,
  parseSlashCommand,
  parseViewSubmission,
  readAnswerHandle,
} from '../../bots/slack/parse-interactions.js';
import { isIgnored } from '../../shared/platform/ignored.js';

const BOT = { botId: 'B0BOT', botUserId: 'U0BOT' };

type Payload = Record<string, unknown> & { event: Record<string, unknown> };

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8')) as Payload;
}

function withEvent(name: string, changes: Record<string, unknown>): Payload {
  const payload = fixture(name);
  return { ...payload, event: { ...payload.event, ...changes } };
}

describe('Slack events -> core events', () => {
  it('reads a top-level message as message_posted, keyed by team/channel/ts, keeping only the text length', () => {
    expect(parseEventCallback(fixture('event-message.json'), BOT)).toEqual({
      kind: 'message_posted',
      id: 'T123ABC456/C123ABC456/1355517523.000005',
      location: { space: { platform: 'slack', id: 'T123ABC456' }, channelId: 'C123ABC456' },
      member: { platform: 'slack', id: 'U123ABC456' },
      occurredAt: new Date(1355517523000),
      messageId: '1355517523.000005',
      textLength: 'Live long and prospect.'.length,
    });
  });

  it('reads a message whose thread_ts differs from its ts as a thread_reply to thread_ts', () => {
    expect(parseEventCallback(fixture('event-thread-reply.json'), BOT)).toMatchObject({
      kind: 'thread_reply',
      messageId: '1483037603.017503',
      replyToId: '1482960137.003543',
      member: { platform: 'slack', id: 'U2222222' },
      // parent_user_id: who wrote the thread root.
      toMember: { platform: 'slack', id: 'U123ABC456' },
    });
  });

  it('reads a thread root (thread_ts equal to ts) as a top-level message', () => {
    const root = withEvent('event-message.json', { thread_ts: '1355517523.000005' });

    expect(parseEventCallback(root, BOT)).toMatchObject({ kind: 'message_posted' });
  });

  it('records thread broadcasts and file shares, which are members writing', () => {
    const broadcast = withEvent('event-thread-reply.json', { subtype: 'thread_broadcast' });
    const file = withEvent('event-message.json', { subtype: 'file_share' });

    expect(parseEventCallback(broadcast, BOT)).toMatchObject({ kind: 'thread_reply' });
    expect(parseEventCallback(file, BOT)).toMatchObject({ kind: 'message_posted' });
  });

  it.each([
    ['a message_replied notice', fixture('event-message-replied.json')],
    ['an edit', withEvent('event-message.json', { subtype: 'message_changed' })],
    ['a deletion', withEvent('event-message.json', { subtype: 'message_deleted' })],
    ['a join message', withEvent('event-message.json', { subtype: 'channel_join' })],
    ['another bot', withEvent('event-message.json', { subtype: 'bot_message', bot_id: 'B0OTHER' })],
    ['a bot without subtype', withEvent('event-message.json', { bot_id: 'B0OTHER' })],
    ['our own bot user', withEvent('event-message.json', { user: BOT.botUserId })],
    ['our own reaction', withEvent('event-reaction-added.json', { user: BOT.botUserId })],
    ['a reaction to a file', withEvent('event-reaction-added.json', { item: { type: 'file', file: 'F1' } })],
    ['our own bot joining', withEvent('event-member-joined-channel.json', { user: BOT.botUserId })],
    ['an app_mention', withEvent('event-message.json', { type: 'app_mention' })],
  ])('ignores %s, with a reason', (_name, payload) => {
    const result = parseEventCallback(payload, BOT);

    expect(isIgnored(result)).toBe(true);
    expect(JSON.stringify(result)).not.toContain('prospect');
  });

  it('reads reaction_added and reaction_removed on the reacted message, ordered by event_ts in microseconds', () => {
    const added = fixture('event-reaction-added.json');
    const removed = withEvent('event-reaction-added.json', { type: 'reaction_removed' });

    expect(parseEventCallback(added, BOT)).toEqual({
      kind: 'reaction_added',
      id: 'Ev123ABC456',
      location: { space: { platform: 'slack', id: 'T123ABC456' }, channelId: 'C123ABC456' },
      member: { platform: 'slack', id: 'U123ABC456' },
      occurredAt: new Date(1360782804083),
      messageId: '1360782400.498405',
      reaction: 'thumbsup',
      // event_ts 1360782804.083113: a later change of the same reaction wins.
      sequence: 1360782804083113,
      // item_user: who wrote the message reacted to.
      toMember: { platform: 'slack', id: 'U222222222' },
    });
    expect(parseEventCallback(removed, BOT)).toMatchObject({
      kind: 'reaction_removed',
      toMember: { platform: 'slack', id: 'U222222222' },
    });
  });

  it('reads an edit as the new length of the message it changes, and a deletion as final', () => {
    const edited = withEvent('event-message.json', {
      subtype: 'message_changed',
      event_ts: '1355517536.000002',
      message: { type: 'message', user: 'U123ABC456', text: 'short', ts: '1355517523.000005' },
    });
    const deleted = withEvent('event-message.json', {
      subtype: 'message_deleted',
      deleted_ts: '1355517523.000005',
      event_ts: '1355517540.000001',
    });
    const botEdit = withEvent('event-message.json', {
      subtype: 'message_changed',
      message: { type: 'message', bot_id: 'B1', text: 'x', ts: '1355517523.000005' },
    });

    expect(parseEventCallback(edited, BOT)).toMatchObject({
      kind: 'message_edited',
      targetId: 'T123ABC456/C123ABC456/1355517523.000005',
      textLength: 5,
      sequence: 1355517536000002,
    });
    expect(parseEventCallback(deleted, BOT)).toMatchObject({
      kind: 'message_deleted',
      targetId: 'T123ABC456/C123ABC456/1355517523.000005',
      sequence: Number.MAX_SAFE_INTEGER,
    });
    expect(parseEventCallback(botEdit, BOT)).toEqual({ ignored: 'message_changed of a bot message' });
  });

  it('reads the Home tab of app_home_opened as the member opening their home, and nothing else', () => {
    const home = { type: 'app_home_opened', user: 'U123ABC456', channel: 'D0442US94JD', tab: 'home' };
    const opened = withEvent('event-message.json', home);
    const messagesTab = withEvent('event-message.json', { ...home, tab: 'messages' });

    expect(parseEventCallback(opened, BOT)).toMatchObject({
      kind: 'home_opened',
      member: { platform: 'slack', id: 'U123ABC456' },
      location: { space: { id: 'T123ABC456' }, channelId: 'D0442US94JD', direct: true },
    });
    expect(parseEventCallback(messagesTab, BOT)).toEqual({
      ignored: 'app_home_opened on the messages tab: nothing to show',
    });
  });

  it('reads channel joins and leaves, falling back to event_time when the event has no event_ts', () => {
    const joined = parseEventCallback(fixture('event-member-joined-channel.json'), BOT);
    const left = parseEventCallback(
      withEvent('event-member-joined-channel.json', { type: 'member_left_channel' }),
      BOT,
    );

    expect(joined).toMatchObject({ kind: 'member_joined', id: 'Ev123ABC456', member: { id: 'W123ABC456' } });
    expect(joined).toMatchObject({ occurredAt: new Date(123456789 * 1000) });
    expect(left).toMatchObject({ kind: 'member_left', member: { id: 'W123ABC456' } });
  });
});

describe('Slack Connect and the bot leaving a workspace', () => {
  it('counts an event in a shared channel for the workspace that installed the app, not the sender’s', () => {
    // Prepare: a Slack Connect channel delivers the other organisation's team_id in the envelope.
    const shared = { ...fixture('event-message.json'), team_id: 'T0OTHERORG' };
    const authorizations = [{ team_id: 'T0INSTALLED', user_id: 'U0BOT', is_bot: true }];

    // Act
    const event = parseEventCallback({ ...shared, authorizations }, BOT);

    // Assess
    expect(event).toMatchObject({
      kind: 'message_posted',
      id: 'T0INSTALLED/C123ABC456/1355517523.000005',
      location: { space: { platform: 'slack', id: 'T0INSTALLED' }, channelId: 'C123ABC456' },
    });
  });

  it('falls back to the envelope team_id when the authorization names none (an org-wide app)', () => {
    const payload = { ...fixture('event-message.json'), authorizations: [{ team_id: null, is_bot: true }] };

    expect(parseEventCallback(payload, BOT)).toMatchObject({
      location: { space: { platform: 'slack', id: 'T123ABC456' } },
    });
  });

  it('reads app_uninstalled as the bot removed from the workspace', () => {
    expect(parseEventCallback(fixture('event-app-uninstalled.json'), BOT)).toEqual({
      kind: 'bot_removed',
      space: { platform: 'slack', id: 'TXXXXXXXX' },
    });
  });

  it('reads tokens_revoked as the bot removed only when a bot token went', () => {
    const revoked = fixture('event-tokens-revoked.json');
    const userTokensOnly = withEvent('event-tokens-revoked.json', { tokens: { oauth: ['UXXXXXXXX'] } });
    const noTeam = { ...revoked, team_id: undefined };

    expect(parseEventCallback(revoked, BOT)).toEqual({
      kind: 'bot_removed',
      space: { platform: 'slack', id: 'TXXXXXXXX' },
    });
    expect(parseEventCallback(userTokensOnly, BOT)).toMatchObject({
      ignored: expect.stringContaining('bot keeps'),
    });
    expect(parseEventCallback(noTeam, BOT)).toMatchObject({ ignored: expect.stringContaining('org-wide') });
  });
});

describe('Slack commands and buttons -> core events', () => {
  it("reads a slash command's documented fields, keyed by its trigger_id", () => {
    const fields = JSON.parse(
      readFileSync(new URL('../fixtures/slack/slash-command.json', import.meta.url), 'utf8'),
    );
    const receivedAt = new Date('2026-01-02T03:04:05Z');

    expect(parseSlashCommand({ ...fields, text: 'stats' }, receivedAt)).toEqual({
      kind: 'command_invoked',
      id: '13345224609.738474920.8088930838d88f008e0',
      // team_domain names the workspace for people (the space's name when the command registers it).
      location: { space: { platform: 'slack', id: 'T0001' }, channelId: 'C2147483705', spaceName: 'example' },
      member: { platform: 'slack', id: 'U2147483697' },
      occurredAt: receivedAt,
      input: { text: 'stats' },
      answer: {
        teamId: 'T0001',
        channelId: 'C2147483705',
        userId: 'U2147483697',
        responseUrl: 'https://hooks.slack.com/commands/1234/5678',
      },
    });
  });

  it('marks a command in a DM (a D channel) direct, and one in a group DM or channel not', () => {
    const fields = JSON.parse(
      readFileSync(new URL('../fixtures/slack/slash-command.json', import.meta.url), 'utf8'),
    );
    const at = (channel_id: string) => parseSlashCommand({ ...fields, channel_id }, new Date());

    expect(at('D024BE91L')).toMatchObject({ location: { channelId: 'D024BE91L', direct: true } });
    expect(at('G024BE91L')).toMatchObject({ location: { channelId: 'G024BE91L' } });
    expect(at('G024BE91L')).not.toHaveProperty('location.direct');
  });

  it('ignores a slash command missing its ids', () => {
    expect(isIgnored(parseSlashCommand({ text: 'stats' }, new Date()))).toBe(true);
  });

  it('reads a button press from block_actions', () => {
    expect(parseButtonPress(fixture('block-actions.json'))).toEqual({
      kind: 'button_pressed',
      id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
      location: { space: { platform: 'slack', id: 'T123ABC456' }, channelId: 'C123ABC456' },
      member: { platform: 'slack', id: 'U123ABC456' },
      occurredAt: new Date(1548426417840),
      actionId: 'community_help',
      value: 'help',
      answer: {
        teamId: 'T123ABC456',
        channelId: 'C123ABC456',
        userId: 'U123ABC456',
        responseUrl: 'https://hooks.slack.com/actions/T123ABC456/123456789/abcdefghijklmnop',
        messageTs: '1548261231.000200',
      },
    });
  });

  it("reads back its own answer handles, and nobody else's", () => {
    const press = parseButtonPress(fixture('block-actions.json')) as { answer: Record<string, string> };

    expect(readAnswerHandle(press.answer)).toEqual(press.answer);
    expect(readAnswerHandle({ chatId: 1, messageId: 2 })).toBeUndefined();
  });

  it('ignores interactions that are not button presses', () => {
    const payload = fixture('block-actions.json') as unknown as { actions: Record<string, unknown>[] };
    const select = { ...payload, actions: [{ ...payload.actions[0], type: 'static_select' }] };

    expect(isIgnored(parseButtonPress(select))).toBe(true);
    expect(isIgnored(parseButtonPress({ type: 'view_submission' }))).toBe(true);
  });
});

/** A view_submission of the bot's feedback modal, as Slack sends it (fields from the reference page). */
function submission(changes: { metadata?: string; user?: string; values?: unknown } = {}): unknown {
  return {
    type: 'view_submission',
    team: { id: 'T123ABC456', domain: 'example' },
    user: { id: changes.user ?? 'U123ABC456', team_id: 'T123ABC456' },
    api_app_id: 'A123ABC456',
    trigger_id: '12466734323.1395872398.7ae6d7e4d9b14c8ec1e6e4f7a8f4b0d2',
    view: {
      id: 'V0123ABCDEF',
      type: 'modal',
      callback_id: 'feedback',
      private_metadata:
        changes.metadata ??
        formMetadata({
          channelId: 'C123ABC456',
          userId: 'U123ABC456',
          responseUrl: 'https://hooks.slack.com/commands/T123ABC456/1/abc',
          context: 'ctx',
        }),
      state: {
        values: changes.values ?? {
          note: { note: { type: 'plain_text_input', value: 'More office hours, please' } },
          other: { pick: { type: 'static_select', selected_option: { value: 'x' } } },
        },
      },
    },
    response_urls: [],
  };
}

describe('Slack modal submissions -> core events', () => {
  const at = new Date('2026-01-02T03:04:05Z');

  it('reads a submission of its own modal: view id, callback_id as form id, plain text values by field', () => {
    expect(parseViewSubmission(submission(), at)).toEqual({
      kind: 'form_submitted',
      id: 'V0123ABCDEF',
      location: { space: { platform: 'slack', id: 'T123ABC456' }, channelId: 'C123ABC456' },
      member: { platform: 'slack', id: 'U123ABC456' },
      occurredAt: at,
      formId: 'feedback',
      context: 'ctx',
      values: { note: 'More office hours, please' },
      answer: {
        teamId: 'T123ABC456',
        channelId: 'C123ABC456',
        userId: 'U123ABC456',
        responseUrl: 'https://hooks.slack.com/commands/T123ABC456/1/abc',
      },
    });
  });

  it.each([
    [
      'a modal it did not open',
      submission({ metadata: 'd57850a7-5bab-414d-b11e-ca355b55d629' }),
      'did not open',
    ],
    ['a modal opened for another member', submission({ user: 'U0OTHER' }), 'another member'],
  ])('ignores %s, with a reason', (_case, body, reason) => {
    const result = parseViewSubmission(body, at);

    expect(isIgnored(result) && result.ignored).toContain(reason);
  });

  it('reads a submission for the workspace that installed the app (a modal opened in Slack Connect)', () => {
    const body = submission() as { view: Record<string, unknown> };
    const connected = { ...body, view: { ...body.view, app_installed_team_id: 'T0INSTALLED' } };

    expect(parseViewSubmission(connected, at)).toMatchObject({
      location: { space: { platform: 'slack', id: 'T0INSTALLED' } },
      answer: { teamId: 'T0INSTALLED' },
    });
  });

  it('marks a submission whose input state is not an object unreadable', () => {
    const result = parseViewSubmission(submission({ values: { note: { note: 'x' } } }), at);

    expect(result).toMatchObject({ unreadable: true });
  });

  it('never lets a field id such as __proto__ reach the prototype of the values', () => {
    const values = JSON.parse('{"b":{"__proto__":{"type":"plain_text_input","value":"x"}}}');

    const result = parseViewSubmission(submission({ values }), at) as { values: Record<string, string> };

    expect(Object.getPrototypeOf(result.values)).toBe(Object.prototype);
    expect(result.values).toEqual({});
  });
});

describe('Slack payloads whose fields are not what Slack documents', () => {
  const reasonOf = (result: object) => ('ignored' in result ? String(result.ignored) : '');
  const isUnreadable = (result: object) => 'unreadable' in result && result.unreadable === true;

  it.each([
    ['a list where ts belongs', withEvent('event-message.json', { ts: ['1.1', '1.2'] }), 'event.ts'],
    ['a number where user belongs', withEvent('event-message.json', { user: 42 }), 'event.user'],
    [
      'an id longer than any Slack id',
      withEvent('event-message.json', { channel: 'C'.repeat(65) }),
      'event.channel',
    ],
    [
      'an Object.prototype name as team',
      { ...fixture('event-message.json'), team_id: '__proto__' },
      'team_id',
    ],
    ['an empty reaction name', withEvent('event-reaction-added.json', { reaction: '' }), 'event.reaction'],
    ['a reacted item that is no object', withEvent('event-reaction-added.json', { item: 'x' }), 'event.item'],
    ['an event without a type', withEvent('event-message.json', { type: undefined }), 'event.type'],
  ])('marks %s unreadable, naming the field and not its value', (_case, payload, field) => {
    const result = parseEventCallback(payload, BOT);

    expect(isUnreadable(result)).toBe(true);
    expect(reasonOf(result)).toContain(field);
    expect(reasonOf(result)).not.toContain('prospect');
  });

  it.each([
    ['message', 'event-message.json'],
    ['reaction', 'event-reaction-added.json'],
    ['join', 'event-member-joined-channel.json'],
  ])('ignores a Slackbot (USLACKBOT) %s on purpose: Slackbot is not a member', (_kind, name) => {
    const result = parseEventCallback(withEvent(name, { user: 'USLACKBOT' }), BOT);

    expect(isUnreadable(result)).toBe(false);
    expect(reasonOf(result)).toContain('Slackbot is not a member');
  });

  it('dates a join whose event_time no Date can hold at the time it is read', () => {
    const before = Date.now();
    const payload = { ...fixture('event-member-joined-channel.json'), event_time: Number.MAX_SAFE_INTEGER };

    const joined = parseEventCallback(payload, BOT) as { occurredAt: Date };

    expect(joined.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('marks a slash command with a repeated field, and a press with a non-object action, unreadable', () => {
    const command = parseSlashCommand({ team_id: ['T1', 'T2'], text: 'stats' }, new Date());
    const press = parseButtonPress({ ...fixture('block-actions.json'), actions: ['x'] });

    expect([isUnreadable(command), isUnreadable(press)]).toEqual([true, true]);
    expect(reasonOf(command)).toContain('command.team_id');
    expect(reasonOf(press)).toContain('block_actions.actions.0');
  });
});
