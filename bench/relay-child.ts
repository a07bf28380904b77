/**
 * The relay as the bench measures it (bench/relay.ts): bundled like the container's entry and run in a
 * process of its own (forked, with an IPC channel), so its memory is the relay's alone. Settings come from
 * the environment exactly as relay-main.ts reads them; the parent asks for memory and progress over IPC.
 */
import { createDiscordGatewayIngestion } from '../bots/discord/gateway/ingest.js';
import { createDiscordRelay } from '../bots/discord/gateway/relay.js';
import { loadRelayConfig } from '../bots/discord/gateway/relay-config.js';
import type { Logger } from '../shared/lambda/logger.js';

/** What the parent asks. */
export type ChildRequest = { readonly type: 'probe'; readonly gc?: boolean } | { readonly type: 'stop' };

/** What the child answers. */
export type ChildReport =
  | { readonly type: 'ready' }
  | {
      readonly type: 'probe';
      /** Messages handed to the core so far. */
      readonly handled: number;
      readonly rss: number;
      readonly heapUsed: number;
    }
  | { readonly type: 'failed'; readonly error: string };

const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (message, fields) => console.error(message, fields),
};
const send = (report: ChildReport) => process.send?.(report);

const config = loadRelayConfig(process.env);
const ingestion = createDiscordGatewayIngestion(config.core, { logger: quiet });
let handled = 0;
const relay = createDiscordRelay({
  config,
  ingestion: {
    async dispatch(payload) {
      const result = await ingestion.dispatch(payload);
      // Messages only: READY and the like are not what the parent sent.
      if ((payload as { t?: unknown }).t === 'MESSAGE_CREATE') handled += 1;
      return result;
    },
  },
  logger: quiet,
});

process.on('message', (request: ChildRequest) => {
  if (request.type === 'stop') {
    void relay.stop().then(() => process.exit(0));
    return;
  }
  // With --expose-gc the parent may ask for a collection first, for a steadier idle reading.
  if (request.gc) (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  send({ type: 'probe', handled, rss, heapUsed });
});

relay.start().then(
  () => send({ type: 'ready' }),
  (error: unknown) => {
    send({ type: 'failed', error: String(error) });
    process.exit(1);
  },
);
