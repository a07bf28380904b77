import { fileURLToPath } from 'node:url';
import type { Env } from '../../../shared/lambda/env.js';
import type { HttpHandler } from '../../../shared/lambda/http.js';
import type { BundlingDescription, PlatformSetting } from '../../../shared/platform/descriptor.js';
import { slackInstallSandboxEnv } from '../sandbox.js';
import { SLACK_SECRET_ARN } from '../secrets.js';
import { INSTALL_PATH, loadSlackOAuthConfig, REDIRECT_PATH, SLACK_OAUTH_SETTINGS } from './config.js';
import { createSlackOAuthHandler, type SlackOAuthDeps } from './edge.js';

/**
 * Slack's installation flow as infra, the local runner and the tests see it: a function of its own beside
 * the Slack bot's (bots/slack/platform.ts), on two GET routes, reading the Slack secret and the table.
 */
export interface SlackInstallDescriptor {
  /** The browser routes, the same in AWS and in `npm run dev`. */
  readonly paths: { readonly install: string; readonly redirect: string };
  /** The Lambda entry (absolute path of `bots/slack/oauth/handler.ts`), for bundling. */
  readonly handlerEntry: string;
  /** What it reads; `secret` ones are keys of the Slack secret, whose ARN goes in `secretArnVariable`. */
  readonly settings: readonly PlatformSetting[];
  /** The variable the stack sets to the Slack secret's ARN (the Slack bot's own). */
  readonly secretArnVariable: string;
  /** What its bundle replaces (as a bot's, infra/bundling.ts). */
  readonly bundling: BundlingDescription;
  /** Its environment in the sandbox, with the fake Slack at `apiUrl`. */
  sandboxEnv(apiUrl: string): Record<string, string>;
  /**
   * Where it is served, as its settings say it: the redirect URL under `baseUrl` (the API's, or the local
   * runner's), unless `configured` (SLACK_REDIRECT_URI already set) says otherwise.
   */
  servedAt(baseUrl: string, configured?: Env): Record<string, string>;
  createHandler(env: Env, deps?: SlackOAuthDeps): HttpHandler;
}

export const slackInstall: SlackInstallDescriptor = {
  paths: { install: INSTALL_PATH, redirect: REDIRECT_PATH },
  handlerEntry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
  settings: SLACK_OAUTH_SETTINGS,
  secretArnVariable: SLACK_SECRET_ARN,
  bundling: {
    // Required by the WebClient only to re-export its typings (see bots/slack/platform.ts).
    unusedModules: ['@slack/types'],
    aliases: {},
  },
  sandboxEnv: slackInstallSandboxEnv,
  servedAt: (baseUrl, configured = {}) => ({
    SLACK_REDIRECT_URI:
      configured.SLACK_REDIRECT_URI?.trim() || `${baseUrl.replace(/\/+$/, '')}${REDIRECT_PATH}`,
  }),
  createHandler: (env, deps) => createSlackOAuthHandler(loadSlackOAuthConfig(env), deps),
};
