/**
 * TEST AND DEV ONLY: a fake of Slack's Socket Mode on loopback, for the real SocketModeClient.
 *
 * - `POST /api/apps.connections.open` (what SLACK_API_URL points at) takes the app-level token, as Slack
 *   does: `not_authed` without one, `not_allowed_token_type` for a bot or user token, `invalid_auth` for
 *   another app's; else a single-use WebSocket URL (`ws://127.0.0.1:<port>/link/?ticket=...`).
 * - The WebSocket says `hello`, then sends the envelopes a test pushes (`events_api`, `interactive`,
 *   `slash_commands`, in Slack's documented envelope), and keeps every ack (`envelope_id` + `payload`).
 * - An envelope not acknowledged when its connection closes is sent again on the next connection, its
 *   `retry_attempt` one higher, as Slack retries what was not acknowledged; one pushed while no client is
 *   connected waits for the next.
 * - `disconnect()` sends Slack's `disconnect` message (reason `refresh_requested`): the client is expected
 *   to open a new connection through `apps.connections.open`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type FakeResponse,
  type FakeServer,
  type ReceivedRequest,
  startFakeServer,
} from '../../shared/platform/fake-server.js';
import { API_PREFIX } from './sandbox-api.js';

/** The envelope types Slack sends over Socket Mode that carry a delivery. */
export type SocketEnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

/** An envelope as Slack sends it over the socket. */
export interface SocketEnvelope {
  readonly envelope_id: string;
  readonly type: SocketEnvelopeType;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Whether Slack reads a payload in the ack (commands and interactions) or only the ack itself. */
  readonly accepts_response_payload: boolean;
  readonly retry_attempt: number;
  readonly retry_reason: string;
}

/** How Slack marks a redelivery in an envelope. */
export interface SocketRetry {
  readonly attempt: number;
  readonly reason: string;
}

/** An acknowledgement the client sent: which envelope, and the payload it answered with. */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Readonly<Record<string, unknown>>;
}

export interface FakeSlackSocketOptions {
  /** The app-level token `apps.connections.open` accepts. */
  readonly appToken: string;
  /** The app the connection belongs to, in `hello` and the URL. */
  readonly appId?: string;
}

export interface FakeSlackSocket {
  /** The Web API root to give the client (SLACK_API_URL), e.g. `http://127.0.0.1:41234/api/`. */
  readonly apiUrl: string;
  /** The HTTP side: every `apps.connections.open` call received. */
  readonly api: FakeServer;
  /** Every ack received, oldest first. */
  readonly acks: readonly SocketAck[];
  /** WebSocket connections opened so far. */
  connections(): number;
  /** Waits until `count` connections have been opened in all. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Sends an envelope to the connected client (or the next one); returns its `envelope_id`. `retry`: a new
   * envelope for a delivery Slack already sent once (its `retry_attempt` and `retry_reason`).
   */
  push(type: SocketEnvelopeType, payload: Readonly<Record<string, unknown>>, retry?: SocketRetry): string;
  /** Waits for the first ack of an envelope. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** Slack's `disconnect` message: the client should reconnect. */
  disconnect(reason?: string): void;
  close(): Promise<void>;
}

const LINK_PATH = '/link/';
const POLL_MS = 5;

/** Starts the fake: an HTTP server for `apps.connections.open` and a WebSocket server, both on loopback. */
export async function startFakeSlackSocket(options: FakeSlackSocketOptions): Promise<FakeSlackSocket> {
  const appId = options.appId ?? 'A0SANDBOX';
  const tickets = new Set<string>();
  const sockets = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // A ticket opens one connection, as Slack's URLs do.
    verifyClient: ({ req }: { req: IncomingMessage }) =>
      tickets.delete(new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? ''),
  });
  await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
  const wsPort = (sockets.address() as AddressInfo).port;
  const api = await startFakeServer('slack-socket', (request) =>
    openConnection(request, options.appToken, () => {
      const ticket = randomUUID();
      tickets.add(ticket);
      return `ws://127.0.0.1:${wsPort}${LINK_PATH}?ticket=${ticket}&app_id=${appId}`;
    }),
  );
  const link = createLink(appId);
  sockets.on('connection', (socket) => link.attach(socket));
  return {
    apiUrl: `${api.url}${API_PREFIX}`,
    api,
    acks: link.acks,
    connections: () => link.opened(),
    waitForConnections: (count, timeoutMs) =>
      until(() => link.opened() >= count, `${count} connection(s)`, timeoutMs).then(() => undefined),
    push: (type, payload, retry) => link.push(type, payload, retry),
    waitForAck: (envelopeId, timeoutMs) =>
      until(
        () => link.acks.find((ack) => ack.envelope_id === envelopeId),
        `an ack of ${envelopeId}`,
        timeoutMs,
      ),
    disconnect: (reason = 'refresh_requested') => link.disconnect(reason),
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await api.close();
    },
  };
}

