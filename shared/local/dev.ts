/**
 * `npm run dev`: the whole product on this machine with zero configuration.
 * Embedded DynamoDB (data under .data/), the three webhook handlers on one HTTP server, and, for every
 * platform without real credentials, a sandbox: test secrets and a fake platform API that prints what the
 * bot said. Try it with `npm run say`.
 */
import { resolve } from 'node:path';
import { CommunityError } from '../core/errors.js';
import { PLATFORMS } from '../core/events.js';
import { startLocal } from './runtime.js';
import { SANDBOXES } from './sandboxes/index.js';

const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');

try {
  const runtime = await startLocal({
    port,
    dataDir,
    dynamoPort: Number(process.env.DYNAMODB_PORT ?? 0),
    env: { ...process.env },
    log: (line) => console.log(line),
  });
  const paths = Object.fromEntries(SANDBOXES.map((sandbox) => [sandbox.platform, sandbox.path]));
  console.log(`
Community bots running locally
  webhooks   ${PLATFORMS.map((platform) => `POST ${runtime.url}${paths[platform]}  (${runtime.modes[platform]})`).join('\n             ')}
  health     GET  ${runtime.url}/health
  DynamoDB   ${runtime.dynamoEndpoint}  table ${runtime.tableName}  data in ${dataDir}

Next, in another terminal, act as a community member (names starting with "mod" are moderators):
  npm run say -- --platform slack --user alice "hello everyone"
  npm run say -- --platform telegram --user alice --reply-to 1 "welcome!"
  npm run say -- --platform discord --user modsam "/community stats"
Stop with Ctrl+C; the data stays in ${dataDir}.`);
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
    console.error(`Port ${port} is taken: set PORT to another one, e.g. PORT=3001 npm run dev`);
  }
  process.exit(1);
}
