import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorkspace, SLACK_SANDBOX, WORKSPACE_A, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import type { HttpHandler } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { expectedMemberId } from '../support/member-ids.js';
import { field, fixture, signed } from './slack-deliveries.js';
import {
  fromWorkspace,
  type Installing,
  installedInBoth,
  installFlow,
  itemAt,
  startInstalling,
  tokenOf,
} from './slack-install-harness.js';

/**
 * The Slack bot serving many workspaces: each workspace's events count in its own space and every Web API
 * call it makes there carries that workspace's token (asserted on the Authorization headers the fake Slack
 * received); the app leaving a workspace marks its space inactive and deletes its token; an event in a
 * Slack Connect channel counts for the workspace that installed the app.
 */

const B = SLACK_SANDBOX.workspaceB;

const message = (user: string, messageId: string, text = 'hello'): SandboxAction => ({
  kind: 'message',
  user,
  channel: 'general',
  text,
  messageId,
});

/** A slash command; the sandbox makes one in the same second and channel by the same member a redelivery. */
const command = (user: string, text: string, channel = 'general'): SandboxAction => ({
  kind: 'command',
  user,
  channel,
  text: `/community ${text}`,
});

/** The records of a workspace's space. */
async function recordsIn(installing: Installing, teamId: string) {
  return (await installing.bot.table.engagementItems()).filter((item) =>
    item.pk?.S?.startsWith(`EVT#slack:${teamId}:`),
  );
}

/** The Authorization header of each Web API call the fake Slack received that `matches`. */
function tokensUsed(installing: Installing, matches: (request: ReceivedRequest) => boolean): string[] {
  return installing.bot.api.requests
    .filter((request) => request.path.startsWith('/api/') && matches(request))
    .map((request) => String(request.headers.authorization));
}

/** A signed Events API delivery of a documented fixture, for one workspace. */
function eventOf(name: string, teamId: string, changes: Record<string, unknown> = {}) {
  return signed(JSON.stringify({ ...fixture(name), team_id: teamId, ...changes }));
}

