import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_SANDBOX } from '../../bots/slack/sandbox.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import { type Capture, captureDeps } from '../support/capture.js';
import {
  browserGet,
  cookieOf,
  type Installing,
  installFlow,
  itemAt,
  REDIRECT_URI,
  startInstalling,
} from './slack-install-harness.js';

/**
 * Slack's installation flow (bots/slack/oauth/) end to end: the real handler with @slack/oauth's
 * InstallProvider, the fake Slack's authorize page and `oauth.v2.access`, the table through the faulty
 * proxy. What is asserted is what a browser gets, what the fake Slack received and what the table holds.
 */

const B = SLACK_SANDBOX.workspaceB;

let installing: Installing;
let capture: Capture;

beforeAll(async () => {
  capture = captureDeps();
  installing = await startInstalling({ capture });
});
afterAll(() => installing.close());
beforeEach(() => capture.clear());

const exchanges = () =>
  installing.bot.api.requests.filter((request) => request.path === '/api/oauth.v2.access');
const installationOf = (teamId: string) => itemAt(installing.bot, `SPACE#slack:${teamId}`, 'INSTALLATION');
const spaceOf = (teamId: string) => itemAt(installing.bot, `SPACE#slack:${teamId}`, 'SPACE');

function expectPage(result: HttpResult, status: number, says: string | RegExp): void {
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
  expect(result.headers?.['cache-control']).toBe('no-store');
  expect(result.headers?.['referrer-policy']).toBe('no-referrer');
  expect(result.body).toMatch(says);
}

describe('GET /slack/install', () => {
  it("sends the installer to Slack's authorize page with the app, its scopes and a state bound to a cookie", async () => {
    // Act
    const start = await installing.install(browserGet('/slack/install'));

    // Assess
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers?.location));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${installing.bot.api.url}/oauth/v2/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(SLACK_SANDBOX.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorize.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'channels:history', 'reactions:read', 'users:read']),
    );
    const state = authorize.searchParams.get('state');
    expect(state).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(start.cookies).toEqual([expect.stringMatching(/; Secure; HttpOnly; Path=\/; Max-Age=600$/)]);
    expect(cookieOf(start)).toBe(`slack-app-oauth-state=${state}`);
  });
});

