import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_SANDBOX, signSlackAction, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import { type LocalRuntime, startLocal } from '../../infra/local/runtime.js';

/**
 * `npm run dev` with Slack's installation flow, over real HTTP as a browser goes through it: the local
 * runner's `/slack/install`, the fake Slack's authorize page (a page to choose a workspace, as Slack's), and
 * back to the runner's `/slack/oauth_redirect` with the state cookie. `SLACK_BOT_TOKEN=` makes the sandbox
 * serve only the workspaces installed that way, as a deployment without a bot token does.
 */

let runtime: LocalRuntime;
const terminal: string[] = [];

beforeAll(async () => {
  runtime = await startLocal({ port: 0, env: { SLACK_BOT_TOKEN: '' }, log: (line) => terminal.push(line) });
});
afterAll(async () => {
  // A workspace's first command hands its notice to a later job, which outlives the answer; the runner's
  // close does not wait for later jobs, so wait here (as `npm run say` does) before the table closes.
  await fetch(`${runtime.url}/sandbox/said`);
  await runtime.close();
});

/** A GET that does not follow redirects, as a test of each hop. */
function get(url: string, cookie?: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
}

describe('Slack installation in npm run dev', () => {
  it('installs the app in the second sandbox workspace, which the bot then serves', async () => {
    // Act: start, look at Slack's page, choose workspace B, come back with the cookie.
    const start = await get(`${runtime.url}/slack/install`);
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const authorize = String(start.headers.get('location'));
    const choose = await (await get(authorize)).text();
    const chosen = await get(`${authorize}&team=${WORKSPACE_B.teamId}`);
    const back = String(chosen.headers.get('location'));
    const page = await get(back, cookie);
    const signed = signSlackAction(
      { kind: 'command', user: 'alice', channel: 'general', text: '/community help' },
      WORKSPACE_B,
    );
    const help = await fetch(`${runtime.url}${signed.path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });

    // Assess
    expect(start.status).toBe(302);
    expect(cookie).toMatch(/^slack-app-oauth-state=/);
    expect(choose).toContain('Allow in Sandbox B');
    expect(back.startsWith(`${runtime.url}/slack/oauth_redirect?code=`)).toBe(true);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sandbox B');
    expect(help.status).toBe(200);
    expect(await help.text()).toContain('/community');
    expect(terminal).toContainEqual(
      expect.stringContaining('exchanged an installation code for a bot token'),
    );
  });

  it('does not serve a workspace where the app was never installed', async () => {
    const signed = signSlackAction(
      { kind: 'command', user: 'alice', channel: 'general', text: '/community help' },
      { teamId: 'T0NEVER', teamName: 'Never', teamDomain: 'never', botUserId: SLACK_SANDBOX.botUserId },
    );

    const response = await fetch(`${runtime.url}${signed.path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
