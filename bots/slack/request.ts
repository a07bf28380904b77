import { parse as parseForm } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import { InvalidSignatureError } from '../../shared/lambda/edge.js';
import { type HttpEvent, header, parseJsonBody, rawBody } from '../../shared/lambda/http.js';

/** Slack's replay window: a request timestamped further than this from our clock is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A verified delivery: the event to hand to Bolt's receiver, and the payload that receiver will read. */
export interface SlackRequest {
  /** The same event with the body as UTF-8 text and a canonical content type. */
  readonly event: HttpEvent;
  /**
   * The body exactly as the receiver parses it: the JSON object, the `payload` form field's JSON object
   * (interactivity), or the form fields (slash commands; a repeated field is a list, as `node:querystring`
   * reads it). Its shape is not checked yet (see shapes.ts).
   */
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Checks that a delivery comes from Slack and can be read, before Bolt sees it.
 *
 * Bolt's AwsLambdaReceiver parses the body *before* it checks the signature and throws on a body it cannot
 * parse, so a forged or malformed request would surface as an unhandled error. Here the order is the safe
 * one: signature first (401, with Bolt's own `verifySlackRequest`), then the body (400). The event handed
 * on carries the body as UTF-8 text and a canonical content type, which the receiver reads correctly (it
 * decodes base64 bodies as ASCII and compares content types exactly).
 */
export function readSlackRequest(event: HttpEvent, signingSecret: string, now: Date): SlackRequest {
  const body = rawBody(event);
  verifySignature(event, body, signingSecret, now);
  const { contentType, payload } = readBody(body, header(event, 'content-type'));
  const headers = { ...lowerCased(event.headers), 'content-type': contentType };
  return { event: { ...event, headers, body, isBase64Encoded: false }, payload };
}

function verifySignature(event: HttpEvent, body: string, signingSecret: string, now: Date): void {
  const signature = header(event, 'x-slack-signature');
  const timestamp = header(event, 'x-slack-request-timestamp');
  if (!signature || !timestamp) {
    throw new InvalidSignatureError('Missing X-Slack-Signature or X-Slack-Request-Timestamp header');
  }
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    throw new InvalidSignatureError('X-Slack-Request-Timestamp is not a Unix time in seconds');
  }
  // Bolt only refuses timestamps in the past; Slack's rule is "more than five minutes from local time".
  if (seconds - Math.floor(now.getTime() / 1000) > MAX_CLOCK_SKEW_SECONDS) {
    throw new InvalidSignatureError('X-Slack-Request-Timestamp is in the future');
  }
  try {
    verifySlackRequest({
      signingSecret,
      body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': seconds },
      nowMilliseconds: now.getTime(),
    });
  } catch (error) {
    throw new InvalidSignatureError((error as Error).message);
  }
}

/**
 * Reads the body the way the receiver will (same parsers, same rules), failing with a 400-worthy message
 * unless it is what Slack sends: a JSON object, or a form.
 */
function readBody(
  body: string,
  contentType: string | undefined,
): { contentType: string; payload: Readonly<Record<string, unknown>> } {
  if (!body.trim()) throw new MalformedRequestError('Request body is empty');
  if (contentType?.toLowerCase().startsWith(FORM)) {
    const fields = parseForm(body);
    const payload = fields.payload;
    // Interactivity (buttons) sends its JSON in a `payload` form field; slash commands send plain fields.
    if (Array.isArray(payload)) {
      throw new MalformedRequestError('The payload form field appears more than once');
    }
    const parsed =
      payload === undefined ? fields : requireObject(parsePayloadField(payload), 'The payload form field');
    return { contentType: FORM, payload: parsed };
  }
  // Events API bodies are JSON; Bolt also reads a body without a content type as JSON.
  return { contentType: JSON_TYPE, payload: requireObject(parseJsonBody(body), 'Request body') };
}

function parsePayloadField(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch (error) {
    throw new MalformedRequestError('The payload form field is not valid JSON', { cause: error });
  }
}

function requireObject(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedRequestError(`${what} is not a JSON object`);
  }
  return value as Readonly<Record<string, unknown>>;
}

function lowerCased(headers: HttpEvent['headers'] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name.toLowerCase()] = value;
  }
  return result;
}
