/**
 * `npm run spaces`: what ops do about spaces from a terminal, against the deployed table (AWS credentials of
 * someone allowed to read and write it) or a local one.
 *
 *   TABLE_NAME=<stack output TableName> npm run spaces -- list              every space, waiting ones first
 *   TABLE_NAME=<stack output TableName> npm run spaces -- approve telegram:-1001234567890
 *
 * In `approved` mode (the stack's default) a new space is served once a moderator of an existing community
 * links it, or once ops approve it here; the bot tells members of a waiting space the exact command.
 * DYNAMODB_ENDPOINT points it at a local engine instead (`npm run dev` prints its endpoint).
 */
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { approveSpace } from '../../shared/core/communities/approve.js';
import { spaceKey } from '../../shared/core/communities/model.js';
import { PLATFORMS, type Platform, type Space } from '../../shared/core/events.js';
import { type Env, loadStoreConfig } from '../../shared/lambda/env.js';
import { readString } from '../../shared/store/attributes.js';
import { createStore } from '../../shared/store/index.js';
import { SPACE_ITEM } from '../../shared/store/keys.js';
import { TABLE } from '../../shared/store/table.js';

const USAGE = `usage: npm run spaces -- list
       npm run spaces -- approve <platform>:<space id>     (platform: ${PLATFORMS.join(', ')})
environment: TABLE_NAME (the stack's TableName output), AWS credentials and region; or DYNAMODB_ENDPOINT locally`;

/** Runs one command; returns the exit code. Output goes to `print`, so tests run it in-process. */
export async function runSpacesCommand(
  args: readonly string[],
  env: Env,
  print: (line: string) => void,
  now: Date = new Date(),
): Promise<number> {
  const [command, target] = args;
  if (command !== 'list' && command !== 'approve') {
    print(USAGE);
    return 2;
  }
  let config: ReturnType<typeof loadStoreConfig>;
  try {
    config = loadStoreConfig(env);
  } catch (error) {
    print(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const store = createStore(config);
  if (command === 'list') return list(store, print);
  const space = parseSpace(target);
  if (!space) {
    print(`Name the space as <platform>:<id>, e.g. telegram:-1001234567890 (got ${target ?? 'nothing'}).`);
    return 2;
  }
  const operator = env.USER ?? userInfo().username;
  const result = await approveSpace(store.core, space, operator, now);
  switch (result.kind) {
    case 'approved':
      print(
        `Approved ${spaceKey(space)}: it is served now, as a community of its own (${result.record.communityId}).`,
      );
      return 0;
    case 'already_active':
      print(`${spaceKey(space)} is served already; nothing changed.`);
      return 0;
    case 'moved':
      print(`${spaceKey(space)} moved to ${result.record.movedTo ?? 'a new id'}: approve that one instead.`);
      return 1;
    case 'unknown':
      print(
        `${spaceKey(space)} is unknown: the bot registers a space at its first activity there (add the bot, ` +
          'then send a message or a command in it), and `list` shows it.',
      );
      return 1;
  }
}

async function list(store: ReturnType<typeof createStore>, print: (line: string) => void): Promise<number> {
  const rows: { key: string; status: string; name: string; registeredAt: string }[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    // An ops listing of every space: a filtered Scan is fine here, never on a request path.
    const page = await store.client.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: '#sk = :space',
        ExpressionAttributeNames: { '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':space': { S: SPACE_ITEM } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      rows.push({
        key: `${readString(item, 'platform')}:${readString(item, 'spaceId')}`,
        status: readString(item, 'status') ?? '?',
        name: readString(item, 'name') ?? '',
        registeredAt: readString(item, 'registeredAt') ?? '',
      });
    }
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  const order = ['pending', 'active', 'inactive', 'moved'];
  rows.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status) || a.key.localeCompare(b.key));
  if (rows.length === 0) print('No spaces yet: the bot registers a space at its first activity there.');
  for (const row of rows)
    print(`${row.status.padEnd(9)} ${row.key.padEnd(32)} ${row.registeredAt.slice(0, 10)}  ${row.name}`);
  return 0;
}

function parseSpace(text: string | undefined): Space | undefined {
  const match = /^([a-z]+):(\S+)$/.exec(text ?? '');
  if (!match || !(PLATFORMS as readonly string[]).includes(match[1] ?? '')) return undefined;
  return { platform: match[1] as Platform, id: match[2] ?? '' };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runSpacesCommand(process.argv.slice(2), process.env, (line) => console.log(line))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      console.error(`spaces: ${(error as Error).message}`);
      process.exit(1);
    });
}
