/**
 * Slack's Socket Mode for `npm run dev`: with an app-level token (SLACK_APP_TOKEN, `xapp-...`) Slack sends
 * the app's events, slash commands and interactions over a WebSocket the dev process opens, so a real
 * workspace can be tried without a public URL.
 *
 * There is no second code path. Each envelope becomes the very HTTP request Slack would have POSTed (JSON
 * for the Events API, a `payload=` form for interactivity, form fields for a slash command), signed with the
 * signing secret the dev handler checks, and runs through that handler; the envelope is acknowledged with
 * the handler's response body, which is what Socket Mode's ack carries (a command's immediate answer, a
 * form's `response_action`).
 *
 * Dev only: the Lambda bundle never reaches this file (infra/local is not imported by any handler), and
 * Bolt's own Socket Mode receiver is stubbed out of it (bots/slack/platform.ts, `unusedModules`).
 */
import { LogLevel, type Logger as SlackLogger, SocketModeClient } from '@slack/socket-mode';
import { slackPlatform } from '../../bots/slack/platform.js';
import { signSlackBody } from '../../bots/slack/sandbox.js';
import { loadSlackSocketConfig, type SlackSocketConfig } from '../../bots/slack/socket-config.js';
import { ConfigError } from '../../shared/core/errors.js';
import type { Env } from '../../shared/lambda/env.js';
import type { HttpHandler, HttpResult } from '../../shared/lambda/http.js';
import { buildHttpEvent } from './http-bridge.js';

/** The SDK's own default: how long a pong may take, and the first wait before reconnecting. */
const DEFAULT_PING_TIMEOUT_MS = 5000;
/** Where Slack would have posted each envelope: the handler's own path. */
const [EVENTS_PATH = ''] = slackPlatform.webhookPaths;
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

export { loadSlackSocketConfig, type SlackSocketConfig };

/** Tuning for tests; `npm run dev` uses the defaults. */
export interface SlackSocketOptions {
  /** The clock requests are signed with (the handler checks it against its own). */
  readonly now?: () => Date;
  /**
   * How long the SDK waits for a pong before it calls the connection dead. It is also its wait before
   * reconnecting (times the failures in a row), so tests shorten it; 5 s by default, as in the SDK.
   */
  readonly pingTimeoutMs?: number;
}

/** An open Socket Mode session: `close()` disconnects and stops reconnecting. */
export interface SlackSocket {
  close(): Promise<void>;
}

/** One envelope as the SDK hands it on (its `slack_event`), with the ack that answers it. */
interface SocketDelivery {
  readonly ack: (payload?: Record<string, unknown>) => Promise<void>;
  readonly envelope_id: string;
  readonly type: string;
  readonly body: unknown;
  readonly retry_num?: number;
  readonly retry_reason?: string;
}

/** What an envelope would have been over HTTP: the body and its content type. */
interface RelayedRequest {
  readonly body: string;
  readonly contentType: string;
}

/**
 * Opens Socket Mode when SLACK_APP_TOKEN is set and relays every envelope through `handler` (the Slack
 * handler `npm run dev` mounts at `/slack/events`). Resolves once Slack said hello, or `undefined` without
 * an app token; rejects when Slack refuses the token. The SDK reconnects by itself when Slack asks it to
 * (`disconnect`, reason `refresh_requested`) or the connection dies.
 */
