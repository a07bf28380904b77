import { CommunityError, MalformedRequestError } from '../core/errors.js';
import type { HttpResult } from './http.js';
import { jsonResult } from './http.js';
import type { Logger } from './logger.js';

/** The request does not carry a valid, fresh platform signature. Answered 401; nothing is recorded. */
export class InvalidSignatureError extends CommunityError {
  override readonly name = 'InvalidSignatureError';

  constructor(message = 'Invalid or stale request signature') {
    super('signature_invalid', message);
  }
}

/**
 * The one place errors become status codes: 401 for signatures, 400 for bodies that cannot be read, and
 * 500 for everything else, so the platform delivers again (recording is idempotent, so that is safe).
 */
export function errorResult(error: unknown, logger: Logger): HttpResult {
  if (error instanceof InvalidSignatureError) {
    logger.warn('rejected request', { code: error.code });
    return jsonResult(401, { error: error.message });
  }
  if (error instanceof MalformedRequestError) {
    logger.warn('malformed request', { code: error.code, reason: error.message });
    return jsonResult(400, { error: error.message });
  }
  const code = error instanceof CommunityError ? error.code : 'internal';
  logger.error('request failed', { code, error: error as Error });
  return jsonResult(500, { error: 'Internal error; the platform will deliver this again' });
}
