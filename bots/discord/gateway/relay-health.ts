/**
 * The relay's health check: `GET /health` answers 200 while the gateway connection is READY (or resumed) and
 * 503 otherwise, for the container's health check command. It listens on loopback: the check runs inside the
 * container, and nothing outside needs it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../../../shared/platform/fake-server.js';

export interface HealthServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** What the endpoint reports: whether the connection is up, and a word on its state. */
export interface HealthState {
  readonly ready: boolean;
  readonly status: string;
}

export async function startHealthServer(
  port: number,
  state: () => Promise<HealthState>,
): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://relay').pathname;
    if (request.method !== 'GET' || path !== '/health') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    void state().then(
      (health) => {
        response.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify(health));
      },
      () => response.writeHead(503, { 'content-type': 'application/json' }).end('{"ready":false}'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}