/** `apps.connections.open`, refusing what Slack refuses. */
function openConnection(request: ReceivedRequest, appToken: string, url: () => string): FakeResponse {
  if (request.path !== `${API_PREFIX}apps.connections.open`) {
    return { status: 404, body: { ok: false, error: 'unknown_method' } };
  }
  const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
  if (!token) return { body: { ok: false, error: 'not_authed' } };
  if (!token.startsWith('xapp-')) return { body: { ok: false, error: 'not_allowed_token_type' } };
  if (token !== appToken) return { body: { ok: false, error: 'invalid_auth' } };
  return { body: { ok: true, url: url() } };
}

/** The socket side: one live connection at a time, the envelopes not yet acknowledged, the acks. */
function createLink(appId: string) {
  const acks: SocketAck[] = [];
  const unacked = new Map<string, SocketEnvelope>();
  let live: WebSocket | undefined;
  let opened = 0;
  const send = (envelope: SocketEnvelope) => {
    if (live && live.readyState === live.OPEN) live.send(JSON.stringify(envelope));
  };
  return {
    acks,
    opened: () => opened,
    attach(socket: WebSocket) {
      opened += 1;
      live = socket;
      socket.send(JSON.stringify(hello(appId, opened)));
      // What the previous connection left unacknowledged comes again, marked as a retry.
      for (const [id, envelope] of unacked) {
        const again = { ...envelope, retry_attempt: envelope.retry_attempt + 1, retry_reason: 'timeout' };
        unacked.set(id, again);
        send(again);
      }
      socket.on('message', (data) => {
        const ack = readAck(String(data));
        if (!ack) return;
        acks.push(ack);
        unacked.delete(ack.envelope_id);
      });
      socket.on('close', () => {
        if (live === socket) live = undefined;
      });
    },
    push(type: SocketEnvelopeType, payload: Readonly<Record<string, unknown>>, retry?: SocketRetry): string {
      const envelope: SocketEnvelope = {
        envelope_id: randomUUID(),
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: retry?.attempt ?? 0,
        retry_reason: retry?.reason ?? '',
      };
      unacked.set(envelope.envelope_id, envelope);
      send(envelope);
      return envelope.envelope_id;
    },
    disconnect(reason: string) {
      live?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    },
  };
}

/** Slack's first message on a connection. */
function hello(appId: string, connection: number) {
  return {
    type: 'hello',
    num_connections: 1,
    debug_info: { host: `applink-fake-${connection}`, build_number: 1, approximate_connection_time: 18060 },
    connection_info: { app_id: appId },
  };
}

/** An ack is `{ envelope_id, payload? }`; anything else the client sends is not one. */
function readAck(text: string): SocketAck | undefined {
  try {
    const message = JSON.parse(text) as { envelope_id?: unknown; payload?: unknown };
    if (typeof message.envelope_id !== 'string') return undefined;
    const payload = message.payload;
    return typeof payload === 'object' && payload !== null
      ? { envelope_id: message.envelope_id, payload: payload as Record<string, unknown> }
      : { envelope_id: message.envelope_id };
  } catch {
    return undefined;
  }
}

/** Polls until `found` gives a value (loopback answers in a few ms). */
async function until<T>(found: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = found();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`fake Slack socket: no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
