import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MalformedRequestError } from '../core/errors.js';
import type { LaterJob } from '../core/later.js';

/** API Gateway HTTP API (payload format 2.0): what every bot handler takes and returns. */
export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context?: unknown) => Promise<HttpResult>;

/**
 * A bot's Lambda entry: webhook requests from API Gateway, and jobs its own webhook handed to a later
 * invocation (shared/core/later.ts). A job's result is ignored by Lambda; a thrown error makes Lambda retry.
 */
export type BotHandler = (event: HttpEvent | LaterJob, context?: unknown) => Promise<HttpResult>;

/** The request body exactly as the platform sent it (signatures are computed over these bytes). */
export function rawBody(event: HttpEvent): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** A header by name, case-insensitively (HTTP APIs lower-case them, other callers may not). */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Parses a JSON body, or fails with a 400-worthy message. */
export function parseJsonBody(body: string): unknown {
  if (!body.trim()) throw new MalformedRequestError('Request body is empty; expected JSON');
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new MalformedRequestError('Request body is not valid JSON', { cause: error });
  }
}

export function jsonResult(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function textResult(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}
