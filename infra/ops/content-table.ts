/**
 * Where an ops command finds the table: the deployed one (TABLE_NAME and AWS credentials), a DynamoDB
 * endpoint named outright (DYNAMODB_ENDPOINT), or, with neither set, `npm run dev`'s embedded one in its data
 * folder (DATA_DIR, `.data` by default): through the running dev server when there is one, else opened here
 * for the length of the command (locked, so `npm run dev` cannot open it at the same time).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Env, loadStoreConfig } from '../../shared/lambda/env.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { TABLE } from '../../shared/store/table.js';
import { acquireDataDir, type DevServerInfo, readDevServer } from '../local/data-dir.js';
import { ensureTable, startEmbeddedDynamo } from '../local/dynamo.js';

/** A table an ops command works on, and how to let go of it. */
export interface OpsTable {
  readonly store: Store;
  /** In words, for the command's first line: `table community-local in .data`. */
  readonly where: string;
  /** On this machine (the sandbox's defaults apply), not in AWS. */
  readonly local: boolean;
  close(): Promise<void>;
}

/** Something that stops an ops command before it starts, said in a sentence. */
export class OpsTableError extends Error {
  override readonly name = 'OpsTableError';
  readonly code = 'ops_table_unreachable';
}

/** Opens the table the environment names (see the module comment for the order). */
export async function openOpsTable(env: Env): Promise<OpsTable> {
  const endpoint = env.DYNAMODB_ENDPOINT?.trim();
  if (env.TABLE_NAME?.trim() || endpoint) {
    const config = loadStoreConfig({ ...env, TABLE_NAME: env.TABLE_NAME?.trim() || TABLE.localName });
    const store = createStore(config);
    return {
      store,
      where: `table ${config.tableName}${endpoint ? ` at ${endpoint}` : ''}`,
      local: Boolean(endpoint),
      close: async () => store.client.destroy(),
    };
  }
  const dataDir = resolve(env.DATA_DIR?.trim() || '.data');
  const running = readDevServer(dataDir) as
    | (DevServerInfo & { readonly dynamoEndpoint?: string })
    | undefined;
  if (running) return viaDevServer(running, dataDir);
  return openDataDir(dataDir);
}

/** `npm run dev` holds the data folder: talk to its DynamoDB endpoint, when it published one. */
function viaDevServer(
  running: DevServerInfo & { readonly dynamoEndpoint?: string },
  dataDir: string,
): OpsTable {
  if (!running.dynamoEndpoint) {
    throw new OpsTableError(
      `npm run dev (pid ${running.pid}) holds ${dataDir}: pass its endpoint, as printed on its "DynamoDB" ` +
        'line, e.g. DYNAMODB_ENDPOINT=http://127.0.0.1:8000, or stop it and run this again.',
    );
  }
  const store = createStore({ tableName: TABLE.localName, endpoint: running.dynamoEndpoint });
  return {
    store,
    where: `table ${TABLE.localName} of npm run dev (${dataDir})`,
    local: true,
    close: async () => store.client.destroy(),
  };
}

/** Nobody runs there: open the folder's database for this command alone. */
async function openDataDir(dataDir: string): Promise<OpsTable> {
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireDataDir(dataDir);
  const closers: (() => Promise<void> | void)[] = [() => lock.release()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const dynamo = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
    closers.push(() => dynamo.close());
    const store = createStore({ tableName: TABLE.localName, endpoint: dynamo.endpoint });
    closers.push(() => store.client.destroy());
    await ensureTable(store.client, TABLE.localName);
    return { store, where: `table ${TABLE.localName} in ${dataDir}`, local: true, close };
  } catch (error) {
    await close();
    throw error;
  }
}
