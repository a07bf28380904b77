import { SPACES_MODES, type SpacesMode } from '../core/communities/model.js';
import { ConfigError } from '../core/errors.js';
import type { QuietHours } from '../core/outbox/model.js';
import { parseQuietHours } from '../core/outbox/zone.js';
import type { StoreConfig } from '../store/client.js';

/** The process environment, passed in so config loaders stay pure and testable. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a required variable; a missing or empty one fails at start, naming it. */
export function requireEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing environment variable ${name}`);
  return value;
}

/** Reads an optional variable, falling back to a default. */
export function optionalEnv(env: Env, name: string, fallback: string): string {
  return env[name]?.trim() || fallback;
}

/** TABLE_NAME (required), DYNAMODB_ENDPOINT (local only) and DEFAULT_QUIET_HOURS (optional). */
export function loadStoreConfig(env: Env): StoreConfig {
  const endpoint = env.DYNAMODB_ENDPOINT?.trim();
  const quiet = env.DEFAULT_QUIET_HOURS?.trim();
  let quietHours: QuietHours | 'off' | undefined;
  if (quiet) {
    quietHours = quiet === 'off' ? 'off' : parseQuietHours(quiet);
    if (!quietHours) throw new ConfigError(`DEFAULT_QUIET_HOURS must be HH:MM-HH:MM or off, not "${quiet}"`);
  }
  return Object.freeze({
    tableName: requireEnv(env, 'TABLE_NAME'),
    ...(endpoint ? { endpoint } : {}),
    ...(quietHours ? { quietHours } : {}),
  });
}

/** Turns a URL setting into a `URL`, failing at start with the variable's name when it is not one. */
export function urlEnv(env: Env, name: string, fallback: string): string {
  const value = optionalEnv(env, name, fallback);
  try {
    return new URL(value).toString();
  } catch (error) {
    throw new ConfigError(`${name} is not a URL: ${value}`, { cause: error });
  }
}

/**
 * SPACES_MODE: `open` (every new space is a community of its own) or `approved` (a new space waits for a link
 * or for ops). Unset means `approved`, the safe side: the stack sets it explicitly, and `npm run dev` and the
 * tests set `open`.
 */
export function loadSpacesMode(env: Env): SpacesMode {
  const value = optionalEnv(env, 'SPACES_MODE', 'approved');
  if (!(SPACES_MODES as readonly string[]).includes(value)) {
    throw new ConfigError(`SPACES_MODE must be one of ${SPACES_MODES.join(', ')}, not ${value}`);
  }
  return value as SpacesMode;
}
