/**
 * The connections `npm run dev` opens to a real platform when its credentials are set and no public URL
 * can receive webhooks: Slack's Socket Mode (SLACK_APP_TOKEN), Telegram's long polling (a real token without
 * TELEGRAM_WEBHOOK_URL) and Discord's gateway relay (a real DISCORD_BOT_TOKEN). Each hands what it hears to
 * the same handler the webhooks use, so nothing is parsed twice. None of this is in a Lambda bundle.
 */
import type { Platform } from '../../shared/core/events.js';
import type { Env } from '../../shared/lambda/env.js';
import type { HttpHandler } from '../../shared/lambda/http.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';

/** Something open to a platform, closed before the table on shutdown. */
export interface LiveConnection {
  readonly describe: string;
  close(): Promise<void>;
}

export interface LiveOptions {
  readonly platform: Platform;
  /** The whole environment of `npm run dev` (app tokens and URLs are not bot settings). */
  readonly userEnv: Env;
  /** The bot's environment as the local runner built it (settings, table, functions). */
  readonly botEnv: Env;
  /** The bot's webhook handler, as mounted. */
  readonly handler: HttpHandler;
  readonly deps: HandlerDeps;
  readonly log: (line: string) => void;
}

/** Opens the platform's live connection when it is configured, else nothing. Modules load only when used. */
export async function startLiveConnection(options: LiveOptions): Promise<LiveConnection | undefined> {
  const { userEnv, botEnv, handler, log } = options;
  switch (options.platform) {
    case 'slack': {
      if (!userEnv.SLACK_APP_TOKEN?.trim()) return undefined;
      const { startSlackSocketIfConfigured } = await import('./slack-socket.js');
      const socket = await startSlackSocketIfConfigured(
        { ...botEnv, SLACK_APP_TOKEN: userEnv.SLACK_APP_TOKEN },
        handler,
        log,
      );
      return (
        socket && {
          describe: 'Socket Mode (SLACK_APP_TOKEN): no public URL needed',
          close: () => socket.close(),
        }
      );
    }
    case 'telegram': {
      const { startTelegramPollingIfConfigured } = await import('./telegram-polling.js');
      const polling = startTelegramPollingIfConfigured(userEnv, handler, log);
      return polling && { describe: 'long polling (no TELEGRAM_WEBHOOK_URL)', close: () => polling.close() };
    }
    case 'discord': {
      const { startDiscordRelayIfConfigured } = await import('./discord-live.js');
      const relay = await startDiscordRelayIfConfigured(botEnv, { ...options.deps, log });
      return relay && { describe: 'gateway relay (messages, reactions, joins)', close: () => relay.stop() };
    }
  }
}
