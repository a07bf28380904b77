import type { EngagementRecord, RecordOutcome } from '../../shared/core/engagement.js';
import type { LogFields, Logger } from '../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** What a handler built with {@link captureDeps} logged and recorded, since the last `clear()`. */
export interface Capture {
  readonly deps: Required<Pick<HandlerDeps, 'logger' | 'onRecorded'>>;
  readonly lines: LogLine[];
  readonly recorded: { readonly record: EngagementRecord; readonly outcome: RecordOutcome }[];
  clear(): void;
}

/** Handler deps that keep every log line and every recording, for tests to read. */
export function captureDeps(): Capture {
  const lines: LogLine[] = [];
  const recorded: Capture['recorded'] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return {
    deps: { logger, onRecorded: (record, outcome) => void recorded.push({ record, outcome }) },
    lines,
    recorded,
    clear() {
      lines.length = 0;
      recorded.length = 0;
    },
  };
}
