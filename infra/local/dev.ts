/**
 * `npm run dev`: the whole product on this machine with zero configuration.
 * Embedded DynamoDB (data under .data/), every bot's webhook handler on one HTTP server, the outbox worker
 * on a timer, and, for every platform without real credentials, a sandbox: test secrets and a fake platform
 * API that prints what the bot said. Try it with `npm run say`.
 */
import { relative, resolve } from 'node:path';
import { CommunityError } from '../../shared/core/errors.js';
import { PLATFORM_DESCRIPTORS } from '../platforms.js';
import { LOCAL_OUTBOX_EVERY_MS } from './outbox.js';
import { startLocal } from './runtime.js';

const DEFAULT_PORT = 3000;
const port = Number(process.env.PORT ?? DEFAULT_PORT);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const inside = relative(process.cwd(), dataDir);
const shownDataDir = inside && !inside.startsWith('..') ? inside : dataDir;

/** The dev clock, as the banner shows it: the system's, or how far `--advance` moved it. */
function clockLine(offsetMs: number): string {
  if (offsetMs === 0) return "this machine's (move it with npm run say -- --advance 7d)";
  const hours = Math.round(offsetMs / 3_600_000);
  return `simulated, ${hours} hours ahead of this machine's (kept in ${shownDataDir}; delete it to start over)`;
}

try {
  const runtime = await startLocal({
    port,
    dataDir,
    dynamoPort: Number(process.env.DYNAMODB_PORT ?? 0),
    env: { ...process.env },
    log: (line) => console.log(line),
  });
  const webhooks = PLATFORM_DESCRIPTORS.flatMap((bot) =>
    bot.webhookPaths.map((path) => {
      const live = runtime.connections[bot.platform];
      return `POST ${runtime.url}${path}  (${bot.title}: ${runtime.modes[bot.platform]}${live ? `, ${live}` : ''})`;
    }),
  );
  // say finds this server through the data folder; from anywhere else it needs the URL.
  const sayFrom = process.env.DATA_DIR === undefined ? '' : `DATA_DIR=${process.env.DATA_DIR} `;
  console.log(`
Community bots running locally
  webhooks   ${webhooks.join('\n             ')}
  health     GET  ${runtime.url}/health
  install    GET  ${runtime.url}/slack/install  (Slack's install flow; in the sandbox, pick "Sandbox B")
  DynamoDB   ${runtime.dynamoEndpoint}  table ${runtime.tableName}  data in ${shownDataDir}
  outbox     worker every ${LOCAL_OUTBOX_EVERY_MS / 1000} s and when woken (welcomes, announcements: within quiet hours and budgets)
  clock      ${clockLine(runtime.clock.offsetMs())}

Next, in another terminal, act as a community member (names starting with "mod" are moderators):
  ${sayFrom}npm run say -- --platform slack --user alice "hello everyone"
  ${sayFrom}npm run say -- --platform telegram --user alice --reply-to 1 "welcome!"
  ${sayFrom}npm run say -- --platform discord --user modsam "/community stats"
  ${sayFrom}npm run say -- --advance 7d    (a simulated week passes: scheduled posts, digests)
say finds this server through ${shownDataDir}/; from another folder add --url ${runtime.url}.
Another port: PORT=3001 npm run dev. Stop with Ctrl+C; the data stays in ${shownDataDir}.
`);
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const message = error instanceof CommunityError ? error.message : String(error);
  console.error(`npm run dev could not start: ${message}`);
  if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    console.error(`Port ${port} is taken: set PORT to another one, e.g. PORT=${port + 1} npm run dev`);
  }
  process.exit(1);
}
