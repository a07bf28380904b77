import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import { CommunityError, ConfigError } from '../../../shared/core/errors.js';
import type {
  InstallationRepository,
  SlackInstallation,
} from '../../../shared/store/installation-repository.js';

/**
 * @slack/oauth's InstallationStore over the table (shared/store/installation-repository.ts): what
 * InstallProvider stores after `oauth.v2.access`, mapped field by field to the bot's installation item.
 * Only workspace installations with a bot token are kept; an org-wide (Enterprise Grid) installation is
 * refused before it gets here (edge.ts) and again here.
 */

/** An org-wide installation: no workspace to serve; not supported yet. */
export class OrgWideInstallError extends CommunityError {
  override readonly name = 'OrgWideInstallError';

  constructor() {
    super('slack_org_wide_install', 'Org-wide (Enterprise Grid) installations are not supported yet');
  }
}

export function tableInstallationStore(
  repository: InstallationRepository,
  now: () => Date,
): InstallationStore {
  return {
    async storeInstallation(installation) {
      await repository.save(toSlackInstallation(installation, now()));
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      if (query.isEnterpriseInstall || !query.teamId) throw new OrgWideInstallError();
      const found = await repository.find(query.teamId);
      if (!found) throw new CommunityError('slack_not_installed', 'No installation for this workspace');
      return toInstallation(found);
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      if (query.teamId) await repository.delete(query.teamId);
    },
  };
}

/** What the table keeps of an installation: the workspace's bot, and who installed it when. */
export function toSlackInstallation(installation: Installation, at: Date): SlackInstallation {
  const { team, bot, user } = installation;
  if (installation.isEnterpriseInstall || !team?.id) throw new OrgWideInstallError();
  if (!bot) throw new CommunityError('slack_install_without_bot', 'The installation granted no bot token');
  // A rotating token expires after 12 hours and needs refreshing; the bot keeps long-lived ones.
  if (bot.refreshToken) {
    throw new ConfigError('Token rotation is on for the Slack app; turn it off (OAuth & Permissions)');
  }
  return {
    teamId: team.id,
    botToken: bot.token,
    botId: bot.id,
    botUserId: bot.userId,
    scopes: bot.scopes,
    installerUserId: user.id,
    installedAt: at.toISOString(),
  };
}

function toInstallation(found: SlackInstallation): Installation<'v2', false> {
  return {
    team: { id: found.teamId },
    enterprise: undefined,
    user: { token: undefined, scopes: undefined, id: found.installerUserId },
    bot: {
      token: found.botToken,
      scopes: [...found.scopes],
      id: found.botId,
      userId: found.botUserId,
    },
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}
