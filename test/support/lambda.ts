import type { WorkerContext } from '../../bots/outbox/worker-handler.js';
import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import type { HttpEvent } from '../../shared/lambda/http.js';

/** An API Gateway HTTP API event (payload format 2.0), as Lambda receives it for a POST. */
export function httpEvent(path: string, body: string, headers: Record<string, string> = {}): HttpEvent {
  return buildHttpEvent({ path, body, headers });
}

/** The part of a Lambda context the outbox worker reads, with `remainingMs` left in the invocation. */
export function workerContext(remainingMs: number): WorkerContext {
  return { getRemainingTimeInMillis: () => remainingMs };
}
