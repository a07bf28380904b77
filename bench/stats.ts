import { buildHttpEvent } from '../infra/local/http-bridge.js';
import type { HttpEvent } from '../shared/lambda/http.js';
import type { SignedRequest } from '../shared/platform/sandbox.js';

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function ratio(ours: number, reference: number): number {
  return ours / reference;
}

/** The API Gateway event (payload 2.0) Lambda would get for a signed sandbox delivery. */
export function httpEventFor(request: SignedRequest): HttpEvent {
  return buildHttpEvent({ path: request.path, headers: request.headers, body: request.body });
}
