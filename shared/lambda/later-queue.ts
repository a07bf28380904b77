/**
 * The LaterQueue on Lambda: the webhook invokes its own function asynchronously (InvocationType `Event`)
 * with the job as payload. Lambda keeps the event in its internal queue, answers 202 at once, runs the
 * function again with it, and retries a failed run twice. Locally (`npm run dev`, tests) the same client
 * talks to the fake Invoke endpoint of infra/local/fake-lambda.ts (LAMBDA_ENDPOINT).
 *
 * The Lambda client is imported on first use, not at start: most invocations never defer anything, and a
 * cold start should not pay for reading it (the bundles put it in a chunk of its own, infra/bundling.ts).
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
  let client: Promise<{ invoke(payload: string): Promise<void> }> | undefined;
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
      client ??= connect(config, functionName);
      await (await client).invoke(payload);
    },
  };
}

async function connect(config: LaterConfig, functionName: string) {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const lambda = config.endpoint
    ? new LambdaClient({
        endpoint: config.endpoint,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 3,
      })
    : new LambdaClient({ maxAttempts: 3 });
  return {
    async invoke(payload: string) {
      const { StatusCode, FunctionError } = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(payload),
        }),
      );
      if (StatusCode !== 202 || FunctionError) {
        throw new Error(
          `Lambda did not queue the job (status ${StatusCode}, ${FunctionError ?? 'no error'})`,
        );
      }
    },
  };
}
