import { CommunityError, MalformedRequestError } from '../core/errors.js';
import { describeLaterJob, type LaterJob } from '../core/later.js';
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

/** What Lambda is told for a later job that ran; it ignores the value, only a throw makes it retry. */
const JOB_DONE: HttpResult = { statusCode: 202 };

/**
 * Runs a job the function handed itself (shared/core/later.ts). It comes from Lambda's own asynchronous
 * invocation, never through API Gateway, so it carries no signature. A failure is logged with the job's
 * ids and thrown: Lambda runs the job again (twice), and its claim in the ledger makes every run answer at
 * most once.
 */
export async function runLaterJob(
  job: LaterJob,
  run: (job: LaterJob) => Promise<void>,
  logger: Logger,
): Promise<HttpResult> {
  const ids = describeLaterJob(job);
  try {
    await run(job);
  } catch (error) {
    logger.error('later job failed; Lambda will retry it', { ...ids, error: error as Error });
    throw error;
  }
  logger.debug('later job done', ids);
  return JOB_DONE;
}
