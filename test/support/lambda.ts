import type { HttpEvent, HttpHandler } from '../../shared/lambda/http.js';

/** An API Gateway HTTP API event (payload format 2.0), as Lambda receives it for a POST. */
export function httpEvent(path: string, body: string, headers: Record<string, string> = {}): HttpEvent {
  const lowerCased = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-length': String(Buffer.byteLength(body)), ...lowerCased },
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'test.execute-api.local',
      domainPrefix: 'test',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
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
