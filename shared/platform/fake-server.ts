import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake platform server received, kept so tests can assert on exactly what the bot sent. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The body parsed from JSON or a form, when it was one. */
  readonly payload: unknown;
}

export interface FakeResponse {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Drop the connection without answering: what a client sees when a call times out. Whether the platform
   * acted on the request first is up to the route (a fake that "accepted" it has already stored it).
   */
  readonly drop?: boolean;
}

export type FakeRoute = (request: ReceivedRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeServer {
  readonly name: string;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Waits until `count` requests matching `filter` have arrived (tests of asynchronous sends). */
  waitFor(
    filter: (request: ReceivedRequest) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/**
 * A small HTTP server on loopback that plays a platform's API: the real SDK clients are pointed at it
 * (SLACK_API_URL, DISCORD_API_URL, TELEGRAM_API_ROOT) and it answers with the platform's documented shapes.
 * The same servers back the tests and the local sandbox, where `onRequest` prints what the bot said.
 */
export async function startFakeServer(
  name: string,
  route: FakeRoute,
  options: { port?: number; onRequest?: (request: ReceivedRequest, response: FakeResponse) => void } = {},
): Promise<FakeServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    void serve(incoming, outgoing);
  });
  async function serve(incoming: IncomingMessage, outgoing: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const request: ReceivedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      payload: parsePayload(body, incoming.headers['content-type'], url.searchParams),
    };
    requests.push(request);
    let response: FakeResponse;
    try {
      response = await route(request);
    } catch (error) {
      response = { status: 500, body: { error: String(error) } };
    }
    options.onRequest?.(request, response);
    if (response.drop) {
      outgoing.socket?.destroy();
      return;
    }
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? {});
    outgoing.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
    outgoing.end(text);
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    requests,
    async waitFor(filter, count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = requests.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`${name}: expected ${count} matching request(s), got ${matching.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => closeServer(server),
  };
}

function parsePayload(body: string, contentType: string | undefined, query: URLSearchParams): unknown {
  if (!body) return Object.fromEntries(query);
  if (contentType?.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(body));
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Stops a loopback server now: closes it and drops its kept-alive connections instead of waiting for them. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
