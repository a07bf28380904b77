import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommunityError } from '../../shared/core/errors.js';

/** Written into the data folder while `npm run dev` runs there: its pid, so a second runner can tell. */
export const LOCK_FILE = 'dev.lock';
/** Written once the server listens: where it is, so `npm run say` finds it without being told. */
export const SERVER_FILE = 'dev-server.json';

/** What `npm run dev` tells other local tools about itself. */
export interface DevServerInfo {
  readonly url: string;
  readonly pid: number;
  /** Its embedded DynamoDB, for ops commands that work on its table while it runs (content:import). */
  readonly dynamoEndpoint?: string;
}

/** Another `npm run dev` holds the data folder. */
export class DataDirBusyError extends CommunityError {
  override readonly name = 'DataDirBusyError';

  constructor(dataDir: string, pid: number) {
    super(
      'data_dir_busy',
      `Another npm run dev (pid ${pid}) is already using ${dataDir}: stop it, or give this one its own ` +
        'folder with DATA_DIR=.data-2 PORT=3001 npm run dev',
    );
  }
}

export interface DataDirLock {
  /** Records where the server listens, for `npm run say`. */
  publish(info: Omit<DevServerInfo, 'pid'>): void;
  /** Removes the lock and the server file. */
  release(): void;
}

/**
 * Claims the data folder for this process. dynalite's LevelDB would refuse a second opener with a cryptic
 * error, and two runners could not share the sandbox ports anyway; a lock left by a process that died is
 * taken over.
 */
export function acquireDataDir(dataDir: string): DataDirLock {
  const lockPath = join(dataDir, LOCK_FILE);
  const serverPath = join(dataDir, SERVER_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return {
        publish: (info) => writeFileSync(serverPath, JSON.stringify({ ...info, pid: process.pid })),
        release() {
          rmSync(serverPath, { force: true });
          rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    if (isRunning(holder)) throw new DataDirBusyError(dataDir, holder);
    rmSync(lockPath, { force: true });
  }
  throw new CommunityError('data_dir_locked', `Could not lock ${dataDir}: remove ${lockPath} and try again`);
}

/** The server `npm run dev` published in this data folder, if it is still running. */
export function readDevServer(dataDir: string): DevServerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as DevServerInfo;
    return typeof info.url === 'string' && isRunning(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
