import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackMessenger, type SlackMessenger } from '../../bots/slack/messenger.js';
import { parseButtonPress } from '../../bots/slack/parse-interactions.js';
import { pressResponder } from '../../bots/slack/respond.js';
import { SLACK_SANDBOX, slackSandbox } from '../../bots/slack/sandbox.js';
import { singleWorkspace } from '../../bots/slack/workspaces.js';
import type { AnswerHandle } from '../../shared/core/messenger.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { buttonsOf, field, fixture, received } from './slack-deliveries.js';

/**
 * The Slack Messenger, capability by capability and fallback by fallback, with the real WebClient talking
 * to the fake Slack (Web API and response_url hooks). The interaction tests drive the same Messenger
 * through the handler; post, update and delete have no feature using them yet, so they are proved here.
 */

const SPACE = { platform: 'slack', id: SLACK_SANDBOX.teamId } as const;
const member = (id: string) => ({ platform: 'slack', id }) as const;
const hook = (path: string) => `https://hooks.slack.com${path}`;

let api: FakeServer;
let capture: Capture;
let messenger: SlackMessenger;

beforeAll(async () => {
  api = await slackSandbox.startFakeApi();
  capture = captureDeps();
  const env = slackSandbox.env(api.url);
  const client = new WebClient(SLACK_SANDBOX.botToken, {
    slackApiUrl: env.SLACK_API_URL,
    retryConfig: { retries: 0 },
  });
  messenger = createSlackMessenger({
    client: async () => client,
    bots: singleWorkspace({
      token: SLACK_SANDBOX.botToken,
      botId: SLACK_SANDBOX.botId,
      botUserId: SLACK_SANDBOX.botUserId,
    }),
    hooksUrl: String(env.SLACK_HOOKS_URL),
    logger: capture.deps.logger,
  });
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  capture.clear();
});

function answer(more: Record<string, string> = {}): AnswerHandle {
  return { teamId: SLACK_SANDBOX.teamId, channelId: 'CGENERAL', userId: 'UALICE', ...more };
}

/** Every request the fake got, as `path` or `path channel`, to prove where something went and nowhere else. */
const trail = () =>
  api.requests.map((request) =>
    [request.path, field(request, 'channel')].filter((part) => part !== undefined).join(' '),
  );

describe('Slack Messenger: capabilities', () => {
  it('declares modals, ephemeral private answers and threads, and has no deep links', () => {
    expect(messenger.capabilities).toEqual({ forms: 'modal', privateAnswers: 'ephemeral', threads: true });
    expect(messenger.deepLink('token')).toBeUndefined();
  });
});

