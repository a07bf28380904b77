import { CommunityError } from '../../shared/core/errors.js';
import type { InstallationRepository, InstalledBot } from '../../shared/store/installation-repository.js';
import { requireBotIdentity, type SlackOutboxConfig } from './config.js';
import type { SlackSecrets } from './secrets.js';

/**
 * Which bot token (and which bot ids) speak in a workspace. One workspace: the configured SLACK_BOT_TOKEN,
 * everywhere. Many: each workspace's installation (the OAuth function stores it), read from the table at that
 * workspace's first event in this instance and kept in memory until the app is uninstalled there. Nothing is
 * read at cold start.
 */
export interface WorkspaceBots {
  /** The bot in one workspace; fails with {@link SlackWorkspaceNotInstalledError} where the app is not installed. */
  botIn(teamId: string): Promise<InstalledBot>;
  /** Drops what this instance knows of a workspace's bot (uninstalled, or its token refused). */
  forget(teamId: string): void;
}

/** An event or a job for a workspace where the app is not installed (any more): nothing to answer with. */
export class SlackWorkspaceNotInstalledError extends CommunityError {
  override readonly name = 'SlackWorkspaceNotInstalledError';

  constructor(teamId: string) {
    super('slack_workspace_not_installed', `The Slack app is not installed in workspace ${teamId}`);
  }
}

/** The bot of the one workspace SLACK_BOT_TOKEN belongs to, for every team id. */
export function singleWorkspace(bot: InstalledBot): WorkspaceBots {
  return { botIn: async () => bot, forget: () => {} };
}

/**
 * Installed workspaces, each read once per instance. Concurrent first events of a workspace share one read;
 * a failed read, or a workspace without an installation, is not remembered (it may be installed a moment
 * later).
 */
export function installedWorkspaces(
  find: (teamId: string) => Promise<InstalledBot | undefined>,
): WorkspaceBots {
  const bots = new Map<string, Promise<InstalledBot>>();
  return {
    botIn(teamId) {
      let bot = bots.get(teamId);
      if (!bot) {
        bot = find(teamId).then((found) => {
          if (!found) throw new SlackWorkspaceNotInstalledError(teamId);
          return found;
        });
        const read = bot;
        bots.set(teamId, read);
        read.catch(() => {
          if (bots.get(teamId) === read) bots.delete(teamId);
        });
      }
      return bot;
    },
    forget: (teamId) => void bots.delete(teamId),
  };
}

/** The workspaces served, and the one bot of SLACK_BOT_TOKEN (if set) once the secret is read. */
export interface ServedWorkspaces {
  /** SLACK_BOT_TOKEN's bot, with the configured ids; undefined when every installation is served. */
  readonly single: (secrets: SlackSecrets) => InstalledBot | undefined;
  readonly bots: WorkspaceBots;
}

/**
 * The workspaces served, decided once the secret is read: SLACK_BOT_TOKEN's one, or every workspace that
 * installed the app. `bots` may be asked before (it reads the secret first, from the instance's cache). The
 * events handler and the outbox transport decide it the same way.
 */
export function servedWorkspaces(
  config: SlackOutboxConfig,
  installations: Pick<InstallationRepository, 'findBotToken'>,
): ServedWorkspaces {
  let served: WorkspaceBots | undefined;
  const single = (secrets: SlackSecrets): InstalledBot | undefined =>
    secrets.botToken ? { token: secrets.botToken, ...requireBotIdentity(config) } : undefined;
  const resolve = (secrets: SlackSecrets): WorkspaceBots => {
    const bot = single(secrets);
    served ??= bot
      ? singleWorkspace(bot)
      : installedWorkspaces((teamId) => installations.findBotToken(teamId));
    return served;
  };
  const bots: WorkspaceBots = {
    botIn: async (teamId) => resolve(await config.secrets()).botIn(teamId),
    forget: (teamId) => served?.forget(teamId),
  };
  return { single, bots };
}

/**
 * Web API errors that mean the token no longer works: the app was uninstalled or the token revoked (maybe
 * through another instance, which got the event), or a reinstall replaced it. The next call reads the
 * installation again.
 */
export const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);
