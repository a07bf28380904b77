import { randomBytes } from 'node:crypto';
import type { FakeResponse, ReceivedRequest } from '../../shared/platform/fake-server.js';

/**
 * The install side of the fake Slack (sandbox-api.ts mounts it): Slack's authorize page, which here
 * approves at once and sends the browser back with a code (or with `error=access_denied`), and
 * `oauth.v2.access`, which checks the app's client id and secret and a code it issued (once), and answers
 * in the documented shape with a new bot token for the workspace (the one before stops working), or for a
 * whole Enterprise Grid organisation (an org-wide install).
 *
 * On the authorize page, `team=<id>` picks where the app is installed (a workspace id, or the enterprise id
 * for an org-wide install), `user=<id>` who installs it (UMODOWNER by default), and `deny=1` makes the
 * installer cancel. Without `team` it shows a page to choose, as Slack's does (`npm run dev` in a browser).
 */

/** Where the fake serves Slack's authorize page (https://slack.com/oauth/v2/authorize). */
export const AUTHORIZE_PATH = '/oauth/v2/authorize';

/** The Slack app being installed, as Slack knows it. */
export interface FakeSlackApp {
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A place the app can be installed: a workspace, or an Enterprise Grid organisation (org-wide). */
export interface FakeInstallTarget {
  /** `T...` for a workspace, `E...` for an organisation. */
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  /** The bot's ids there. */
  readonly botId: string;
  readonly botUserId: string;
}

/** Where a bot token the fake Slack knows speaks. */
export interface IssuedToken {
  readonly target: FakeInstallTarget;
  readonly orgWide: boolean;
}

interface IssuedCode {
  readonly target: FakeInstallTarget;
  readonly orgWide: boolean;
  readonly redirectUri: string;
  readonly scope: string;
  readonly installer: string;
  used: boolean;
}

export interface FakeSlackInstalls {
  /** `GET /oauth/v2/authorize`: a 302 back to `redirect_uri` with a code and the state, as Slack sends it. */
  authorize(request: ReceivedRequest): FakeResponse;
  /** `oauth.v2.access`: the code exchanged for a bot token, or Slack's refusal. */
  access(args: Readonly<Record<string, string | undefined>>, authorization: string | undefined): object;
}

export function fakeSlackInstalls(
  app: FakeSlackApp,
  workspaces: readonly FakeInstallTarget[],
  enterprise: FakeInstallTarget,
  tokens: Map<string, IssuedToken>,
): FakeSlackInstalls {
  const codes = new Map<string, IssuedCode>();
  let sequence = 0;

  return {
    authorize(request) {
      const query = request.query;
      if (query.get('client_id') !== app.clientId) return { status: 400, body: 'invalid_client_id' };
      const redirectUri = query.get('redirect_uri');
      if (!redirectUri) return { status: 400, body: 'bad_redirect_uri' };
      const state = query.get('state') ?? '';
      if (query.get('deny')) return redirect(redirectUri, { error: 'access_denied', state });
      const wanted = query.get('team');
      if (!wanted) return choosePage(request, [...workspaces, enterprise]);
      const orgWide = wanted === enterprise.id;
      const target = orgWide ? enterprise : workspaces.find((workspace) => workspace.id === wanted);
      if (!target) return { status: 400, body: 'invalid_team' };
      sequence += 1;
      const code = `${sequence}.${randomBytes(8).toString('hex')}`;
      codes.set(code, {
        target,
        orgWide,
        redirectUri,
        scope: query.get('scope') ?? '',
        installer: query.get('user') ?? 'UMODOWNER',
        used: false,
      });
      return redirect(redirectUri, { code, state });
    },

    access(args, authorization) {
      const { clientId, clientSecret } = credentials(args, authorization);
      if (clientId !== app.clientId) return { ok: false, error: 'invalid_client_id' };
      if (clientSecret !== app.clientSecret) return { ok: false, error: 'bad_client_secret' };
      const issued = codes.get(args.code ?? '');
      if (!issued) return { ok: false, error: 'invalid_code' };
      if (issued.used) return { ok: false, error: 'code_already_used' };
      if (args.redirect_uri !== undefined && args.redirect_uri !== issued.redirectUri) {
        return { ok: false, error: 'bad_redirect_uri' };
      }
      issued.used = true;
      sequence += 1;
      const token = `xoxb-sandbox-${issued.target.id}-${sequence}`;
      // A reinstall replaces the bot's token there: the one before stops working.
      for (const [old, place] of tokens) if (place.target.id === issued.target.id) tokens.delete(old);
      tokens.set(token, { target: issued.target, orgWide: issued.orgWide });
      return accessResponse(app, issued, token);
    },
  };
}

/** The documented `oauth.v2.access` answer (docs.slack.dev/reference/methods/oauth.v2.access). */
function accessResponse(app: FakeSlackApp, issued: IssuedCode, token: string): object {
  const place = { id: issued.target.id, name: issued.target.name };
  return {
    ok: true,
    access_token: token,
    token_type: 'bot',
    scope: issued.scope,
    bot_user_id: issued.target.botUserId,
    app_id: app.appId,
    team: issued.orgWide ? null : place,
    enterprise: issued.orgWide ? place : null,
    authed_user: { id: issued.installer },
    is_enterprise_install: issued.orgWide,
  };
}

/** Slack takes the client id and secret as form fields or as HTTP Basic credentials. */
function credentials(
  args: Readonly<Record<string, string | undefined>>,
  authorization: string | undefined,
): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
  if (!basic) return { clientId: args.client_id, clientSecret: args.client_secret };
  const [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
  return { clientId, clientSecret };
}

/** Slack's page in small: where to install the app, or cancel. */
function choosePage(request: ReceivedRequest, targets: readonly FakeInstallTarget[]): FakeResponse {
  const link = (extra: string) => `${request.path}?${request.query.toString()}&${extra}`;
  const items = targets.map(
    (target) =>
      `<li><a href="${escapeHtml(link(`team=${target.id}`))}">Allow in ${escapeHtml(target.name)}</a></li>`,
  );
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!doctype html><title>Install the community bot (sandbox)</title><h1>Install the community bot</h1>' +
      `<ul>${items.join('')}<li><a href="${escapeHtml(link('deny=1'))}">Cancel</a></li></ul>`,
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
}

function redirect(target: string, params: Readonly<Record<string, string>>): FakeResponse {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.toString() }, body: '' };
}
