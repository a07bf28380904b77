import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { closeServer } from '../../shared/platform/fake-server.js';
import { createTableRequest } from '../../shared/store/table.js';

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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}

/** Creates the table from the shared definition unless it exists. Returns whether it created it. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableRequest(tableName)));
    return true;
  } catch (error) {
    // Two processes starting together: the other one won.
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
}
