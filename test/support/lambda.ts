import { buildHttpEvent } from '../../infra/local/http-bridge.js';
import type { HttpEvent } from '../../shared/lambda/http.js';

/** An API Gateway HTTP API event (payload format 2.0), as Lambda receives it for a POST. */
export function httpEvent(path: string, body: string, headers: Record<string, string> = {}): HttpEvent {
  return buildHttpEvent({ path, body, headers });
}
