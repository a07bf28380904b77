/** Options every core error accepts: the lower-level error that caused it. */
export interface CoreErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base of the project's errors. `code` is stable and safe to branch on or log; `message` is for people.
 */
export class CommunityError extends Error {
  override readonly name: string = 'CommunityError';

  constructor(
    readonly code: string,
    message: string,
    options: CoreErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A required setting is missing or invalid. Thrown at start, naming the variable. */
export class ConfigError extends CommunityError {
  override readonly name = 'ConfigError';

  constructor(message: string, options?: CoreErrorOptions) {
    super('config_invalid', message, options);
  }
}

/** A request body that cannot be understood: the edge answers 400 with this message. */
export class MalformedRequestError extends CommunityError {
  override readonly name = 'MalformedRequestError';

  constructor(message: string, options?: CoreErrorOptions) {
    super('request_malformed', message, options);
  }
}
