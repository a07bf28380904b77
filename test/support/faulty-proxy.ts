import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of dynalite that can make DynamoDB fail mid-event, the way a real outage or a lost
 * response does. `before`: the call never reaches the table. `after`: the table applies it, but the caller
 * sees a 500, as when the response is lost on the way back.
 */
export interface FaultyProxy {
  readonly endpoint: string;
  /** Fails the next `count` calls whose target operation (e.g. `PutItem`) matches. */
  failNext(operation: string, count: number, when: 'before' | 'after'): void;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const faults: { operation: string; when: 'before' | 'after' }[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const index = faults.findIndex((fault) => fault.operation === operation);
      const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
      const fail = () => {
        outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        outgoing.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'injected',
          }),
        );
      };
      if (fault?.when === 'before') return fail();
      const upstream = request(
        new URL(incoming.url ?? '/', target),
        { method: incoming.method, headers: incoming.headers },
        (response) => {
          const body: Buffer[] = [];
          response.on('data', (chunk: Buffer) => body.push(chunk));
          response.on('end', () => {
            if (fault?.when === 'after') return fail();
            outgoing.writeHead(response.statusCode ?? 500, response.headers);
            outgoing.end(Buffer.concat(body));
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(operation, count, when) {
      for (let i = 0; i < count; i++) faults.push({ operation, when });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
