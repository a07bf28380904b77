/**
 * `npm run say`: act as a community member against `npm run dev`. Builds the delivery the platform would
 * send (its documented shape, signed with the sandbox secrets), posts it to the local webhook, and prints
 * what the webhook answered and what the bot said through the platform API.
 *
 *   npm run say -- --platform slack --user alice "hello"            a message
 *   npm run say -- --platform slack --user bob --reply-to 42 "hi"   a reply in message 42's thread
 *   npm run say -- --platform telegram --user bob --react 42        a reaction to message 42
 *   npm run say -- --platform telegram --user carol --join          carol joins
 *   npm run say -- --platform slack --user modsam "/community stats"
 *   npm run say -- --platform telegram --space b --user modann-b "/community link"
 *   npm run say -- --platform telegram --user modann-b --channel dm --press link.join:<digest>/<space> --id 7
 *   npm run say -- --advance 7d                                     a simulated week passes (also 90m, 12h, 2w)
 *
 * `--space` picks the workspace, server or group: `a` by default, `b` for a second community beside it.
 * `--press <actionId>[:<value>]` presses a button the bot drew: every message with buttons is printed with
 * each button's press string (`[Join] --press link.join:…`, with `--id <message id>` where the platform
 * needs the message: Telegram), to copy after `npm run say -- --platform … --user …`. `--channel dm` is
 * the member's private chat with the bot, where private answers and their buttons are on Telegram.
 *
 * `--advance` moves the dev server's clock forward an hour at a time, running the outbox worker (and the
 * content scheduler) at each step, and prints a line per simulated day and what the bot said meanwhile.
 * Deliveries are signed with the dev server's clock, as the platform's would be after that time passed.
 *
 * It finds the dev server through the data folder (DATA_DIR, `.data` by default), unless --url or PORT says
 * where it is.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PLATFORMS, type Platform } from '../../shared/core/events.js';
import { readPressString, type SandboxAction, type SignedRequest } from '../../shared/platform/sandbox.js';
import { descriptorOf } from '../platforms.js';
import { parseAdvance } from './advance.js';
import { readDevServer } from './data-dir.js';
import type { SaidLine } from './runtime.js';

const USAGE = `usage: npm run say -- --platform <${PLATFORMS.join('|')}> [--space a|b] [--user alice]
       [--channel general] [--id <message id>] [--reply-to <message id>]
       [--react <message id> [--emoji 👍]] [--join] [--press <actionId>[:<value>] [--id <message id>]]
       [--repeat N] [--url http://127.0.0.1:3000] ["text" | "/community <subcommand>"]
       npm run say -- --advance <90m|12h|7d|2w> [--url http://127.0.0.1:3000]`;

const OPTIONS = {
  platform: { type: 'string', short: 'p' },
  // The workspace, server or group: `a` (the default) or another, for two communities side by side.
  space: { type: 'string', short: 's' },
  user: { type: 'string', short: 'u', default: 'alice' },
  channel: { type: 'string', short: 'c', default: 'general' },
  id: { type: 'string' },
  'reply-to': { type: 'string' },
  react: { type: 'string' },
  emoji: { type: 'string', default: '👍' },
  join: { type: 'boolean', default: false },
  // A button the bot drew: `<actionId>[:<value>]`, as printed under the message that carries it.
  press: { type: 'string' },
  repeat: { type: 'string', default: '1' },
  // Simulated time: the dev server's clock moves this far forward (90m, 12h, 7d, 2w).
  advance: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS, args: process.argv.slice(2) });
  } catch (error) {
    // Unknown options, or a value missing after one: parseArgs' own sentence names it.
    return fail((error as Error).message);
  }
}

const { values, positionals } = readArgs();

function actionFromArgs(): SandboxAction {
  return { ...activityFromArgs(), ...(values.space ? { space: values.space } : {}) };
}

function activityFromArgs(): SandboxAction {
  const user = values.user;
  const channel = values.channel;
  const text = positionals.join(' ').trim();
  if (values.join) return { kind: 'join', user, channel };
  if (values.press !== undefined) return pressFromArgs(values.press);
  if (values.react) return { kind: 'reaction', user, channel, messageId: values.react, emoji: values.emoji };
  if (!text)
    fail('Say something: a message text, "/community help", --react <id>, --join or --press <button>.');
  if (text.startsWith('/')) return { kind: 'command', user, channel, text };
  // Message ids are numbers in the sandbox; each platform shapes them its own way (Slack ts, Telegram id).
  const messageId = values.id ?? String(Date.now() % 1_000_000_000);
  return {
    kind: 'message',
    user,
    channel,
    text,
    messageId,
    ...(values['reply-to'] ? { threadOf: values['reply-to'] } : {}),
  };
}

function pressFromArgs(press: string): SandboxAction {
  const button = readPressString(press.trim());
  if (!button.actionId) fail(`--press needs a button's action id, like link.join:<value> (got "${press}")`);
  return {
    kind: 'press',
    user: values.user,
    channel: values.channel,
    ...button,
    ...(values.id ? { messageId: values.id } : {}),
  };
}

/** Where the dev server is: --url, then PORT, then what `npm run dev` published in the data folder. */
function serverUrl(): string {
  if (values.url) {
    if (!URL.canParse(values.url))
      fail(`--url must be a URL, like http://127.0.0.1:3000 (got ${values.url})`);
    return values.url.replace(/\/+$/, '');
  }
  if (process.env.PORT) return `http://127.0.0.1:${process.env.PORT}`;
  return readDevServer(resolve(process.env.DATA_DIR ?? '.data'))?.url ?? 'http://127.0.0.1:3000';
}

