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
 */
import { parseArgs } from 'node:util';
import { PLATFORMS, type Platform } from '../core/events.js';
import type { SaidLine } from './runtime.js';
import type { SandboxAction } from './sandbox.js';
import { SANDBOXES } from './sandboxes/index.js';

const USAGE = `usage: npm run say -- --platform <${PLATFORMS.join('|')}> [--user alice] [--channel general]
       [--id <message id>] [--reply-to <message id>] [--react <message id> [--emoji 👍]] [--join]
       [--repeat N] ["text" | "/community <subcommand>"]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    platform: { type: 'string', short: 'p' },
    user: { type: 'string', short: 'u', default: 'alice' },
    channel: { type: 'string', short: 'c', default: 'general' },
    id: { type: 'string' },
    'reply-to': { type: 'string' },
    react: { type: 'string' },
    emoji: { type: 'string', default: '👍' },
    join: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function actionFromArgs(): SandboxAction {
  const user = values.user ?? 'alice';
  const channel = values.channel ?? 'general';
  const text = positionals.join(' ').trim();
  if (values.join) return { kind: 'join', user, channel };
  if (values.react)
    return { kind: 'reaction', user, channel, messageId: values.react, emoji: values.emoji ?? '👍' };
  if (!text) fail('Say something: a message text, "/community help", --react <id> or --join.');
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

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url).catch(() =>
    fail(`Nothing answers at ${values.url}: start it with npm run dev`),
  );
  return (await response.json()) as T;
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const platform = values.platform as Platform | undefined;
const sandbox = SANDBOXES.find((candidate) => candidate.platform === platform);
if (!sandbox) fail(`--platform must be one of ${PLATFORMS.join(', ')}`);
const action = actionFromArgs();
const health = await getJson<{ platforms: Record<Platform, string>; said: number }>(`${values.url}/health`);
if (health.platforms[sandbox.platform] !== 'sandbox') {
  fail(`${sandbox.platform} runs against the real platform here; say only signs sandbox deliveries.`);
}
const repeat = Math.max(1, Number(values.repeat) || 1);
let request: ReturnType<typeof sandbox.sign>;
try {
  request = sandbox.sign(action);
} catch (error) {
  // e.g. Discord: messages, reactions and joins arrive over the gateway, not the interactions webhook.
  fail(error instanceof Error ? error.message : String(error));
}
// A repeat is the same signed delivery again, as a platform's retry would be: it must count once.
for (let attempt = 1; attempt <= repeat; attempt++) {
  const response = await fetch(`${values.url}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const body = await response.text();
  const label = repeat > 1 ? ` (delivery ${attempt}/${repeat})` : '';
  const answer = response.ok ? sandbox.describeAnswer?.(body) : undefined;
  console.log(`${sandbox.path} answered ${response.status}${label}${!answer && body ? `: ${body}` : ''}`);
  if (answer) console.log(`[${sandbox.platform}] bot -> ${answer}`);
}
if (action.kind === 'message')
  console.log(`message id ${action.messageId} (use --reply-to or --react with it)`);
await new Promise((resolve) => setTimeout(resolve, 300));
const said = await getJson<SaidLine[]>(`${values.url}/sandbox/said?after=${health.said}`);
for (const { platform: from, line } of said) console.log(`[${from}] bot -> ${line}`);
