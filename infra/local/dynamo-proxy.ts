import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../../shared/platform/fake-server.js';

/** One DynamoDB call as it passes the proxy. */
export interface DynamoCall {
  /** The API operation from `X-Amz-Target`, e.g. `PutItem`. */
  readonly operation: string;
  /** The request's JSON body, as sent. */
  readonly body: string;
}

/** What the proxy does with a call: `fail` answers 500 instead of forwarding it (or instead of its answer). */
export interface DynamoProxyHooks {
  /** Before the call reaches the table. Return `'fail'` to answer 500 without forwarding it. */
  beforeForward?(call: DynamoCall): 'fail' | undefined;
  /** After the table answered. Return `'fail'` to answer 500 although the table applied the call. */
  afterForward?(call: DynamoCall, status: number): 'fail' | undefined;
}

export interface DynamoProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

const INTERNAL_ERROR = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'injected by the proxy',
});

/**
 * A loopback HTTP proxy in front of a DynamoDB-compatible endpoint (dynalite) that sees every call, for the
 * tests' failure injection and the bench's metering.
 */
export async function startDynamoProxy(target: string, hooks: DynamoProxyHooks): Promise<DynamoProxy> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const call = { operation, body: body.toString('utf8') };
      const fail = () => {
        outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        outgoing.end(INTERNAL_ERROR);
      };
      if (hooks.beforeForward?.(call) === 'fail') return fail();
      const upstream = request(
        new URL(incoming.url ?? '/', target),
        { method: incoming.method, headers: incoming.headers },
        (response) => {
          const answer: Buffer[] = [];
          response.on('data', (chunk: Buffer) => answer.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 500;
            if (hooks.afterForward?.(call, status) === 'fail') return fail();
            outgoing.writeHead(status, response.headers);
            outgoing.end(Buffer.concat(answer));
          });
        },
      );
      // The engine went away mid-request (a test closing its table while a call is in flight): answer as
      // DynamoDB would to a call that may be retried, instead of an unhandled socket error.
      upstream.on('error', () => {
        if (!outgoing.headersSent && !outgoing.destroyed) fail();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}