describe('GET /slack/oauth_redirect', () => {
  it('installs the app in a workspace: one exchange, the installation stored, the space registered', async () => {
    // Act
    const { result } = await installFlow(installing, { team: B.teamId });

    // Assess: the page, then what Slack was asked, then what the table holds.
    expectPage(result, 200, /installed in <strong>Sandbox B<\/strong>/);
    const [exchange] = exchanges();
    expect(exchange?.payload).toMatchObject({
      client_id: SLACK_SANDBOX.clientId,
      client_secret: SLACK_SANDBOX.clientSecret,
      redirect_uri: REDIRECT_URI,
    });
    const installation = await installationOf(B.teamId);
    const token = installation?.botToken?.S ?? '';
    expect(token).toMatch(new RegExp(`^xoxb-sandbox-${B.teamId}-\\d+$`));
    expect(installation).toMatchObject({
      teamId: { S: B.teamId },
      botId: { S: B.botId },
      botUserId: { S: B.botUserId },
      installerUserId: { S: 'UMODOWNER' },
      installedAt: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    expect(installation?.scopes?.SS).toEqual(expect.arrayContaining(['commands', 'chat:write']));
    expect(await spaceOf(B.teamId)).toMatchObject({ status: { S: 'active' }, name: { S: 'Sandbox B' } });
    // The token is a credential: never on the page, never in a log line.
    expect(result.body).not.toContain(token);
    expect(JSON.stringify(capture.lines)).not.toContain(token);
    expect(JSON.stringify(capture.lines)).not.toContain(SLACK_SANDBOX.clientSecret);
  });

  it('answers a callback delivered again without a second exchange or store', async () => {
    // Prepare
    const first = await installFlow(installing, { team: SLACK_SANDBOX.teamId });
    const exchanged = exchanges().length;
    const stored = await installationOf(SLACK_SANDBOX.teamId);

    // Act
    const again = await installing.install(first.callback);

    // Assess
    expectPage(first.result, 200, /installed in <strong>Sandbox<\/strong>/);
    expectPage(again, 200, /installed in <strong>Sandbox<\/strong>/);
    expect(exchanges()).toHaveLength(exchanged);
    expect(await installationOf(SLACK_SANDBOX.teamId)).toEqual(stored);
  });

  it('exchanges a callback delivered three times at once once; the others wait or see it done', async () => {
    // Prepare
    const { callback } = await installFlowStart();
    const exchanged = exchanges().length;

    // Act
    const results = await Promise.all([1, 2, 3].map(() => installing.install(callback)));

    // Assess: 409 asks to reload in a moment; nothing fails.
    expect(exchanges()).toHaveLength(exchanged + 1);
    expect(results.filter((result) => result.statusCode === 200).length).toBeGreaterThanOrEqual(1);
    for (const result of results) expect([200, 409]).toContain(result.statusCode);
  });

  it('refuses a forged or missing state with a 400 page, before asking Slack anything', async () => {
    // Prepare: the state of a real start, altered; and the same callback without the browser's cookie.
    const { start, callback } = await installFlowStart();
    const exchanged = exchanges().length;
    const url = `/slack/oauth_redirect?${callback.rawQueryString}`;
    const state = new URLSearchParams(callback.rawQueryString).get('state') ?? '';
    const forgedState = `${state.slice(0, -4)}AAAA`;
    const forged = url.replace(state, forgedState);
    const withoutState = url.replace(/&?state=[^&]+/, '');

    // Act
    const results = [
      // The browser's cookie matches, but the signature does not.
      await installing.install(browserGet(forged, `slack-app-oauth-state=${forgedState}`)),
      await installing.install(browserGet(forged, cookieOf(start))),
      await installing.install(browserGet(withoutState, cookieOf(start))),
      await installing.install(browserGet(url)),
      await installing.install(browserGet(url, 'slack-app-oauth-state=another-browser')),
    ];

    // Assess
    for (const result of results) expectPage(result, 400, /not valid any more/);
    expect(exchanges()).toHaveLength(exchanged);
  });

  it('quotes what Slack sent back instead of a code, escaped, on a 400 page', async () => {
    const result = await installing.install(
      browserGet('/slack/oauth_redirect?error=<b>invalid_scope</b>&state=x'),
    );

    expectPage(result, 400, /Slack answered: <code>&lt;b&gt;invalid_scope&lt;\/b&gt;<\/code>/);
  });

  it('says so with a 403 page when the installer cancels on Slack', async () => {
    const { result } = await installFlow(installing, { team: B.teamId, deny: true });

    expectPage(result, 403, /Installation cancelled/);
  });

  it('refuses an org-wide installation with a 403 page, storing nothing', async () => {
    const { enterprise } = SLACK_SANDBOX;

    const { result } = await installFlow(installing, { team: enterprise.id });

    expectPage(result, 403, /Organisation-wide installation is not supported yet/);
    expect(await installationOf(enterprise.id)).toBeUndefined();
    expect(await spaceOf(enterprise.id)).toBeUndefined();
    expect(capture.lines.map((line) => line.message)).toContain('slack org-wide installation refused');
  });

  it('answers 503 when the table fails, and the used code 400 when the same callback comes again', async () => {
    // Prepare: storing the installation fails on every attempt.
    const start = await installFlowStart();
    installing.bot.proxy.failNext('PutItem', 3, 'before', 'INSTALLATION');

    // Act
    const failed = await installing.install(start.callback);
    const again = await installing.install(start.callback);
    const anew = await installFlow(installing, { team: B.teamId });

    // Assess: nothing half-done is kept; Slack spends a code once; starting again works.
    expectPage(failed, 503, /Start again/);
    expectPage(again, 400, /used already/);
    expectPage(anew.result, 200, /Sandbox B/);
    expect(capture.lines.find((line) => line.message === 'slack installation failed')?.fields.code).toBe(
      'store_unavailable',
    );
  });

  /** A start and its callback, not delivered yet. */
  async function installFlowStart() {
    const start = await installing.install(browserGet('/slack/install'));
    const authorize = new URL(String(start.headers?.location));
    authorize.searchParams.set('team', B.teamId);
    const page = await fetch(new URL(`${authorize.pathname}${authorize.search}`, installing.bot.api.url), {
      redirect: 'manual',
    });
    return { start, callback: browserGet(String(page.headers.get('location')), cookieOf(start)) };
  }
});

describe('the installation flow elsewhere', () => {
  it('registers a workspace pending approval in approved mode, and says how it gets served', async () => {
    const approved = await startInstalling({ spacesMode: 'approved' });
    try {
      const { result } = await installFlow(approved, { team: B.teamId });

      expectPage(result, 200, /not enabled in this space yet/);
      expect(await itemAt(approved.bot, `SPACE#slack:${B.teamId}`, 'SPACE')).toMatchObject({
        status: { S: 'pending' },
      });
    } finally {
      await approved.close();
    }
  });

  it('is not offered without SLACK_CLIENT_ID (one workspace), and has nothing else to serve', async () => {
    const single = await startInstalling({ single: true, installEnv: { SLACK_CLIENT_ID: '' } });
    try {
      expectPage(await single.install(browserGet('/slack/install')), 404, /not set up/);
      expectPage(await single.install(browserGet('/slack/oauth_redirect?code=1&state=2')), 404, /not set up/);
      expectPage(await installing.install(browserGet('/slack/elsewhere')), 404, /nothing here/);
      expectPage(
        await installing.install({ ...browserGet('/slack/install'), requestContext: postContext() }),
        405,
        /in a browser/,
      );
    } finally {
      await single.close();
    }
  });
});

/** A POST's request context. */
function postContext() {
  const context = browserGet('/slack/install').requestContext;
  return { ...context, http: { ...context.http, method: 'POST' } };
}

describe('the fake Slack', () => {
  it("answers oauth.v2.access with the fields of Slack's documented example", async () => {
    const documented = JSON.parse(
      readFileSync(new URL('../fixtures/slack/oauth-v2-access.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    await installFlow(installing, { team: B.teamId });

    const answer = (await lastExchangeAnswer()) as Record<string, unknown>;

    // The documented example shows a user token too (user scopes); this app asks for bot scopes only.
    expect(Object.keys(answer).sort()).toEqual([...Object.keys(documented), 'is_enterprise_install'].sort());
  });

  /** What the fake answered the last exchange, asked again through its own route (a fresh code). */
  async function lastExchangeAnswer(): Promise<unknown> {
    const start = await installing.install(browserGet('/slack/install'));
    const authorize = new URL(String(start.headers?.location));
    authorize.searchParams.set('team', B.teamId);
    const page = await fetch(new URL(`${authorize.pathname}${authorize.search}`, installing.bot.api.url), {
      redirect: 'manual',
    });
    const code = new URL(String(page.headers.get('location'))).searchParams.get('code') ?? '';
    const response = await fetch(`${installing.bot.api.url}/api/oauth.v2.access`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        code,
        client_id: SLACK_SANDBOX.clientId,
        client_secret: SLACK_SANDBOX.clientSecret,
        redirect_uri: REDIRECT_URI,
      }),
    });
    return response.json();
  }
});
