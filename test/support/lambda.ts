import type { HttpEvent, HttpHandler } from '../../shared/lambda/http.js';
import { buildHttpEvent } from '../../shared/local/http-bridge.js';

/** An API Gateway HTTP API event (payload format 2.0), as Lambda receives it for a POST. */
export function httpEvent(path: string, body: string, headers: Record<string, string> = {}): HttpEvent {
  return buildHttpEvent({ path, body, headers });
}

/**
 * Imports a bot's real `handler` with the given environment, in a fresh module graph, the way a Lambda
 * cold start reads its config once. Call `vi.resetModules()` between imports with different env.
 */
export async function loadHandler(modulePath: string, env: Record<string, string>): Promise<HttpHandler> {
  Object.assign(process.env, env);
  const module = (await import(modulePath)) as { handler: HttpHandler };
  return module.handler;
}
