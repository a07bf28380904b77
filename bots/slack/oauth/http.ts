import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpEvent, type HttpResult, header } from '../../../shared/lambda/http.js';

/**
 * @slack/oauth's InstallProvider speaks Node's `http` (Bolt's HTTPReceiver hands it the server's request
 * and response); a Lambda behind API Gateway has an event and returns a result. These are the parts it
 * uses, read in its install-provider.js (v4): the request's `url`, its `host` and `cookie` headers; the
 * response's `setHeader`, `getHeader`, `writeHead` and `end`. Nothing else is implemented, and nothing
 * else is called: the success and failure pages are ours (pages.ts), written the same way.
 */

/** The request as InstallProvider reads it: path and query, Host, and the cookies (the state's, if any). */
export function toInstallRequest(event: HttpEvent): IncomingMessage {
  // Payload format 2.0 moves the Cookie header into `cookies`; a local or test event may still carry it.
  const cookies = [...(event.cookies ?? []), header(event, 'cookie')].filter(Boolean).join('; ');
  const request = {
    url: `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    headers: {
      host: header(event, 'host') ?? event.requestContext.domainName,
      ...(cookies ? { cookie: cookies } : {}),
    },
  };
  return request as unknown as IncomingMessage;
}

/** A response InstallProvider or a page writes, turned into the HTTP API's result afterwards. */
export class RecordedResponse {
  private statusCode = 200;
  private readonly headers = new Map<string, string | string[]>();
  private body = '';
  private ended = false;

  setHeader(name: string, value: string | readonly string[]): this {
    this.headers.set(name.toLowerCase(), typeof value === 'string' ? value : [...value]);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers.get(name.toLowerCase());
  }

  writeHead(statusCode: number, headers: Readonly<Record<string, string>> = {}): this {
    this.statusCode = statusCode;
    for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
    return this;
  }

  end(body = ''): this {
    this.body += body;
    this.ended = true;
    return this;
  }

  /** Whether a page was written (InstallProvider's hooks may answer the request themselves). */
  get written(): boolean {
    return this.ended;
  }

  /** Node's response type, for InstallProvider (it only calls the four methods above). */
  asServerResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }

  /** The API Gateway result: Set-Cookie goes in `cookies` (payload 2.0 has no repeated headers). */
  toResult(): HttpResult {
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (const [name, value] of this.headers) {
      if (name === 'set-cookie') cookies.push(...[value].flat());
      else headers[name] = [value].flat().join(', ');
    }
    return {
      statusCode: this.statusCode,
      headers,
      body: this.body,
      ...(cookies.length > 0 ? { cookies } : {}),
    };
  }
}
