import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). One logger per bot, created once per cold start. Secrets and message
 * text are never logged: log ids, kinds and error codes.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export type { Logger } from '@aws-lambda-powertools/logger';
