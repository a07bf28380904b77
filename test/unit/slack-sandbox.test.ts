import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModeratorCheck } from '../../bots/slack/moderators.js';
import { readSlackRequest } from '../../bots/slack/request.js';
import { SLACK_SANDBOX, sandboxTs, sandboxUserId, slackSandbox } from '../../bots/slack/sandbox.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
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
