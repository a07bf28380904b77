import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModeratorCheck } from '../../bots/slack/moderators.js';
import { parseButtonPress } from '../../bots/slack/parse-interactions.js';
import { renderMessage } from '../../bots/slack/render.js';
import { readSlackRequest } from '../../bots/slack/request.js';
import { SLACK_SANDBOX, sandboxTs, sandboxUserId, slackSandbox } from '../../bots/slack/sandbox.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import { readPressString, type SandboxAction } from '../../shared/platform/sandbox.js';
import { httpEvent } from '../support/lambda.js';

const NOW = new Date('2026-05-04T10:00:00.250Z');

function eventIdOf(body: string): string {
  return (JSON.parse(body) as { event_id: string }).event_id;
}

describe('Slack sandbox deliveries', () => {
  it('signs deliveries that the adapter verifies with the sandbox signing secret', () => {
    const signed = slackSandbox.sign(
      { kind: 'message', user: 'alice', channel: 'general', text: 'hi', messageId: '42' },
      NOW,
    );

    const request = readSlackRequest(
      httpEvent(signed.path, signed.body, signed.headers),
      SLACK_SANDBOX.signingSecret,
      NOW,
    );

    expect(signed.path).toBe('/slack/events');
    expect(request.event.headers['content-type']).toBe('application/json');
  });

  it('gives the same action and message id the same event id, even later (a redelivery)', () => {
    const action = {
      kind: 'message',
      user: 'alice',
      channel: 'general',
      text: 'hi',
      messageId: '42',
    } as const;
    const later = new Date(NOW.getTime() + 60_000);

    const first = eventIdOf(slackSandbox.sign(action, NOW).body);
    const again = eventIdOf(slackSandbox.sign(action, later).body);
    const other = eventIdOf(slackSandbox.sign({ ...action, messageId: '43' }, NOW).body);

    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('shapes messages, replies, reactions and joins like Slack events', () => {
    const reply = JSON.parse(
      slackSandbox.sign(
        { kind: 'message', user: 'bob', channel: 'general', text: 'yes', messageId: '7', threadOf: '42' },
        NOW,
      ).body,
    );
    const reaction = JSON.parse(
      slackSandbox.sign(
        { kind: 'reaction', user: 'carol', channel: 'general', messageId: '42', emoji: '👍' },
        NOW,
      ).body,
    );
    const join = JSON.parse(slackSandbox.sign({ kind: 'join', user: 'dave', channel: 'general' }, NOW).body);

    expect(reply.event).toMatchObject({
      type: 'message',
      user: 'UBOB',
      ts: sandboxTs('7'),
      thread_ts: sandboxTs('42'),
    });
    expect(reaction.event).toMatchObject({
      type: 'reaction_added',
      reaction: '+1',
      item: { ts: sandboxTs('42') },
    });
    expect(join.event).toMatchObject({ type: 'member_joined_channel', user: 'UDAVE', channel: 'CGENERAL' });
  });

  it('speaks in the second workspace with --space b: its team, its domain, its bot authorized', () => {
    const event = JSON.parse(
      slackSandbox.sign({ kind: 'message', user: 'alice', channel: 'general', text: 'hi', space: 'b' }, NOW)
        .body,
    );
    const command = Object.fromEntries(
      new URLSearchParams(
        slackSandbox.sign(
          { kind: 'command', user: 'alice', channel: 'general', text: '/community', space: 'b' },
          NOW,
        ).body,
      ),
    );
    const first = JSON.parse(
      slackSandbox.sign({ kind: 'message', user: 'alice', channel: 'general', text: 'hi' }, NOW).body,
    );

    expect(event).toMatchObject({
      team_id: 'T0SANDBOXB',
      authorizations: [{ team_id: 'T0SANDBOXB', user_id: SLACK_SANDBOX.workspaceB.botUserId, is_bot: true }],
    });
    expect(command).toMatchObject({ team_id: 'T0SANDBOXB', team_domain: 'sandbox-b' });
    expect(first).toMatchObject({ team_id: SLACK_SANDBOX.teamId });
    expect(first.event_id).not.toBe(event.event_id);
  });

  it('sends a command as a slash command form', () => {
    const signed = slackSandbox.sign(
      { kind: 'command', user: 'modsam', channel: 'general', text: '/community stats' },
      NOW,
    );

    const fields = Object.fromEntries(new URLSearchParams(signed.body));

    expect(signed.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(fields).toMatchObject({
      command: '/community',
      text: 'stats',
      user_id: 'UMODSAM',
      team_id: SLACK_SANDBOX.teamId,
    });
  });
});

describe('Slack sandbox API and the moderator check', () => {
  let api: FakeServer;
  let client: WebClient;

  beforeAll(async () => {
    api = await slackSandbox.startFakeApi();
    client = new WebClient(SLACK_SANDBOX.botToken, { slackApiUrl: slackSandbox.env(api.url).SLACK_API_URL });
  });
  afterAll(() => api.close());

  it('treats mod... members as workspace admins and others as members', async () => {
    const isModerator = createModeratorCheck();

    expect(
      await isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, 'UMODSAM'),
    ).toBe(true);
    expect(await isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, 'UALICE')).toBe(
      false,
    );
    const lastCall = api.requests.at(-1);
    expect(lastCall && slackSandbox.describe(lastCall)).toBe('looked up UALICE (moderator check): a member');
  });

  it('asks Slack once per member within a minute, and again after it', async () => {
    // Prepare
    let clock = 1_000_000;
    const isModerator = createModeratorCheck(60_000, () => clock);
    const lookups = () =>
      api.requests.filter((request) => (request.payload as { user?: string }).user === 'UMODLEA').length;

    // Act
    await isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, 'UMODLEA');
    await isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, 'UMODLEA');
    const withinMinute = lookups();
    clock += 60_001;
    await isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, 'UMODLEA');

    // Assess
    expect(withinMinute).toBe(1);
    expect(lookups()).toBe(2);
  });

  it('takes response_url posts on the hooks paths, refusing an expired one as Slack does', async () => {
    const post = (path: string, body: object) =>
      fetch(`${slackSandbox.env(api.url).SLACK_HOOKS_URL}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const sent = await post('/commands/T0SANDBOX/1/x', { response_type: 'ephemeral', text: 'hi' });
    const expired = await post('/actions/T0SANDBOX/expired/x', { text: 'late' });
    const empty = await post('/commands/T0SANDBOX/2/x', {});

    expect([sent.status, await sent.text()]).toEqual([200, 'ok']);
    expect([expired.status, await expired.text()]).toEqual([404, 'expired_url']);
    expect(empty.status).toBe(400);
    const hook = api.requests.find((request) => request.path === '/commands/T0SANDBOX/1/x');
    expect(hook && slackSandbox.describe(hook)).toBe('said privately: hi');
  });

  it('refuses a modal Slack would refuse: a title over 24 characters', async () => {
    const view = (title: string) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: title },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x' } }],
    });

    const opened = await client.views.open({ trigger_id: '1.2.3', view: view('Short') });

    expect(opened.ok).toBe(true);
    await expect(
      client.views.open({ trigger_id: '1.2.4', view: view('x'.repeat(25)) }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
  });

  it('answers invalid_auth to a wrong token, as Slack does', async () => {
    const stranger = new WebClient('xoxb-wrong', {
      slackApiUrl: slackSandbox.env(api.url).SLACK_API_URL,
      retryConfig: { retries: 0 },
    });

    await expect(stranger.users.info({ user: 'UALICE' })).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
  });
});

describe('Slack sandbox member ids', () => {
  it('keeps ASCII names readable: alice is UALICE, modsam UMODSAM', () => {
    expect(sandboxUserId('alice')).toBe('UALICE');
    expect(sandboxUserId('modsam')).toBe('UMODSAM');
  });

  it('keeps members with non-ASCII names distinct, and the same name the same member', () => {
    const names = ['zoë', 'zoé', 'zoe', '太郎', '花子', 'さくら', 'Ørjan', 'Orjan'];

    const ids = names.map(sandboxUserId);

    expect(new Set(ids).size).toBe(names.length);
    expect(ids.map((id) => /^U[A-Z0-9]+$/.test(id))).toEqual(names.map(() => true));
    expect(sandboxUserId('太郎')).toBe(ids[3]);
    expect(ids).not.toContain('UANON');
  });

  it('recognises moderators by the mod prefix, also with non-ASCII names, and nobody else', async () => {
    const api = await slackSandbox.startFakeApi();
    try {
      const client = new WebClient(SLACK_SANDBOX.botToken, {
        slackApiUrl: slackSandbox.env(api.url).SLACK_API_URL,
      });
      const isModerator = createModeratorCheck();
      const check = (name: string) =>
        isModerator({ client, token: SLACK_SANDBOX.botToken }, SLACK_SANDBOX.teamId, sandboxUserId(name));

      expect(await Promise.all(['modé', 'mod太郎', 'modsam'].map(check))).toEqual([true, true, true]);
      expect(await Promise.all(['moé', 'mé', 'mö', 'zoë', '太郎'].map(check))).toEqual([
        false,
        false,
        false,
        false,
        false,
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('Slack sandbox: pressing a button (npm run say -- --press)', () => {
  const JOIN = { actionId: 'link.join', value: `${'1f2e'.repeat(8)}/T0SANDBOX` };
  const readPress = (action: SandboxAction, now = NOW) => {
    const signed = slackSandbox.sign(action, now);
    const { payload } = readSlackRequest(
      httpEvent(signed.path, signed.body, signed.headers),
      SLACK_SANDBOX.signingSecret,
      now,
    );
    return { signed, payload, parsed: parseButtonPress(payload) };
  };

  it('signs a block_actions payload, form-encoded, that the adapter verifies and reads back as the press', () => {
    const { signed, payload, parsed } = readPress({
      kind: 'press',
      user: 'modsam',
      channel: 'general',
      ...JOIN,
    });

    expect(signed.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(signed.body).keys()]).toEqual(['payload']);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'UMODSAM', team_id: SLACK_SANDBOX.teamId },
      team: { id: SLACK_SANDBOX.teamId },
      channel: { id: 'CGENERAL' },
      container: { type: 'message', channel_id: 'CGENERAL', is_ephemeral: true },
      actions: [{ action_id: 'link.join', value: JOIN.value, type: 'button' }],
    });
    expect(String(payload.response_url)).toMatch(/^https:\/\/hooks\.slack\.com\/actions\/T0SANDBOX\//);
    expect(parsed).toMatchObject({
      kind: 'button_pressed',
      actionId: 'link.join',
      value: JOIN.value,
      member: { id: 'UMODSAM' },
      location: { space: { id: SLACK_SANDBOX.teamId }, channelId: 'CGENERAL' },
    });
  });

  it('presses in the second workspace with --space b, in a DM with channel "dm", on the message named', () => {
    const { payload, parsed } = readPress({
      kind: 'press',
      user: 'modann',
      channel: 'dm',
      space: 'b',
      actionId: 'link.cancel',
      messageId: '42',
    });

    expect(payload.container).toMatchObject({
      channel_id: 'DMODANN',
      message_ts: sandboxTs('42'),
      is_ephemeral: false,
    });
    expect(parsed).toMatchObject({
      actionId: 'link.cancel',
      location: { space: { id: 'T0SANDBOXB' }, channelId: 'DMODANN' },
    });
    expect(parsed).not.toHaveProperty('value');
  });

  it('gives the same press in the same second the same trigger_id (its id), a later one a new one', () => {
    const action: SandboxAction = { kind: 'press', user: 'modsam', channel: 'general', ...JOIN };
    const idOf = (at: Date) => (readPress(action, at).parsed as { id: string }).id;

    expect(idOf(NOW)).toBe(idOf(new Date(NOW.getTime() + 100)));
    expect(idOf(new Date(NOW.getTime() + 1000))).not.toBe(idOf(NOW));
  });

  it('prints each button of what the bot said with the press string that presses it', () => {
    const rendered = renderMessage({
      text: 'Join?',
      buttons: [
        { label: 'Join', ...JOIN },
        { label: 'Cancel', actionId: 'link.cancel' },
      ],
    });
    // The Web API form carries blocks as JSON text; a response_url body or an acknowledgement as a list.
    const posted = slackSandbox.describe({
      method: 'POST',
      path: '/api/chat.postMessage',
      query: new URLSearchParams(),
      headers: {},
      body: '',
      payload: { channel: 'UMODSAM', text: rendered.text, blocks: JSON.stringify(rendered.blocks) },
    });
    const answered = slackSandbox.describeAnswer?.(
      JSON.stringify({ response_type: 'ephemeral', ...rendered }),
    );
    const press = /\[Join\] --press (\S+)/.exec(answered ?? '')?.[1] ?? '';

    expect(posted).toBe(
      `said privately to UMODSAM in their DM: Join? [Join] --press link.join:${JOIN.value} [Cancel] --press link.cancel`,
    );
    expect(answered).toBe(
      `privately: Join? [Join] --press link.join:${JOIN.value} [Cancel] --press link.cancel`,
    );
    // What was printed presses that very button.
    expect(
      readPress({ kind: 'press', user: 'modsam', channel: 'general', ...readPressString(press) }).parsed,
    ).toMatchObject(JOIN);
  });
});
