import { describe, expect, it } from 'vitest';
import { RecordedResponse, toInstallRequest } from '../../bots/slack/oauth/http.js';
import { escapeHtml, pages, writePage } from '../../bots/slack/oauth/pages.js';
import {
  installedWorkspaces,
  SlackWorkspaceNotInstalledError,
  singleWorkspace,
} from '../../bots/slack/workspaces.js';
import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import type { InstalledBot } from '../../shared/store/installation-repository.js';

const BOT_B: InstalledBot = { token: 'xoxb-b', botId: 'B0B', botUserId: 'U0BOTB' };

/** An installation lookup that counts its reads and answers from `installed` as it is at that moment. */
function lookup(installed: Map<string, InstalledBot>) {
  const reads: string[] = [];
  return {
    reads,
    find: async (teamId: string) => {
      reads.push(teamId);
      return installed.get(teamId);
    },
  };
}

describe('workspace bots', () => {
  it('reads a workspace once per instance, even for concurrent first deliveries', async () => {
    const { reads, find } = lookup(new Map([['T0B', BOT_B]]));
    const bots = installedWorkspaces(find);

    const found = await Promise.all([bots.botIn('T0B'), bots.botIn('T0B'), bots.botIn('T0B')]);
    await bots.botIn('T0B');

    expect(found).toEqual([BOT_B, BOT_B, BOT_B]);
    expect(reads).toEqual(['T0B']);
  });

  it('does not remember a workspace without an installation: it may be installed a moment later', async () => {
    const installed = new Map<string, InstalledBot>();
    const { reads, find } = lookup(installed);
    const bots = installedWorkspaces(find);

    await expect(bots.botIn('T0B')).rejects.toBeInstanceOf(SlackWorkspaceNotInstalledError);
    installed.set('T0B', BOT_B);

    expect(await bots.botIn('T0B')).toEqual(BOT_B);
    expect(reads).toEqual(['T0B', 'T0B']);
  });

  it('reads a workspace again once forgotten (uninstalled, or its token refused)', async () => {
    const installed = new Map([['T0B', BOT_B]]);
    const { reads, find } = lookup(installed);
    const bots = installedWorkspaces(find);
    await bots.botIn('T0B');

    bots.forget('T0B');
    installed.set('T0B', { ...BOT_B, token: 'xoxb-b-again' });

    expect((await bots.botIn('T0B')).token).toBe('xoxb-b-again');
    expect(reads).toEqual(['T0B', 'T0B']);
  });

  it('gives the one configured bot for every workspace with SLACK_BOT_TOKEN', async () => {
    const bots = singleWorkspace(BOT_B);

    expect(await bots.botIn('T0ANY')).toBe(BOT_B);
  });
});

describe('the installation flow over API Gateway', () => {
  it("hands InstallProvider the request's path, query, host and cookies", () => {
    const event = buildHttpEvent({
      method: 'GET',
      path: '/slack/oauth_redirect',
      query: 'code=1&state=2',
      headers: { host: 'bots.example', cookie: 'a=1; slack-app-oauth-state=2' },
      body: '',
    });

    const request = toInstallRequest(event);

    expect(request.url).toBe('/slack/oauth_redirect?code=1&state=2');
    expect(request.headers).toEqual({ host: 'bots.example', cookie: 'a=1; slack-app-oauth-state=2' });
  });

  it('returns Set-Cookie as the HTTP API result’s cookies, and pages with their status', () => {
    const response = new RecordedResponse();
    response.setHeader('Set-Cookie', 'slack-app-oauth-state=deleted; Secure');

    writePage(response, pages.denied('/slack/install'));
    const result = response.toResult();

    expect(result).toMatchObject({ statusCode: 403, cookies: ['slack-app-oauth-state=deleted; Secure'] });
    expect(result.headers).not.toHaveProperty('set-cookie');
    expect(result.body).toContain('<a href="/slack/install">');
  });

  it('escapes what a page quotes from outside', () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe(
      '&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/script&gt;',
    );
    expect(pages.missingCode('/slack/install', '<b>invalid_scope</b>').paragraphs[0]).toContain(
      '&lt;b&gt;invalid_scope&lt;/b&gt;',
    );
  });
});