describe('Slack across workspaces', () => {
  let installing: Installing;
  let capture: Capture;

  beforeAll(async () => {
    capture = captureDeps();
    installing = await installedInBoth({ capture });
  });
  afterAll(() => installing.close());

  const deliver = (action: SandboxAction, workspace: SandboxWorkspace, handler?: HttpHandler) =>
    (handler ?? installing.bot.handler)(fromWorkspace(action, workspace));

  it("records each workspace's events in its own space", async () => {
    // Act
    const results = [
      await deliver(message('alice', '101'), WORKSPACE_A),
      await deliver(message('alice', '101'), WORKSPACE_B),
      await deliver(message('bob', '102'), WORKSPACE_B),
    ];

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200]);
    const inA = (await recordsIn(installing, WORKSPACE_A.teamId)).map((item) => item.memberId?.S);
    const inB = (await recordsIn(installing, WORKSPACE_B.teamId)).map((item) => item.memberId?.S);
    const [alice, bob] = [expectedMemberId('slack', 'UALICE'), expectedMemberId('slack', 'UBOB')];
    expect(inA).toContain(alice);
    expect(inA).not.toContain(bob);
    expect(inB).toEqual(expect.arrayContaining([alice, bob]));
  });

  it("answers in each workspace with that workspace's own token, in the request and in later jobs", async () => {
    // Prepare
    const [tokenA, tokenB] = [
      await tokenOf(installing, WORKSPACE_A.teamId),
      await tokenOf(installing, B.teamId),
    ];

    // Act: feedback notes go to each workspace's moderators from a later job; a stats request asks Slack
    // whether the caller is an admin in the request itself.
    await deliver(command('alice', 'feedback note for A'), WORKSPACE_A);
    await deliver(command('alice', 'feedback note for B'), WORKSPACE_B);
    await deliver(command('modsam', 'stats'), WORKSPACE_B);
    await installing.bot.lambda.idle();

    // Assess
    const aboutNote = (note: string) => (request: ReceivedRequest) =>
      Boolean(field(request, 'text')?.includes(note));
    const notesA = tokensUsed(installing, aboutNote('note for A'));
    const notesB = tokensUsed(installing, aboutNote('note for B'));
    expect(notesA.length).toBeGreaterThan(0);
    expect(notesB.length).toBeGreaterThan(0);
    expect(new Set(notesA)).toEqual(new Set([`Bearer ${tokenA}`]));
    expect(new Set(notesB)).toEqual(new Set([`Bearer ${tokenB}`]));
    const lookups = tokensUsed(installing, (request) => field(request, 'user') === 'UMODSAM');
    expect(lookups).toContain(`Bearer ${tokenB}`);
    expect(tokenA).not.toBe(tokenB);
  });

  it("skips the bot's own events by the bot user id of each workspace's installation", async () => {
    // Prepare: each workspace's bot user, writing in its own workspace.
    capture.clear();

    // Act
    await deliver(message(WORKSPACE_B.botUserId.slice(1), '201'), WORKSPACE_B);
    await deliver(message(WORKSPACE_A.botUserId.slice(1), '201'), WORKSPACE_A);

    // Assess
    expect(capture.recorded).toEqual([]);
    const reasons = capture.lines.map((line) => String(line.fields.reason ?? ''));
    expect(reasons.filter((reason) => reason.includes('our own bot message'))).toHaveLength(2);
  });

  it('counts a Slack Connect event for the workspace that installed the app, not the other organisation', async () => {
    // Prepare: a shared channel delivers the sender's organisation as team_id; authorizations names B.
    const payload = JSON.parse(fromWorkspace(message('carol', '301'), WORKSPACE_B).body ?? '{}');
    const shared = { ...payload, team_id: 'T0OTHERORG', is_ext_shared_channel: true };

    // Act
    const result = await installing.bot.handler(signed(JSON.stringify(shared)));

    // Assess
    expect(result.statusCode).toBe(200);
    expect((await recordsIn(installing, B.teamId)).map((item) => item.memberId?.S)).toContain(
      expectedMemberId('slack', 'UCAROL'),
    );
    expect(await recordsIn(installing, 'T0OTHERORG')).toEqual([]);
    expect(await itemAt(installing.bot, 'SPACE#slack:T0OTHERORG', 'SPACE')).toBeUndefined();
  });

  it('answers 200 for a workspace where the app is not installed, recording nothing', async () => {
    capture.clear();
    const stranger = {
      teamId: 'T0STRANGER',
      teamName: 'Stranger',
      teamDomain: 'stranger',
      botUserId: 'U0NOBOT',
    };

    const result = await deliver(message('alice', '401'), stranger);

    expect(result).toEqual({ statusCode: 200, body: '' });
    expect(capture.recorded).toEqual([]);
    expect(capture.lines.map((line) => line.message)).toContain(
      'slack delivery for a workspace without the app',
    );
  });

  it('reads a workspace token once per instance: at its first event, not at start', async () => {
    // Prepare: a fresh instance (a cold start) after every read of B's installation starts failing.
    const coldStart = installing.bot.another();
    await deliver(message('dave', '501'), WORKSPACE_B);
    // A first event hands the space's notice to a later job: let it finish, so it reads nothing below.
    await installing.bot.lambda.idle();
    installing.bot.proxy.failNext('GetItem', 3, 'before', 'INSTALLATION');

    // Act: the warm instance needs no read; the cold one reads at its first event of B (and fails), then
    // reads again on Slack's retry.
    const warm = await deliver(message('dave', '502'), WORKSPACE_B);
    const cold = await deliver(message('dave', '503'), WORKSPACE_B, coldStart);
    const retried = await deliver(message('dave', '503'), WORKSPACE_B, coldStart);

    // Assess
    expect(warm.statusCode).toBe(200);
    expect(cold.statusCode).toBe(500);
    expect(retried.statusCode).toBe(200);
  });
});

describe('a token Slack refuses', () => {
  it('is forgotten: the next delivery reads the installation again (a reinstall another instance stored)', async () => {
    // Prepare: this instance knows B's token; then B is installed again (through another instance), which
    // replaces it, and Slack refuses the old one.
    const installing = await installedInBoth();
    try {
      const { bot } = installing;
      await bot.handler(fromWorkspace(command('alice', 'feedback'), WORKSPACE_B));
      const old = await tokenOf(installing, B.teamId);
      await installFlow(installing, { team: B.teamId });
      const renewed = await tokenOf(installing, B.teamId);
      const calls = bot.api.requests.length;

      // Act
      await bot.handler(fromWorkspace(command('alice', 'feedback', 'random'), WORKSPACE_B));
      await bot.handler(fromWorkspace(command('alice', 'feedback', 'another'), WORKSPACE_B));

      // Assess
      const opened = bot.api.requests.slice(calls).filter((request) => request.path === '/api/views.open');
      expect(opened.map((request) => request.headers.authorization)).toEqual([
        `Bearer ${old}`,
        `Bearer ${renewed}`,
      ]);
    } finally {
      await installing.close();
    }
  });
});

