/**
 * What the Discord integration tests share: the real handler on a fresh table and fake Discord API, and
 * interactions signed as Discord signs them, each a new interaction (its own snowflake and token).
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';
import {
  commandInteraction,
  discordSandbox,
  interactionHeaders,
  modalSubmitInteraction,
  pressInteraction,
  type SandboxPlace,
  signedDelivery,
} from '../../bots/discord/sandbox.js';
import type { HttpResult } from '../../shared/lambda/http.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SignedRequest } from '../../shared/platform/sandbox.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { httpEvent } from '../support/lambda.js';

/** An interaction response as the handler answered it. */
export interface Answer {
  readonly type: number;
  readonly data?: {
    readonly content?: string;
    readonly flags?: number;
    readonly title?: string;
    readonly custom_id?: string;
    readonly components?: unknown[];
  };
}

/** A signed interaction, with the id and token Discord gave it. */
export interface Delivery extends SignedRequest {
  readonly id: string;
  readonly token: string;
}

let clock = Date.now();
/** A distinct instant per interaction, so each is a new one (Discord ids carry their creation time). */
function tick(): Date {
  clock += 1;
  return new Date(clock);
}

function delivery(payload: Record<string, unknown>, at: Date): Delivery {
  return { ...signedDelivery(payload, at), id: String(payload.id), token: String(payload.token) };
}

export const command = (user: string, text: string, channel = 'general'): Delivery => {
  const at = tick();
  return delivery(commandInteraction({ kind: 'command', user, channel, text }, at), at);
};

export const press = (place: SandboxPlace & { customId: string; messageId?: string }): Delivery => {
  const at = tick();
  return delivery(pressInteraction(place, at), at);
};

export const submit = (
  place: SandboxPlace & { customId: string; values: Record<string, string> },
): Delivery => {
  const at = tick();
  return delivery(modalSubmitInteraction(place, at), at);
};

/** A 200's interaction response. */
export function answerOf(result: HttpResult): Answer {
  expect(result.statusCode).toBe(200);
  return JSON.parse(String(result.body)) as Answer;
}

/** What a handler's answers and the fake API's requests carry as text. */
export function contentOf(request: ReceivedRequest): string {
  const content = (request.payload as { content?: unknown } | undefined)?.content;
  return typeof content === 'string' ? content : '';
}

export interface DiscordContext {
  readonly bot: BotUnderTest;
  readonly capture: Capture;
  /** Delivers a signed interaction (or a body, signed now) to the real handler. */
  deliver(request: SignedRequest | string): Promise<HttpResult>;
  /** The fake API's edits of the deferred original of the interaction with this token. */
  laterAnswers(token: string): ReceivedRequest[];
  /** Waits for every later job, then returns the one later answer to that interaction. */
  laterAnswer(token: string): Promise<string>;
}

/** A bot with its own table and fake API for one file or block; later jobs are drained after each test. */
export function discordBot(): DiscordContext {
  const capture = captureDeps();
  const context = {
    capture,
    deliver(request: SignedRequest | string) {
      const { body, headers } =
        typeof request === 'string'
          ? { body: request, headers: interactionHeaders(request, new Date()) }
          : request;
      return context.bot.handler(httpEvent(discordSandbox.path, body, { ...headers }));
    },
    laterAnswers(token: string) {
      return context.bot.api.requests.filter(
        (request) =>
          request.method === 'PATCH' &&
          request.path.endsWith(`/${encodeURIComponent(token)}/messages/@original`),
      );
    },
    async laterAnswer(token: string) {
      await context.bot.lambda.idle();
      const [answer, ...more] = context.laterAnswers(token);
      expect(more).toEqual([]);
      return answer ? contentOf(answer) : '';
    },
  } as DiscordContext & { bot: BotUnderTest };
  beforeAll(async () => {
    context.bot = await startBotUnderTest(discordPlatform, { deps: capture.deps });
  });
  afterAll(() => context.bot.close());
  beforeEach(() => capture.clear());
  // A job still running would take the next test's DynamoDB faults, or answer into its assertions.
  afterEach(async () => {
    await context.bot.lambda.idle();
    expect(context.bot.lambda.failed).toEqual([]);
  });
  return context;
}
