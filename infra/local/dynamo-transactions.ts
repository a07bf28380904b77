/**
 * TransactWriteItems for the embedded engine. dynalite (4.0.0) has no transactions: it answers
 * UnknownOperationException. The content library's writes (an item and its library version; a vote and the
 * counts it moves) are one transaction in DynamoDB, so the local runner and the tests need one too.
 *
 * How it runs: transactions are taken one at a time; each snapshots the items it touches (consistent reads),
 * then applies its actions one by one as dynalite's own PutItem / UpdateItem / DeleteItem, with their own
 * condition expressions (so dynalite still evaluates every condition). When one fails, the actions already
 * applied are undone from the snapshots and the answer is DynamoDB's TransactionCanceledException with a
 * cancellation reason per action. What it does not give: isolation from a plain write landing between two of
 * its actions (acceptable on a test engine), and a reason for actions after the first that failed (DynamoDB
 * names every failed one; they read `None` here).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
type Expression = {
  TableName: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
};
/** One action of a TransactWriteItems request, as the wire carries it. */
interface TransactItem {
  Put?: Expression & { Item: Item };
  Update?: Expression & { Key: Item; UpdateExpression: string };
  Delete?: Expression & { Key: Item };
  ConditionCheck?: Expression & { Key: Item };
}

const TARGET = 'DynamoDB_20120810.TransactWriteItems';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
/** DynamoDB's limit on actions per transaction. */
const MAX_ACTIONS = 100;

/** A failure answered in DynamoDB's error shape. */
class WireError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Makes a dynalite server answer TransactWriteItems; every other request goes to dynalite as before. */
export function acceptTransactions(server: Server): void {
  const dynalite = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  let client: DynamoDBClient | undefined;
  let running: Promise<unknown> = Promise.resolve();
  server.on('close', () => client?.destroy());
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] !== TARGET) {
      for (const listener of dynalite) listener.call(server, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      client ??= loopbackClient(server);
      const engine = new Transactions(client);
      // One transaction at a time: a snapshot must not be taken while another one is half applied.
      const run = running.then(() => engine.run(Buffer.concat(chunks).toString()));
      running = run.catch(() => undefined);
      run.then(
        () => answer(res, 200, {}),
        (error: unknown) => {
          const wire =
            error instanceof WireError ? error : new WireError('InternalServerError', String(error));
          answer(res, 400, { __type: `${ERROR_PREFIX}${wire.type}`, message: wire.message, ...wire.extra });
        },
      );
    });
  });
}

function loopbackClient(server: Server): DynamoDBClient {
  const { port } = server.address() as AddressInfo;
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/x-amz-json-1.0');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** The key attribute names of each table, read once. */
const keyNames = new WeakMap<DynamoDBClient, Map<string, Promise<string[]>>>();

class Transactions {
  constructor(private readonly client: DynamoDBClient) {}

  async run(body: string): Promise<void> {
    const actions = parseActions(body);
    const keys = await Promise.all(actions.map((action) => this.keyOf(action)));
    const seen = new Set(keys.map(({ table, key }) => `${table}/${JSON.stringify(sorted(key))}`));
    if (seen.size < keys.length) {
      throw new WireError(
        'ValidationException',
        'Transaction request cannot include multiple operations on one item',
      );
    }
    const before = await Promise.all(keys.map(({ table, key }) => this.read(table, key)));
    for (const [index, action] of actions.entries()) {
      try {
        await this.apply(action, before[index]);
      } catch (error) {
        await this.undo(keys.slice(0, index), before.slice(0, index));
        throw cancelled(error, index, actions.length);
      }
    }
  }

  private apply(action: TransactItem, before: Item | undefined): Promise<unknown> {
    const { Put, Update, Delete, ConditionCheck } = action;
    if (Put) return this.client.send(new PutItemCommand(Put));
    if (Update) return this.client.send(new UpdateItemCommand(Update));
    if (Delete) return this.client.send(new DeleteItemCommand(Delete));
    const check = ConditionCheck as NonNullable<TransactItem['ConditionCheck']>;
    // Evaluated by dynalite on a write that changes nothing: the item put back as it is, or a missing one deleted.
    return before
      ? this.client.send(new PutItemCommand({ ...withoutKey(check), Item: before }))
      : this.client.send(new DeleteItemCommand(check));
  }

  private async undo(keys: { table: string; key: Item }[], before: (Item | undefined)[]): Promise<void> {
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const { table, key } = keys[index] as { table: string; key: Item };
      const item = before[index];
      if (item) await this.client.send(new PutItemCommand({ TableName: table, Item: item }));
      else await this.client.send(new DeleteItemCommand({ TableName: table, Key: key }));
    }
  }

  private async read(table: string, key: Item): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  private async keyOf(action: TransactItem): Promise<{ table: string; key: Item }> {
    const part = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck;
    if (!part) throw new WireError('ValidationException', 'A transaction action names no operation');
    if (!action.Put) return { table: part.TableName, key: (part as { Key: Item }).Key };
    const names = await this.keyNames(part.TableName);
    const key: Item = {};
    for (const name of names) {
      const value = action.Put.Item[name];
      if (!value) throw new WireError('ValidationException', `Missing the key ${name} in the item`);
      key[name] = value;
    }
    return { table: part.TableName, key };
  }

  private keyNames(table: string): Promise<string[]> {
    const tables = keyNames.get(this.client) ?? new Map<string, Promise<string[]>>();
    keyNames.set(this.client, tables);
    let names = tables.get(table);
    if (!names) {
      names = this.client
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => (Table?.KeySchema ?? []).map((part) => part.AttributeName ?? ''));
      tables.set(table, names);
    }
    return names;
  }
}

function parseActions(body: string): TransactItem[] {
  let parsed: { TransactItems?: TransactItem[] };
  try {
    parsed = JSON.parse(body) as { TransactItems?: TransactItem[] };
  } catch {
    throw new WireError('SerializationException', 'The request body is not JSON');
  }
  const actions = parsed.TransactItems ?? [];
  if (actions.length === 0 || actions.length > MAX_ACTIONS) {
    throw new WireError('ValidationException', `A transaction holds 1 to ${MAX_ACTIONS} actions`);
  }
  return actions;
}

/** The error DynamoDB gives for a transaction that did not hold: a reason per action. */
function cancelled(error: unknown, failed: number, count: number): WireError {
  const name = error instanceof Error ? error.name : 'InternalServerError';
  if (name !== 'ConditionalCheckFailedException') {
    return new WireError(name, error instanceof Error ? error.message : String(error));
  }
  const reasons = Array.from({ length: count }, (_, index) =>
    index === failed
      ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
      : { Code: 'None' },
  );
  return new WireError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
      .map((reason) => reason.Code)
      .join(', ')}]`,
    { CancellationReasons: reasons },
  );
}

function withoutKey<T extends { Key: Item }>(check: T): Omit<T, 'Key'> {
  const { Key: _key, ...rest } = check;
  return rest;
}

function sorted(key: Item): [string, AttributeValue][] {
  return Object.entries(key).sort(([a], [b]) => a.localeCompare(b));
}