describe('Slack Messenger: posting, updating and deleting', () => {
  it('posts in a channel and in a thread, with the bot token, buttons carrying their value', async () => {
    // Act
    const top = await messenger.post(
      { space: SPACE, channelId: 'CGENERAL' },
      { text: '**Welcome**', buttons: [{ actionId: 'intro.start', label: 'Start', value: '42' }] },
    );
    const reply = await messenger.post(
      { space: SPACE, channelId: 'CGENERAL', threadId: top.messageId },
      {
        text: 'in the thread',
      },
    );

    // Assess
    const [first, second] = received(api, '/api/chat.postMessage');
    expect(first?.headers.authorization).toBe(`Bearer ${SLACK_SANDBOX.botToken}`);
    expect(first?.payload).toMatchObject({ channel: 'CGENERAL', text: 'Welcome' });
    expect(first && buttonsOf(first)).toEqual([
      expect.objectContaining({ action_id: 'intro.start', value: '42' }),
    ]);
    expect(field(second, 'thread_ts')).toBe(top.messageId);
    expect(top).toMatchObject({ space: SPACE, channelId: 'CGENERAL' });
    expect(reply.messageId).not.toBe(top.messageId);
  });

  it('updates and deletes a message it posted; deleting it again is no error', async () => {
    // Prepare
    const posted = await messenger.post({ space: SPACE, channelId: 'CGENERAL' }, { text: 'draft' });

    // Act
    await messenger.update(posted, { text: 'final' });
    await messenger.delete(posted);
    await messenger.delete(posted);

    // Assess
    expect(received(api, '/api/chat.update')[0]?.payload).toMatchObject({
      channel: 'CGENERAL',
      ts: posted.messageId,
      text: 'final',
    });
    expect(received(api, '/api/chat.delete')).toHaveLength(2);
    await expect(messenger.update(posted, { text: 'gone' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });
});

describe('Slack Messenger: private messages', () => {
  it("sends a private message in the member's DM with the app", async () => {
    const delivery = await messenger.sendPrivate(SPACE, member('UALICE'), { text: 'just for you' });

    expect(delivery).toEqual({
      kind: 'sent',
      message: { space: SPACE, channelId: 'DALICE', messageId: expect.any(String) },
    });
    expect(trail()).toEqual(['/api/chat.postMessage UALICE']);
  });

  it.each([
    ['a deactivated member', 'UMODGONE', 'user_disabled'],
    ['a bot', SLACK_SANDBOX.botUserId, 'cannot_dm_bot'],
  ])('reports %s unreachable, and says nothing anywhere else', async (_who, id, reason) => {
    const delivery = await messenger.sendPrivate(SPACE, member(id), { text: 'just for you' });

    expect(delivery).toEqual({ kind: 'unreachable', reason });
    expect(trail()).toEqual([`/api/chat.postMessage ${id}`]);
  });
});

describe('Slack Messenger: answers after the acknowledgement', () => {
  it("answers through the interaction's response_url, ephemerally, without the bot token", async () => {
    const delivery = await messenger.respond(answer({ responseUrl: hook('/commands/T0SANDBOX/1/a') }), {
      text: '**Later**',
    });

    expect(delivery).toEqual({ kind: 'sent' });
    const [posted] = received(api, '/commands/T0SANDBOX/1/a');
    expect(posted?.payload).toMatchObject({
      response_type: 'ephemeral',
      text: 'Later',
      replace_original: false,
    });
    expect(posted?.headers.authorization).toBeUndefined();
    expect(trail()).toEqual(['/commands/T0SANDBOX/1/a']);
  });

  it('answers publicly in the channel only when asked to', async () => {
    await messenger.respond(
      answer({ responseUrl: hook('/commands/T0SANDBOX/2/b') }),
      { text: 'all' },
      'public',
    );

    expect(received(api, '/commands/T0SANDBOX/2/b')[0]?.payload).toMatchObject({
      response_type: 'in_channel',
    });
  });

  it.each([
    ['another host', 'https://evil.example/commands/T0SANDBOX/3/c'],
    ['a look-alike host', 'https://hooks.slack.com.evil.example/commands/T0SANDBOX/3/c'],
    ['plain http', 'http://hooks.slack.com/commands/T0SANDBOX/3/c'],
    ['credentials in the URL', 'https://bot:x@hooks.slack.com/commands/T0SANDBOX/3/c'],
    ['a path outside the hooks', 'https://hooks.slack.com/api/chat.postMessage'],
    ['a path climbing out of the hooks', 'https://hooks.slack.com/commands/../api/chat.postMessage'],
    ['no URL at all', 'not a url'],
  ])('never posts to a response_url on %s: answers ephemerally through the Web API', async (_case, url) => {
    const delivery = await messenger.respond(answer({ responseUrl: url }), { text: 'private' });

    expect(delivery).toEqual({ kind: 'sent' });
    expect(trail()).toEqual(['/api/chat.postEphemeral CGENERAL']);
    expect(received(api, '/api/chat.postEphemeral')[0]?.payload).toMatchObject({ user: 'UALICE' });
    expect(capture.lines.map((line) => line.fields.code)).toContain('slack_response_url_refused');
  });

  it('answers through the Web API when Slack refuses an expired response_url', async () => {
    const delivery = await messenger.respond(answer({ responseUrl: hook('/commands/T0SANDBOX/expired/d') }), {
      text: 'private',
    });

    expect(delivery).toEqual({ kind: 'sent' });
    expect(trail()).toEqual(['/commands/T0SANDBOX/expired/d', '/api/chat.postEphemeral CGENERAL']);
    expect(capture.lines.find((line) => line.fields.reason)?.fields.reason).toContain('expired_url');
  });

  it("falls back to the member's DM where the bot cannot post ephemerally, never to the channel", async () => {
    const delivery = await messenger.respond(answer({ channelId: 'CNOBOTLOUNGE' }), { text: 'private' });

    expect(delivery).toMatchObject({ kind: 'sent', message: { channelId: 'DALICE' } });
    expect(trail()).toEqual(['/api/chat.postEphemeral CNOBOTLOUNGE', '/api/chat.postMessage UALICE']);
  });

  it('reports a member it can reach neither ephemerally nor in a DM unreachable', async () => {
    const delivery = await messenger.respond(answer({ channelId: 'CNOBOTLOUNGE', userId: 'UMODGONE' }), {
      text: 'private',
    });

    expect(delivery).toEqual({ kind: 'unreachable', reason: 'user_disabled' });
    expect(trail()).toEqual(['/api/chat.postEphemeral CNOBOTLOUNGE', '/api/chat.postMessage UMODGONE']);
  });

  it("replaces a pressed message through the press's response_url, else with chat.update", async () => {
    // Prepare
    const posted = await messenger.post({ space: SPACE, channelId: 'CGENERAL' }, { text: 'before' });
    api.requests.length = 0;

    // Act
    await messenger.replace(answer({ responseUrl: hook('/actions/T0SANDBOX/4/e') }), { text: 'after' });
    await messenger.replace(answer({ messageTs: posted.messageId }), { text: 'after again' });

    // Assess
    expect(received(api, '/actions/T0SANDBOX/4/e')[0]?.payload).toMatchObject({
      replace_original: true,
      text: 'after',
    });
    expect(received(api, '/api/chat.update')[0]?.payload).toMatchObject({ ts: posted.messageId });
  });

  it('refuses an answer handle it did not make', async () => {
    await expect(messenger.respond({ chatId: 1 }, { text: 'x' })).rejects.toMatchObject({
      code: 'slack_answer_handle_invalid',
    });
    expect(api.requests).toEqual([]);
  });
});

describe('Slack Messenger: moderators', () => {
  it('lists admins and owners across every users.list page, skipping bots, Slackbot and deactivated ones', async () => {
    const moderators = await messenger.moderators(SPACE);

    expect(moderators.map((moderator) => moderator.id)).toEqual(['UMODSAM', 'UMODOWNER', 'UMODLEA']);
    const pages = received(api, '/api/users.list');
    expect(pages.map((page) => field(page, 'cursor'))).toEqual([undefined, 'page:3', 'page:6']);
    expect(pages.every((page) => page.headers.authorization === `Bearer ${SLACK_SANDBOX.botToken}`)).toBe(
      true,
    );
  });

  it('asks Slack whether a member moderates the workspace', async () => {
    expect(await messenger.isModerator(SPACE, member('UMODSAM'))).toBe(true);
    expect(await messenger.isModerator(SPACE, member('UALICE'))).toBe(false);
    expect(received(api, '/api/users.info').map((request) => field(request, 'user'))).toEqual([
      'UMODSAM',
      'UALICE',
    ]);
  });
});

describe('Slack Messenger: forms', () => {
  it("opens a modal with a press's trigger_id, remembering where to answer its submission", async () => {
    // Prepare
    const event = parseButtonPress(fixture('block-actions.json'));
    if ('ignored' in event) throw new Error(event.ignored);
    const form = {
      formId: 'intro.edit',
      title: 'Your introduction',
      submitLabel: 'Save',
      context: 'intro-7',
      fields: [{ id: 'about', label: 'About you', style: 'short', required: false, maxLength: 200 }],
    } as const;

    // Act
    await pressResponder(event, messenger).openForm(form);

    // Assess
    const [opened] = received(api, '/api/views.open');
    expect(field(opened, 'trigger_id')).toBe(event.id);
    const view = JSON.parse(field(opened, 'view') ?? '{}');
    expect(view).toMatchObject({ callback_id: 'intro.edit', title: { text: 'Your introduction' } });
    expect(JSON.parse(view.private_metadata)).toEqual({
      channelId: 'C123ABC456',
      userId: 'U123ABC456',
      responseUrl: 'https://hooks.slack.com/actions/T123ABC456/123456789/abcdefghijklmnop',
      context: 'intro-7',
    });
  });

  it('fails when Slack refuses the trigger (it lives 3 seconds), so the core can answer again', async () => {
    const event = parseButtonPress({ ...fixture<object>('block-actions.json'), trigger_id: '1.2.expired' });
    if ('ignored' in event) throw new Error(event.ignored);

    const opening = pressResponder(event, messenger).openForm({
      formId: 'f',
      title: 'T',
      submitLabel: 'S',
      fields: [{ id: 'a', label: 'A', style: 'short', required: true, maxLength: 10 }],
    });

    await expect(opening).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
  });
});
