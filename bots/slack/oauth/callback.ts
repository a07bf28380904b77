import type { CallbackOptions, Installation } from '@slack/oauth';
import type { SpaceRecord, SpaceStore, SpacesMode } from '../../../shared/core/communities/model.js';
import { notEnabledText } from '../../../shared/core/communities/spaces.js';
import type { Logger } from '../../../shared/lambda/logger.js';
import type { CallbackClaimRepository } from '../../../shared/store/installation-repository.js';
import type { RecordedResponse } from './http.js';
import { OrgWideInstallError } from './installation-store.js';
import { type Page, pages, writePage } from './pages.js';

/** What the callback's steps use, built once per instance (edge.ts). */
export interface CallbackDeps {
  readonly claims: CallbackClaimRepository;
  readonly spaces: Pick<SpaceStore, 'register' | 'activate'>;
  readonly spacesMode: SpacesMode;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Logs a failure at its level and writes its page (edge.ts). */
  readonly fail: (error: unknown, response: RecordedResponse) => void;
}

/**
 * InstallProvider's hooks for one callback, around its own steps (state check, `oauth.v2.access`,
 * `auth.test`, storing the installation):
 *
 * - before the exchange, the callback's code is claimed: a second delivery of it (a double click, a retried
 *   request) is answered from the claim, in progress or completed, without exchanging the code again;
 * - after it, an org-wide installation is refused before anything is stored;
 * - once stored, the workspace is registered as a space (or served again after a reinstall), the claim is
 *   completed and the page says so;
 * - on any failure the claim is given up, so the callback can be tried again.
 */
export function callbackOptions(
  deps: CallbackDeps,
  code: string,
  response: RecordedResponse,
): CallbackOptions {
  const { claims, logger, now } = deps;
  let claimed = false;
  return {
    async beforeInstallation() {
      const claim = await claims.claim(code, now());
      if (claim.state === 'claimed') {
        claimed = true;
        return true;
      }
      if (claim.state === 'in_progress') writePage(response, pages.inProgress());
      else {
        // Delivered again after it completed: the same answer, without a second exchange or store.
        const team = { id: claim.teamId, ...(claim.teamName ? { name: claim.teamName } : {}) };
        writePage(response, installedPage(team, await registerSpace(deps, team)));
      }
      logger.info('slack oauth callback delivered again', { state: claim.state });
      return false;
    },
    async afterInstallation(installation) {
      if (!installation.isEnterpriseInstall && installation.team?.id) return true;
      logger.warn('slack org-wide installation refused', { code: new OrgWideInstallError().code });
      await claims.release(code);
      claimed = false;
      writePage(response, pages.orgWide());
      return false;
    },
    async successAsync(installation: Installation) {
      const team = teamOf(installation);
      const record = await registerSpace(deps, team);
      await claims.complete(code, team, now());
      logger.info('slack app installed', { teamId: team.id, status: record.status });
      writePage(response, installedPage(team, record));
    },
    async failureAsync(error) {
      if (claimed) {
        claimed = false;
        await claims.release(code).catch((cause: unknown) => {
          logger.warn('slack oauth claim not released', { error: cause as Error });
        });
      }
      deps.fail(error, response);
    },
  };
}

/** The space of a workspace that installed the app: registered, or served again after a reinstall. */
async function registerSpace(
  { spaces, spacesMode, now }: CallbackDeps,
  team: { id: string; name?: string },
): Promise<SpaceRecord> {
  const space = { platform: 'slack', id: team.id } as const;
  const status = spacesMode === 'open' ? 'active' : 'pending';
  const { record } = await spaces.register(
    space,
    { status, ...(team.name ? { name: team.name } : {}) },
    now(),
  );
  // Installed again after an uninstall: it was served before, so it is again (as the core does for a
  // Telegram group the bot is added back to).
  if (record.status === 'inactive') return (await spaces.activate(space, now())) ?? record;
  return record;
}

/** The page of an installation: in approved mode, also how the workspace gets served. */
function installedPage(team: { id: string; name?: string }, record: SpaceRecord): Page {
  return pages.installed(team, record.status === 'pending' ? notEnabledText(record) : undefined);
}

function teamOf(installation: Installation): { id: string; name?: string } {
  const { team } = installation;
  if (!team?.id) throw new OrgWideInstallError();
  return { id: team.id, ...(team.name ? { name: team.name } : {}) };
}
