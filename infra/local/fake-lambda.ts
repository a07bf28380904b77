/**
 * The Lambda Invoke API on loopback, for `npm run dev` and the tests: the bots' real Lambda client
 * (shared/lambda/later-queue.ts, pointed here by LAMBDA_ENDPOINT) hands it later jobs, and it runs them on
 * the named function's handler the way Lambda runs an asynchronous invocation: it answers 202 at once,
 * runs the handler afterwards, and retries a failed run twice (Lambda's default), so a failing job is
 * seen exactly as in AWS. It queues nothing itself: each invocation starts when it arrives.
 */
import { type FakeResponse, type FakeServer, startFakeServer } from '../../shared/platform/fake-server.js';

/** What the fake runs: a bot's handler, as Lambda would call it with the decoded payload. */
export type InvokeTarget = (payload: unknown) => Promise<unknown>;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Lambda's default for asynchronous invocations: the first run and two retries. */
export const ASYNC_ATTEMPTS = 3;

export interface FakeLambda {
  readonly url: string;
  readonly server: FakeServer;
  /** Names the function `name` and says what runs when it is invoked. */
  register(name: string, target: InvokeTarget): void;
  /** Resolves once every invocation received so far (and its retries) has finished. */
  idle(): Promise<void>;
  /** Runs that failed every attempt, with their last error. */
  readonly failed: { readonly name: string; readonly error: unknown }[];
  close(): Promise<void>;
}

export async function startFakeLambda(
  options: { port?: number; onFailure?: (name: string, error: unknown, attempt: number) => void } = {},
): Promise<FakeLambda> {
  const targets = new Map<string, InvokeTarget>();
  const running = new Set<Promise<void>>();
  const failed: { name: string; error: unknown }[] = [];

  async function runWithRetries(name: string, target: InvokeTarget, payload: unknown): Promise<void> {
    for (let attempt = 1; attempt <= ASYNC_ATTEMPTS; attempt += 1) {
      try {
        await target(payload);
        return;
      } catch (error) {
        options.onFailure?.(name, error, attempt);
        if (attempt === ASYNC_ATTEMPTS) failed.push({ name, error });
      }
    }
  }

  const server = await startFakeServer(
    'lambda',
    async (request): Promise<FakeResponse> => {
      const match = INVOKE_PATH.exec(request.path);
      if (!match || request.method !== 'POST') return { status: 404, body: { message: 'Unknown operation' } };
      const name = decodeURIComponent(match[1] ?? '');
      const target = targets.get(name);
      if (!target) {
        return {
          status: 404,
          headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
          body: { Type: 'User', message: `Function not found: ${name}` },
        };
      }
      const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
      if (type === 'Event') {
        const run = runWithRetries(name, target, request.payload);
        running.add(run);
        void run.finally(() => running.delete(run));
        return { status: 202, body: '' };
      }
      try {
        return { status: 200, body: (await target(request.payload)) ?? null };
      } catch (error) {
        return {
          status: 200,
          headers: { 'x-amz-function-error': 'Unhandled' },
          body: { errorMessage: String(error) },
        };
      }
    },
    options.port === undefined ? {} : { port: options.port },
  );
  return {
    url: server.url,
    server,
    failed,
    register: (name, target) => {
      targets.set(name, target);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    // Jobs still running would write to a table that is closed next: they finish first, as Lambda's would.
    async close() {
      while (running.size > 0) await Promise.allSettled([...running]);
      await server.close();
    },
  };
}
