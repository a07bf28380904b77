import { ConfigError } from '../../shared/core/errors.js';
import { type Env, loadStoreConfig, requireEnv, urlEnv } from '../../shared/lambda/env.js';
import { type SecretSource, secretSource } from '../../shared/lambda/secrets.js';
import type { StoreConfig } from '../../shared/store/client.js';

/** The Bot API root grammY calls unless TELEGRAM_API_ROOT says otherwise. */
export const DEFAULT_TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** The secret values, from the environment locally or from the TELEGRAM_SECRET_ARN JSON in AWS. */
export type TelegramSecretName = 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_SECRET_TOKEN';

/** What the webhook handler needs, read once per cold start. */
export interface TelegramConfig {
  /**
   * TELEGRAM_BOT_USERNAME: the bot's @username without the `@` (from BotFather). Tells
   * `/community@this_bot` from a command addressed to another bot, and fills grammY's bot info so it
   * never calls getMe.
   */
  readonly botUsername: string;
  /**
   * TELEGRAM_API_ROOT: the Bot API root, `https://api.telegram.org` unless set (tests and the sandbox point
   * it at a fake server on loopback). No trailing slash: grammY refuses one.
   */
  readonly apiRoot: string;
  /**
   * TELEGRAM_BOT_TOKEN (`<bot id>:<secret>`) and TELEGRAM_SECRET_TOKEN (the `secret_token` given to
   * setWebhook, echoed by Telegram in X-Telegram-Bot-Api-Secret-Token). Read from the environment, or in
   * AWS from TELEGRAM_SECRET_ARN (through the Lambda secrets extension) on the first invocation; never at
   * cold start.
   */
  readonly secrets: SecretSource<TelegramSecretName>;
  /** TABLE_NAME and, locally, DYNAMODB_ENDPOINT. */
  readonly store: StoreConfig;
}

const SECRET_NAMES: readonly TelegramSecretName[] = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_SECRET_TOKEN'];
const USERNAME = /^[A-Za-z0-9_]{3,64}$/;

/** Reads the handler's settings; a missing or invalid one fails at start, naming the variable. */
export function loadTelegramConfig(env: Env): TelegramConfig {
  return Object.freeze({
    botUsername: telegramBotUsername(env),
    apiRoot: telegramApiRoot(env),
    secrets: secretSource(env, SECRET_NAMES, 'TELEGRAM_SECRET_ARN'),
    store: loadStoreConfig(env),
  });
}

/** TELEGRAM_API_ROOT without the trailing slash `URL` adds to a bare origin (grammY rejects it). */
export function telegramApiRoot(env: Env): string {
  return urlEnv(env, 'TELEGRAM_API_ROOT', DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, '');
}

function telegramBotUsername(env: Env): string {
  const username = requireEnv(env, 'TELEGRAM_BOT_USERNAME').replace(/^@/, '');
  if (!USERNAME.test(username)) {
    throw new ConfigError('TELEGRAM_BOT_USERNAME must be the bot username (letters, digits, _), without @');
  }
  return username;
}

/**
 * The bot's numeric id: the part of the token before `:`. Checked when the token is first resolved (in AWS
 * that is the first invocation), since that is when it is known.
 */
export function botIdFromToken(token: string): number {
  const id = /^(\d+):\S+$/.exec(token)?.[1];
  if (!id) throw new ConfigError('TELEGRAM_BOT_TOKEN must look like <bot id>:<secret> (from BotFather)');
  return Number(id);
}
