import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpEvent, HttpHandler, HttpResult } from '../../shared/lambda/http.js';

/** The parts of an HTTP request an API Gateway event is made from. */
export interface HttpRequestParts {
  readonly method?: string;
  readonly path: string;
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  readonly sourceIp?: string;
}

/**
 * The API Gateway HTTP API event (payload 2.0) Lambda receives for a request, so the local server, the
 * tests and the bench all run the very same handlers as AWS. Header names are lower-cased and the Cookie
 * header becomes the `cookies` list, as API Gateway does.
 */
export function buildHttpEvent(parts: HttpRequestParts): HttpEvent {
  const method = parts.method ?? 'POST';
  const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(parts.body)) };
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(parts.headers ?? {})) {
    if (name.toLowerCase() === 'cookie') cookies = value.split(/;\s*/).filter(Boolean);
    else headers[name.toLowerCase()] = value;
  }
  const now = new Date();
  const routeKey = `${method} ${parts.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: parts.path,
    rawQueryString: parts.query ?? '',
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: parts.path,
        protocol: 'HTTP/1.1',
        sourceIp: parts.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: parts.body,
    isBase64Encoded: false,
    ...(cookies ? { cookies } : {}),
  };
}

/** The API Gateway event for a request that reached the local Node server. */
export function toHttpEvent(request: IncomingMessage, body: string): HttpEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return buildHttpEvent({
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
  });
}

/** Reads the whole request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a handler's result back as the HTTP response API Gateway would send (`cookies` as Set-Cookie). */
export function writeResult(response: ServerResponse, result: HttpResult): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  const headers: Record<string, string | string[]> = {
    ...(result.headers as Record<string, string> | undefined),
  };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/** Runs one request through a handler, answering 500 (as Lambda would) if the handler itself throws. */
export async function serveWithHandler(
  handler: HttpHandler,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const event = toHttpEvent(request, await readBody(request));
  try {
    writeResult(response, await handler(event));
  } catch (error) {
    writeResult(response, { statusCode: 500, body: JSON.stringify({ error: String(error) }) });
  }
}