export async function startSlackSocketIfConfigured(
  env: Env,
  handler: HttpHandler,
  log: (line: string) => void,
  options: SlackSocketOptions = {},
): Promise<SlackSocket | undefined> {
  const config = loadSlackSocketConfig(env);
  if (!config) return undefined;
  const client = new SocketModeClient({
    appToken: config.appToken,
    logger: socketLogger(log),
    clientPingTimeout: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
    clientOptions: { slackApiUrl: config.apiUrl },
  });
  const now = options.now ?? (() => new Date());
  client.on('slack_event', (delivery: SocketDelivery) => {
    void relay(delivery, config, handler, now, log);
  });
  client.on('reconnecting', () => log('[slack] Socket Mode reconnecting'));
  try {
    await client.start();
  } catch (error) {
    client.removeAllListeners();
    // A refused token (`invalid_auth`) or an unreachable Slack: `npm run dev` says so and stops.
    throw new ConfigError(`Slack Socket Mode could not start (SLACK_APP_TOKEN): ${messageOf(error)}`, {
      cause: error,
    });
  }
  log('[slack] Socket Mode connected: events, commands and buttons arrive over the WebSocket');
  return {
    close: async () => {
      await client.disconnect();
      client.removeAllListeners();
    },
  };
}

/**
 * Runs one envelope through the handler and acknowledges it with the answer. A 5xx is not acknowledged:
 * as over HTTP, Slack then delivers it again, and the core answers and records once.
 */
async function relay(
  delivery: SocketDelivery,
  config: SlackSocketConfig,
  handler: HttpHandler,
  now: () => Date,
  log: (line: string) => void,
): Promise<void> {
  const what = `${delivery.type} envelope ${delivery.envelope_id}`;
  try {
    const request = httpRequestOf(delivery.type, delivery.body);
    if (!request) {
      log(`[slack] Socket Mode: ${what} is not a delivery this bot reads; acknowledged`);
      await delivery.ack();
      return;
    }
    const result = await handler(signedEvent(request, delivery, config.signingSecret, now()));
    const status = result.statusCode ?? 200;
    if (status >= 500) {
      log(`[slack] Socket Mode: ${what} failed (${status}); left for Slack to deliver again`);
      return;
    }
    await delivery.ack(ackPayload(result));
  } catch (error) {
    log(`[slack] Socket Mode: ${what} not acknowledged: ${messageOf(error)}`);
  }
}

/** The body Slack would have POSTed for an envelope's payload, or `undefined` for a type it never POSTs. */
export function httpRequestOf(type: string, payload: unknown): RelayedRequest | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  switch (type) {
    case 'events_api':
      return { body: JSON.stringify(payload), contentType: JSON_TYPE };
    case 'interactive':
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: FORM,
      };
    case 'slash_commands':
      return { body: formOf(payload as Record<string, unknown>), contentType: FORM };
    default:
      return undefined;
  }
}

/** A slash command's fields as Slack's form: strings as they are, anything else as its JSON text. */
function formOf(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return form.toString();
}

/** The API Gateway event of the request, signed as Slack signs, with Slack's retry headers on a redelivery. */
function signedEvent(request: RelayedRequest, delivery: SocketDelivery, secret: string, at: Date) {
  const timestamp = Math.floor(at.getTime() / 1000);
  const retry: Record<string, string> = delivery.retry_num
    ? {
        'x-slack-retry-num': String(delivery.retry_num),
        'x-slack-retry-reason': delivery.retry_reason ?? '',
      }
    : {};
  return buildHttpEvent({
    path: EVENTS_PATH,
    headers: {
      'content-type': request.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackBody(secret, timestamp, request.body),
      ...retry,
    },
    body: request.body,
  });
}

/**
 * What the ack carries: the HTTP answer's JSON object (a command's reply, a `response_action`), plain
 * text as Slack reads a text answer (`{ text }`), or nothing for an empty body.
 */
export function ackPayload(result: HttpResult): Record<string, unknown> | undefined {
  const body = result.body ?? '';
  if (!body.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Not JSON: Slack shows a plain-text answer as the message text.
  }
  return { text: body };
}

/** The SDK's logger: its warnings and errors on the dev terminal, its debug chatter dropped. */
function socketLogger(log: (line: string) => void): SlackLogger {
  const line =
    (level: string) =>
    (...parts: unknown[]) =>
      log(`[slack] Socket Mode ${level}: ${parts.map(String).join(' ')}`);
  return {
    debug: () => {},
    info: () => {},
    warn: line('warning'),
    error: line('error'),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