describe('the app leaving a workspace', () => {
  it.each([
    ['app_uninstalled', 'event-app-uninstalled.json'],
    ['tokens_revoked (a bot token)', 'event-tokens-revoked.json'],
  ])('%s: the space is inactive, its token deleted and forgotten, its records kept', async (_case, name) => {
    // Prepare: B has a record, and this instance knows B's token (it opened a modal there with it).
    const installing = await installedInBoth();
    try {
      const { bot } = installing;
      await bot.handler(fromWorkspace(message('alice', '601'), WORKSPACE_B));
      await bot.handler(fromWorkspace(command('alice', 'feedback'), WORKSPACE_B));
      await bot.lambda.idle();
      const before = await recordsIn(installing, B.teamId);

      // Act
      const removed = await bot.handler(eventOf(name, B.teamId));
      const after = await bot.handler(fromWorkspace(message('alice', '602'), WORKSPACE_B));

      // Assess: the table, then the events that follow.
      expect(removed.statusCode).toBe(200);
      expect(await itemAt(bot, `SPACE#slack:${B.teamId}`, 'SPACE')).toMatchObject({
        status: { S: 'inactive' },
      });
      expect(await itemAt(bot, `SPACE#slack:${B.teamId}`, 'INSTALLATION')).toBeUndefined();
      expect(before.length).toBeGreaterThan(0);
      expect(await recordsIn(installing, B.teamId)).toEqual(before);
      expect(after.statusCode).toBe(200);
      // A's installation is untouched.
      expect(await itemAt(bot, `SPACE#slack:${WORKSPACE_A.teamId}`, 'INSTALLATION')).toBeDefined();

      // Installed again: served again, and this instance speaks with the new token, not the one it knew.
      const { result } = await installFlow(installing, { team: B.teamId });
      const token = await tokenOf(installing, B.teamId);
      const calls = bot.api.requests.length;
      await bot.handler(fromWorkspace(command('alice', 'feedback', 'random'), WORKSPACE_B));
      expect(result.statusCode).toBe(200);
      expect(await itemAt(bot, `SPACE#slack:${B.teamId}`, 'SPACE')).toMatchObject({
        status: { S: 'active' },
      });
      const opened = bot.api.requests.slice(calls).filter((request) => request.path === '/api/views.open');
      expect(opened.map((request) => request.headers.authorization)).toEqual([`Bearer ${token}`]);
    } finally {
      await installing.close();
    }
  });

  it('keeps the bot when tokens_revoked names user tokens only', async () => {
    const installing = await startInstalling();
    try {
      await installFlow(installing, { team: B.teamId });
      const userTokens = eventOf('event-tokens-revoked.json', B.teamId, {
        event: { type: 'tokens_revoked', tokens: { oauth: ['UALICE'] } },
      });

      const result = await installing.bot.handler(userTokens);

      expect(result.statusCode).toBe(200);
      expect(await itemAt(installing.bot, `SPACE#slack:${B.teamId}`, 'INSTALLATION')).toBeDefined();
      expect(await itemAt(installing.bot, `SPACE#slack:${B.teamId}`, 'SPACE')).toMatchObject({
        status: { S: 'active' },
      });
    } finally {
      await installing.close();
    }
  });
});

describe('one workspace (SLACK_BOT_TOKEN)', () => {
  it('keeps answering with the configured token, whatever the table holds', async () => {
    const installing = await startInstalling({ single: true });
    try {
      await installFlow(installing, { team: B.teamId });
      const calls = installing.bot.api.requests.length;

      await installing.bot.handler(fromWorkspace(command('alice', 'feedback'), WORKSPACE_B));

      const opened = installing.bot.api.requests.slice(calls).filter((r) => r.path === '/api/views.open');
      expect(opened.map((request) => request.headers.authorization)).toEqual([
        `Bearer ${SLACK_SANDBOX.botToken}`,
      ]);
    } finally {
      await installing.close();
    }
  });
});
