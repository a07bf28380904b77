/**
 * `npm run slack:manifest [-- <public URL>] [--socket]`: prints the Slack app manifest (JSON) to paste into
 * api.slack.com/apps > Create New App > From a manifest. Generated from what the code listens to: the
 * event subscriptions of events.ts, the bot scopes the installation flow asks for (oauth/config.ts), the
 * one `/community` command with its subcommands (the core's command table), and the webhook and OAuth
 * paths the stack and `npm run dev` serve.
 *
 * The public URL is the stack's API URL (the `SlackEventsUrl` output without its path), from the argument
 * or PUBLIC_URL. `--socket` prints the manifest for Socket Mode (`npm run dev` with SLACK_APP_TOKEN):
 * no request URLs at all, since Slack then sends everything over the WebSocket.
 */

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AppsManifestCreateArguments } from '@slack/web-api';
import { COMMAND_NAME } from '../../shared/core/command-table.js';
import { ConfigError } from '../../shared/core/errors.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';
import type { Env } from '../../shared/lambda/env.js';
import { SLACK_BOT_EVENTS } from './events.js';
import { REDIRECT_PATH, SLACK_BOT_SCOPES } from './oauth/config.js';
import { slackPlatform } from './platform.js';

/** Slack's app manifest, as the Web API's `apps.manifest.create` types it. */
export type SlackManifest = AppsManifestCreateArguments['manifest'];

/** Printed when no URL is given: Slack refuses it, so a forgotten replacement cannot go unnoticed. */
export const PLACEHOLDER_URL = 'https://replace-with-your-public-url.invalid';

/** The app's name in Slack (at most 35 characters) and its bot user's (a-z, 0-9, `-`, `_`, `.`). */
const APP_NAME = 'Community bot';
const BOT_NAME = 'community-bot';
const DESCRIPTION = 'Hears the community: stats for moderators, welcomes, private notes, announcements.';

export interface ManifestOptions {
  /** Where Slack reaches the bot: the API's root URL (https), paths are appended. */
  readonly baseUrl: string;
  /** Socket Mode: Slack sends over the app's WebSocket, so no request URL is given. */
  readonly socketMode: boolean;
}

/** The manifest of the Slack app this code serves. */
export function slackAppManifest({ baseUrl, socketMode }: ManifestOptions): SlackManifest {
  const webhook = socketMode ? undefined : urlOf(baseUrl, eventsPath());
  const at = (url: string | undefined) => (url ? { url } : {});
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: { name: APP_NAME, description: DESCRIPTION },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: BOT_NAME, always_online: true },
      slash_commands: [
        {
          command: `/${COMMAND_NAME}`,
          ...at(webhook),
          description: 'The community bot: help, stats, a private note to moderators, your settings',
          usage_hint: usageHint(),
          should_escape: false,
        },
      ],
    },
    oauth_config: {
      ...(socketMode ? {} : { redirect_urls: [urlOf(baseUrl, REDIRECT_PATH)] }),
      scopes: { bot: [...SLACK_BOT_SCOPES] },
    },
    settings: {
      event_subscriptions: {
        ...(webhook ? { request_url: webhook } : {}),
        bot_events: [...new Set(SLACK_BOT_EVENTS.map((event) => event.subscription))],
      },
      interactivity: { is_enabled: true, ...(webhook ? { request_url: webhook } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: socketMode,
      // The bot keeps long-lived tokens (installations store one token per workspace).
      token_rotation_enabled: false,
    },
  };
}

/** Where Slack POSTs events, commands and interactions: the Slack handler's one path. */
export function eventsPath(): string {
  const [path] = slackPlatform.webhookPaths;
  if (!path) throw new ConfigError('The Slack platform declares no webhook path');
  return path;
}

/** `/community`'s subcommands, as Slack shows them while a member types. */
function usageHint(): string {
  return COMMAND_TABLE.map((entry) => entry.name).join(' | ');
}

function urlOf(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * Reads the command line: the public URL (argument, else PUBLIC_URL, else the placeholder; the API's root
 * or its `SlackEventsUrl`) and `--socket`.
 */
export function manifestOptions(argv: readonly string[], env: Env): ManifestOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { socket: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const given = positionals[0] ?? env.PUBLIC_URL?.trim();
  const baseUrl = given || PLACEHOLDER_URL;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new ConfigError(`Not a URL: ${baseUrl}`, { cause: error });
  }
  // Slack only POSTs to https request URLs.
  if (!values.socket && url.protocol !== 'https:') {
    throw new ConfigError(`Slack needs an https URL, not ${baseUrl} (or use --socket for Socket Mode)`);
  }
  // The stack's `SlackEventsUrl` output is the root plus the events path: either is taken.
  const root = baseUrl.replace(/\/+$/, '');
  const events = eventsPath();
  return {
    baseUrl: root.endsWith(events) ? root.slice(0, -events.length) : baseUrl,
    socketMode: values.socket,
  };
}

/** Prints the manifest; says on stderr when the URL is still the placeholder. */
export function main(argv: readonly string[], env: Env = process.env): void {
  const options = manifestOptions(argv, env);
  if (!options.socketMode && options.baseUrl === PLACEHOLDER_URL) {
    console.error(
      'No public URL given: replace replace-with-your-public-url.invalid, or run ' +
        '`npm run slack:manifest -- https://<api id>.execute-api.<region>.amazonaws.com` (or set PUBLIC_URL)',
    );
  }
  console.log(JSON.stringify(slackAppManifest(options), null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
