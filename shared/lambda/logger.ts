import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

/** Extra fields of a log line: ids, kinds, codes and errors, never message text or secrets. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What the bots log through: a structured logger. In Lambda it is Powertools' (JSON lines, one per call);
 * tests hand in their own to read what was logged.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * Structured JSON logs (Powertools). One logger per bot, created once per cold start. Secrets and message
 * text are never logged: log ids, kinds and error codes.
 */
export function createLogger(serviceName: string): Logger {
  const logger = new PowertoolsLogger({ serviceName });
  const level =
    (write: (message: string, ...extra: LogAttributes[]) => void) => (message: string, fields?: LogFields) =>
      fields ? write(message, fields as LogAttributes) : write(message);
  return {
    debug: level(logger.debug.bind(logger)),
    info: level(logger.info.bind(logger)),
    warn: level(logger.warn.bind(logger)),
    error: level(logger.error.bind(logger)),
  };
}
