import { InstallProvider, LogLevel, type Logger as SlackLogger } from '@slack/oauth';
import { CommunityError } from '../../../shared/core/errors.js';
import type { HttpEvent, HttpHandler } from '../../../shared/lambda/http.js';
import { createLogger, type Logger } from '../../../shared/lambda/logger.js';
import { createStore } from '../../../shared/store/index.js';
import {
  CallbackClaimRepository,
  InstallationRepository,
} from '../../../shared/store/installation-repository.js';
import { type CallbackDeps, callbackOptions } from './callback.js';
import {
  checkStateSecret,
  INSTALL_PATH,
  REDIRECT_PATH,
  SLACK_BOT_SCOPES,
  type SlackOAuthConfig,
} from './config.js';
import { RecordedResponse, toInstallRequest } from './http.js';
import { tableInstallationStore } from './installation-store.js';
import { type Page, pages, writePage } from './pages.js';

/** `oauth.v2.access` and `auth.test` each get this long; the function has 10 s. */
const SLACK_CALL_TIMEOUT_MS = 4000;

/** `oauth.v2.access` refusals of the code itself: used, expired or never issued (the installer starts again). */
const CODE_REFUSALS: ReadonlySet<string> = new Set(['invalid_code', 'code_already_used', 'code_expired']);

/** `oauth.v2.access` refusals that mean our settings are wrong (ops must fix them). */
const SETTING_REFUSALS: ReadonlySet<string> = new Set([
  'bad_client_secret',
  'invalid_client_id',
  'bad_redirect_uri',
  'oauth_authorization_url_mismatch',
]);

