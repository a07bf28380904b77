import type { Update } from 'grammy/types';
import { type Bot, BotError, webhookCallback } from 'grammy/web';
import { CommunityError, MalformedRequestError } from '../../shared/core/errors.js';
import { InvalidSignatureError } from '../../shared/lambda/edge.js';
import { type HttpEvent, type HttpResult, header, parseJsonBody, rawBody } from '../../shared/lambda/http.js';
import type { Logger } from '../../shared/lambda/logger.js';
import type { Ignored } from '../../shared/platform/ignored.js';
import { logIgnored } from '../../shared/platform/ignored.js';
import { checkUpdate } from './update-schema.js';

/** The header Telegram echoes the setWebhook `secret_token` in. */
export const SECRET_TOKEN_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/**
 * Below the function's 10 s timeout (infra/bot-function.ts), so a slow table still gets a 500 from us and
 * Telegram delivers again, rather than the Lambda being cut off mid-request.
 */
export const WEBHOOK_TIMEOUT_MS = 8_000;

/** One delivery in, one HTTP result out. Errors are thrown, for the edge to turn into status codes. */
export type TelegramWebhook = (event: HttpEvent) => Promise<HttpResult>;

/**
 * grammY's webhook callback, fed API Gateway HTTP API (payload 2.0) events.
 *
 * grammY's own 'aws-lambda-async' adapter fits payload 2.0 for headers (lower-cased names are looked up)
 * and results, but it JSON-parses `body` without base64 decoding, turns a missing body into `{}` (an
 * "update" that is silently answered 200) and lets a parse error escape as a plain Error (a 500). This
 * adapter keeps its shape and fixes those three. grammY compares the secret token (in constant time)
 * before it reads the update, so a forged request is a 401 whatever its body.
 *
 * A signed body that is no Update (not JSON, no integer `update_id`) is a 400. A signed Update whose
 * content the bot cannot read (update-schema.ts) never reaches grammY's handlers: it is answered 200 with a
 * `payload_unreadable` warning: Telegram redelivers anything else, the same bytes every time, and while a
 * webhook keeps failing its pending updates pile up and every delivery slows (tdlib/telegram-bot-api#422).
 *
 * grammY does not catch middleware errors in webhook mode: they reject as a `BotError`, unwrapped here so
 * a DynamoDB failure reaches the edge as itself (500). On timeout it throws too ('throw', not 'return',
 * which would answer 200 and lose the update).
 */
export function createWebhook(bot: Bot, secretToken: string, logger: Logger): TelegramWebhook {
  const callback = webhookCallback(bot, apiGatewayV2Adapter, {
    secretToken,
    onTimeout: 'throw',
    timeoutMilliseconds: WEBHOOK_TIMEOUT_MS,
  });
  return async (event) => {
    try {
      return await callback(event);
    } catch (error) {
      if (!(error instanceof UnreadableUpdateError)) throw error instanceof BotError ? error.error : error;
      logIgnored(logger, error.result, { updateId: error.updateId });
      return { statusCode: 200 };
    }
  };
}

/**
 * The way out of grammY's callback for a signed update the bot cannot read: grammY has no "skip this
 * update" answer for an adapter, so the adapter throws this and createWebhook turns it into a logged 200.
 */
class UnreadableUpdateError extends CommunityError {
  override readonly name = 'UnreadableUpdateError';

  constructor(
    readonly updateId: number,
    readonly result: Ignored,
  ) {
    super('payload_unreadable', `Telegram update ${updateId} is unreadable: ${result.ignored}`);
  }
}

function apiGatewayV2Adapter(event: HttpEvent) {
  let resolveResult: (result: HttpResult) => void = () => {};
  const handlerReturn = new Promise<HttpResult>((resolve) => {
    resolveResult = resolve;
  });
  return {
    // Read lazily: grammY checks the secret token first. A throw here rejects grammY's callback.
    get update(): Update {
      const update = parseUpdate(rawBody(event));
      const problem = checkUpdate(update);
      if (problem) throw new UnreadableUpdateError(update.update_id, problem);
      return update;
    },
    header: header(event, SECRET_TOKEN_HEADER),
    end: () => resolveResult({ statusCode: 200 }),
    respond: (json: string) =>
      resolveResult({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: json }),
    // Rejecting hands the refusal to the edge, which answers 401 and logs it like every platform's.
    unauthorized: () => Promise.reject(new InvalidSignatureError(`Missing or wrong ${SECRET_TOKEN_HEADER}`)),
    handlerReturn,
  };
}

/** A body Telegram could have sent: a JSON object with an integer `update_id`. Anything else is a 400. */
export function parseUpdate(body: string): Update {
  const update = parseJsonBody(body);
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new MalformedRequestError('Request body is not a Telegram Update object');
  }
  if (!Number.isSafeInteger((update as { update_id?: unknown }).update_id)) {
    throw new MalformedRequestError('Telegram Update has no integer update_id');
  }
  return update as Update;
}
