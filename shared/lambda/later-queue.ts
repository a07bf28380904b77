/**
 * The LaterQueue on Lambda: the webhook invokes its own function asynchronously (InvocationType `Event`)
 * with the job as payload. Lambda keeps the event in its internal queue, answers 202 at once, runs the
 * function again with it, and retries a failed run twice. Locally (`npm run dev`, tests) the same client
 * talks to the fake Invoke endpoint of infra/local/fake-lambda.ts (LAMBDA_ENDPOINT).
 *
 * The Lambda client is imported on first use, not at start: most invocations never defer anything, and a
 * cold start should not pay for reading it (the bundles put it in a chunk of its own, infra/bundling.ts).
 * The outbox's wake-up (wake.ts) invokes the worker through the same {@link createAsyncInvoker}.
 */
import { ConfigError } from '../core/errors.js';
import type { LaterJob, LaterQueue } from '../core/later.js';
import type { Env } from './env.js';

export interface LaterConfig {
  /** This function's own name (Lambda sets AWS_LAMBDA_FUNCTION_NAME). */
  readonly functionName?: string;
  /** LAMBDA_ENDPOINT: a local Invoke endpoint. Unset in AWS. */
  readonly endpoint?: string;
}

/** Lambda's limit for an asynchronous invocation's payload. */
export const ASYNC_PAYLOAD_LIMIT = 256 * 1024;

export function loadLaterConfig(env: Env): LaterConfig {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME?.trim();
  const endpoint = env.LAMBDA_ENDPOINT?.trim();
  return Object.freeze({ ...(functionName ? { functionName } : {}), ...(endpoint ? { endpoint } : {}) });
}

/** The job could not be handed over; the request fails so the platform (or the member) tries again. */
export function createLaterQueue(config: LaterConfig): LaterQueue {
  const invoker = createAsyncInvoker(config.endpoint);
  return {
    async enqueue(job: LaterJob) {
      const { functionName } = config;
      if (!functionName) {
        throw new ConfigError(
          'AWS_LAMBDA_FUNCTION_NAME is not set: there is no function to hand later work to',
        );
      }
      const payload = JSON.stringify(job);
      const bytes = Buffer.byteLength(payload);
      if (bytes > ASYNC_PAYLOAD_LIMIT) {
        throw new ConfigError(`A later job of ${bytes} bytes exceeds Lambda's 256 KB`);
      }
      await invoker.invoke(functionName, payload);
    },
  };
}

/** Queues an invocation of a function (InvocationType `Event`); rejects unless Lambda accepted it (202). */
export interface AsyncInvoker {
  invoke(functionName: string, payload: string): Promise<void>;
}

/**
 * An asynchronous invoker whose Lambda client is imported and built on the first call, then reused: in AWS
 * with the function's role from the environment, locally against `endpoint` (LAMBDA_ENDPOINT).
 */
export function createAsyncInvoker(endpoint?: string): AsyncInvoker {
  let client: ReturnType<typeof connect> | undefined;
  return {
    async invoke(functionName, payload) {
      // A failed import is not kept: the next call tries again.
      client ??= connect(endpoint).catch((error: unknown) => {
        client = undefined;
        throw error;
      });
      await (await client)(functionName, payload);
    },
  };
}

async function connect(endpoint: string | undefined) {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const lambda = endpoint
    ? new LambdaClient({
        endpoint,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 3,
      })
    : new LambdaClient({ maxAttempts: 3 });
  return async (functionName: string, payload: string) => {
    const { StatusCode, FunctionError } = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(payload),
      }),
    );
    if (StatusCode !== 202 || FunctionError) {
      throw new Error(
        `Lambda did not queue the invocation of ${functionName} (status ${StatusCode}, ${FunctionError ?? 'no error'})`,
      );
    }
  };
}