export interface SlackOAuthDeps {
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/**
 * The Slack installation flow (its own small Lambda, so the events handler's bundle carries none of it),
 * with @slack/oauth's InstallProvider as Bolt's HTTP receivers use it:
 *
 * - `GET /slack/install`: a 302 to Slack's authorize page with a signed `state`, also set as a cookie in
 *   this browser (InstallProvider's CSRF check).
 * - `GET /slack/oauth_redirect`: the state verified against the cookie, the code exchanged once
 *   (`oauth.v2.access`; a second delivery of the same callback is answered from its claim), the
 *   installation stored (encrypted table), the workspace registered as a space, and a page saying so.
 *
 * Every outcome is a page (pages.ts) with its status; see there which are 4xx and which 503.
 */
export function createSlackOAuthHandler(config: SlackOAuthConfig, deps: SlackOAuthDeps = {}): HttpHandler {
  const logger = deps.logger ?? createLogger('slack-oauth');
  const now = deps.now ?? (() => new Date());
  const store = createStore(config.store);
  const installations = new InstallationRepository(store.client, config.store.tableName);
  const claims = new CallbackClaimRepository(store.client, config.store.tableName);
  const { spaces } = store.core;
  let provider: Promise<InstallProvider> | undefined;

  /** The InstallProvider, built on first use once the secrets are read; a failed read is tried again. */
  function installer(app: NonNullable<SlackOAuthConfig['app']>): Promise<InstallProvider> {
    provider ??= app
      .secrets()
      .then(
        (secrets) =>
          new InstallProvider({
            clientId: app.clientId,
            clientSecret: secrets.SLACK_CLIENT_SECRET,
            stateSecret: checkStateSecret(secrets.SLACK_STATE_SECRET),
            installationStore: tableInstallationStore(installations, now),
            // The install path redirects to Slack at once instead of showing an "Add to Slack" page.
            directInstall: true,
            installUrlOptions: {
              scopes: [...SLACK_BOT_SCOPES],
              ...(config.redirectUri ? { redirectUri: config.redirectUri } : {}),
            },
            authorizationUrl: config.authorizeUrl,
            logger: toSlackLogger(logger),
            clientOptions: {
              slackApiUrl: config.apiUrl,
              timeout: SLACK_CALL_TIMEOUT_MS,
              retryConfig: { retries: 0 },
            },
          }),
      )
      .catch((error: unknown) => {
        provider = undefined;
        throw error;
      });
    return provider;
  }

  /** Logs a failure at the level it deserves and writes its page. */
  function fail(error: unknown, response: RecordedResponse, slackError: string | null = null): void {
    const page = pageFor(error, slackError);
    const code = codeOf(error);
    if (page.status >= 500) logger.error('slack installation failed', { code, error: error as Error });
    else logger.warn('slack installation refused', { code, status: page.status });
    writePage(response, page);
  }

  const callbackDeps: Omit<CallbackDeps, 'fail'> = {
    claims,
    spaces,
    spacesMode: config.spacesMode,
    logger,
    now,
  };

  async function serve(event: HttpEvent, response: RecordedResponse): Promise<void> {
    if (event.requestContext.http.method !== 'GET') return writePage(response, pages.methodNotAllowed());
    const path = event.rawPath;
    if (path !== INSTALL_PATH && path !== REDIRECT_PATH) return writePage(response, pages.notFound());
    if (!config.app) return writePage(response, pages.notOffered());
    const query = new URLSearchParams(event.rawQueryString);
    try {
      const slack = await installer(config.app);
      const request = toInstallRequest(event);
      if (path === INSTALL_PATH) {
        await slack.handleInstallPath(request, response.asServerResponse());
        return;
      }
      const code = query.get('code') ?? '';
      // A failure's page may quote what Slack sent back instead of a code (`error=invalid_scope`).
      const failed = (error: unknown, written: RecordedResponse) => fail(error, written, query.get('error'));
      await slack.handleCallback(
        request,
        response.asServerResponse(),
        callbackOptions({ ...callbackDeps, fail: failed }, code, response),
      );
      // InstallProvider answers every path through the options above; this is only a guard.
      if (!response.written) fail(new CommunityError('slack_oauth_unanswered', 'No page written'), response);
    } catch (error) {
      fail(error, response, query.get('error'));
    }
  }

  return async (event) => {
    const response = new RecordedResponse();
    await serve(event, response);
    return response.toResult();
  };
}

/** The page for a failure: 4xx for what the same request cannot change, 503 where trying later can work. */
function pageFor(error: unknown, slackError: string | null): Page {
  const code = codeOf(error);
  switch (code) {
    case 'slack_oauth_missing_state':
    case 'slack_oauth_invalid_state':
      return pages.badState(INSTALL_PATH);
    case 'slack_oauth_missing_code':
      return pages.missingCode(INSTALL_PATH, slackError);
    // InstallProvider's code for `error=access_denied`: the installer cancelled on Slack.
    case 'slack_oauth_installer_authorization_error':
      return pages.denied(INSTALL_PATH);
    case 'slack_org_wide_install':
      return pages.orgWide();
    case 'config_invalid':
    case 'slack_oauth_installer_initialization_error':
    case 'slack_oauth_generate_url_error':
      return pages.misconfigured();
    case 'slack_webapi_platform_error': {
      const refusal = (error as { data?: { error?: unknown } }).data?.error;
      if (typeof refusal === 'string' && CODE_REFUSALS.has(refusal)) return pages.codeUsed(INSTALL_PATH);
      if (typeof refusal === 'string' && SETTING_REFUSALS.has(refusal)) return pages.misconfigured();
      return pages.unavailable(INSTALL_PATH);
    }
    default:
      // The table or Slack did not answer (StoreError, a request error, a rate limit), or something we did
      // not foresee: starting again later can work, and the log line names it.
      return pages.unavailable(INSTALL_PATH);
  }
}

/** The stable code of a failure: ours (CommunityError), @slack/oauth's or the WebClient's. */
function codeOf(error: unknown): string {
  if (error instanceof CommunityError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/**
 * InstallProvider's and the WebClient's log lines through ours. Debug lines are dropped (the WebClient logs
 * request bodies there, which carry the client secret); InstallProvider logs every failure at error level
 * before handing it to `failureAsync`, which logs it with its page's level: that line is dropped too.
 */
function toSlackLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]) =>
    parts.map((part) => (part instanceof Error ? part.name : String(part))).join(' ');
  return {
    debug: () => {},
    info: (...parts: unknown[]) => logger.info(line(parts)),
    warn: (...parts: unknown[]) => logger.warn(line(parts)),
    error: () => {},
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
