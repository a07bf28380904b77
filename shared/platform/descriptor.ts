import type { RecordObserver } from '../core/community.js';
import type { Platform } from '../core/events.js';
import type { Env } from '../lambda/env.js';
import type { BotHandler } from '../lambda/http.js';
import type { Logger } from '../lambda/logger.js';
import type { PlatformSandbox } from './sandbox.js';

/**
 * Everything infra, the local runner, the sandboxes, the bench and the tests need to know about one platform,
 * declared once in `bots/<platform>/platform.ts`. Nothing else keeps a per-platform table of these facts.
 *
 * The handler bundle never imports its descriptor (it would carry the sandbox): `handler.ts` calls the
 * factory directly, and the descriptor points at the same factory.
 */
export interface PlatformDescriptor {
  readonly platform: Platform;
  /** For people: `Slack`, `Discord`, `Telegram`. */
  readonly title: string;
  /** The webhook route(s) the platform is told to POST to, the same in AWS and in `npm run dev`. */
  readonly webhookPaths: readonly string[];
  /** The Lambda entry (absolute path of `bots/<platform>/handler.ts`), for bundling. */
  readonly handlerEntry: string;
  /** The environment the bot reads, and where each value lives in AWS. */
  readonly settings: readonly PlatformSetting[];
  /** The bot's Secrets Manager secret: a JSON object keyed by the `secret` settings' names. */
  readonly secret: SecretDescription;
  /** What its bundle replaces, for cold start (each stub file says why). */
  readonly bundling: BundlingDescription;
  /** Who counts as a moderator, as the platform decides it; shown to members who are refused. */
  readonly moderatorRule: string;
  /** Test credentials, a fake platform API and signed deliveries, for `npm run dev`, the tests and the bench. */
  readonly sandbox: PlatformSandbox;
  /**
   * Builds the Lambda handler (webhook requests and its own later jobs) from an environment; no network
   * call until the first request.
   */
  createHandler(env: Env, deps?: HandlerDeps): BotHandler;
  /**
   * Extra routes `npm run dev` mounts for this platform in sandbox mode only, by path: a stand-in for what
   * reaches the bot outside its webhook (Discord's gateway, until its relay runs locally).
   */
  sandboxRoutes?(env: Env, deps?: HandlerDeps): Readonly<Record<string, BotHandler>>;
}

/** Where a setting's value comes from in AWS. */
export type SettingSource =
  /** In the bot's Secrets Manager secret (locally: the variable itself). */
  | 'secret'
  /** A CloudFormation parameter of the stack, passed as the variable (an id, never a credential). */
  | 'parameter'
  /** Has a default; set to point the bot somewhere else (the sandbox sets the API URLs). */
  | 'optional';

export interface PlatformSetting {
  /** The environment variable, with the platform's prefix (`SLACK_BOT_TOKEN`). */
  readonly name: string;
  readonly source: SettingSource;
  readonly description: string;
  /** For `parameter` settings: the CloudFormation parameter and the pattern it must match. */
  readonly parameter?: { readonly id: string; readonly pattern: string };
}

export interface SecretDescription {
  /** The variable the stack sets to the secret's ARN instead of the values (`SLACK_SECRET_ARN`). */
  readonly arnVariable: string;
  /**
   * Whether the Lambda handler reads the secret. A handler that does not (Discord's answers inline) gets
   * neither the ARN, nor a grant, nor the secrets extension; its secret serves the command-line scripts.
   */
  readonly readByHandler: boolean;
  /**
   * The key the stack fills with a random value at creation, so nobody can sign a request with a guessable
   * placeholder before ops set the real values. Its length, when the platform limits it.
   */
  readonly generated: { readonly name: string; readonly length?: number };
  /** What ops must do after the first deploy, for the secret's description. */
  readonly instructions: string;
}

export interface BundlingDescription {
  /** Modules the bundle requires at load time but never calls: replaced by a stub that throws if used. */
  readonly unusedModules: readonly string[];
  /** Module name -> absolute path of the file that replaces it in this bot's bundle only. */
  readonly aliases: Readonly<Record<string, string>>;
}

/** What a handler factory may be given instead of its defaults: tests, the bench and `npm run dev` use these. */
export interface HandlerDeps {
  /** Structured logger; a bot's own Powertools logger by default. */
  readonly logger?: Logger;
  /** The clock the handler and the core use. */
  readonly now?: () => Date;
  /** Told about every recording (the dev terminal prints one line per recorded event). */
  readonly onRecorded?: RecordObserver;
}

/** The settings a platform needs to talk to the real service (everything but the optional ones). */
export function liveSettings(descriptor: PlatformDescriptor): string[] {
  return descriptor.settings
    .filter((setting) => setting.source !== 'optional')
    .map((setting) => setting.name);
}

/** The names of the values kept in the platform's secret. */
export function secretNames(descriptor: PlatformDescriptor): string[] {
  return descriptor.settings.filter((setting) => setting.source === 'secret').map((setting) => setting.name);
}
