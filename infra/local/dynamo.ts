import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableRequest } from '../../shared/store/table.js';
import { acceptTransactions } from './dynamo-transactions.js';

/** A DynamoDB-compatible engine running inside this process (dynalite), on loopback. */
export interface EmbeddedDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  /** A folder to persist to (LevelDB); in memory when omitted. */
  readonly path?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // dynalite has no TransactWriteItems; the content library's writes need it (dynamo-transactions.ts).
  acceptTransactions(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => closeWhenIdle(server),
  };
}

/** How long a close waits for requests in flight before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

/**
 * Stops taking connections and lets requests in flight finish before dynalite closes its database (it does
 * on the server's `close`): a request still running then would fail inside dynalite with "Database is
 * closed", outside any caller's reach. Keep-alive connections are closed as soon as they fall idle.
 */
function closeWhenIdle(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 10);
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Creates the table from the shared definition unless it exists. Returns whether it created it. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
  }
  let created = true;
  try {
    await client.send(new CreateTableCommand(createTableRequest(tableName)));
  } catch (error) {
    // Two processes starting together: the other one won.
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await untilActive(client, tableName);
  return created;
}

/**
 * dynalite answers CreateTable before the table takes writes (a moment later, longer on a LevelDB folder):
 * a write in between is refused with ResourceNotFound.
 */
async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${tableName} did not become active`);
}