function repeatCount(): number {
  const repeat = Number(values.repeat);
  if (!Number.isSafeInteger(repeat) || repeat < 1) {
    fail(`--repeat must be a whole number of deliveries, 1 or more (got ${values.repeat})`);
  }
  return repeat;
}

/** What the dev server says about itself. */
interface Health {
  readonly platforms: Record<string, string>;
  readonly said: number;
  /** The dev clock (ahead of this machine's after an --advance). */
  readonly now?: string;
}

/** The dev server's time now: what the platform would stamp and sign a delivery with. */
function serverNow(health: Health): Date {
  const at = health.now ? Date.parse(health.now) : Number.NaN;
  return Number.isNaN(at) ? new Date() : new Date(at);
}

async function printSaid(url: string, after: number): Promise<void> {
  const said = await getJson<SaidLine[]>(`${url}/sandbox/said?after=${after}`);
  for (const { platform: from, line } of said) console.log(`[${from}] bot -> ${line}`);
}

/** `--advance`: asks the dev server to move its clock, printing its progress as it streams in. */
async function advance(duration: string): Promise<void> {
  try {
    parseAdvance(duration);
  } catch (error) {
    fail((error as Error).message);
  }
  const url = serverUrl();
  const { said } = await getJson<Health>(`${url}/health`);
  const response = await fetch(`${url}/sandbox/advance?by=${encodeURIComponent(duration)}`, {
    method: 'POST',
  });
  if (!response.ok || !response.body) {
    console.error(`The dev server refused: ${await response.text()}`);
    process.exit(1);
  }
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) process.stdout.write(chunk);
  await printSaid(url, said);
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url).catch(() =>
    fail(`Nothing answers at ${new URL(url).origin}: start it with npm run dev (or pass --url)`),
  );
  return (await response.json()) as T;
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.advance !== undefined) {
  await advance(values.advance);
  process.exit(0);
}
if (!PLATFORMS.includes(values.platform as Platform))
  fail(`--platform must be one of ${PLATFORMS.join(', ')}`);
const bot = descriptorOf(values.platform as Platform);
const action = actionFromArgs();
const repeat = repeatCount();
const url = serverUrl();
const health = await getJson<Health>(`${url}/health`);
if (health.platforms[bot.platform] !== 'sandbox') {
  fail(`${bot.title} runs against the real platform here; say only signs sandbox deliveries.`);
}
let request: SignedRequest;
try {
  request = bot.sandbox.sign(action, serverNow(health));
} catch (error) {
  // e.g. Discord: messages, reactions and joins arrive over the gateway, not the interactions webhook.
  fail(error instanceof Error ? error.message : String(error));
}
// A repeat is the same signed delivery again, as a platform's retry would be: it must count once.
for (let attempt = 1; attempt <= repeat; attempt++) {
  const response = await fetch(`${url}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const body = await response.text();
  const label = repeat > 1 ? ` (delivery ${attempt}/${repeat})` : '';
  const answer = response.ok ? bot.sandbox.describeAnswer?.(body) : undefined;
  console.log(`${request.path} answered ${response.status}${label}${!answer && body ? `: ${body}` : ''}`);
  if (answer) console.log(`[${bot.platform}] bot -> ${answer}`);
}
if (action.kind === 'message')
  console.log(`message id ${action.messageId} (use --reply-to or --react with it)`);
await new Promise((done) => setTimeout(done, 300));
await printSaid(url, health.said);
