import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { SANDBOX_SECRET_TOKEN, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { HttpHandler } from '../../shared/lambda/http.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { type Capture, captureDeps } from '../support/capture.js';
import { fuzzParameters, mutate, mutationsArb } from '../support/fuzz.js';
import { httpEvent } from '../support/lambda.js';
import { ownFixtures, peerPayloads } from '../support/peers.js';

const PAYLOADS = [
  ...ownFixtures('telegram', [
    'callback-query.json',
    'chat-member-joined.json',
    'command.json',
    'forum-topic-message.json',
    'message-reaction.json',
    'message.json',
    'new-chat-members.json',
    'reply.json',
  ]),
  ...peerPayloads('telegram'),
];

let bot: BotUnderTest;
let capture: Capture;
let handler: HttpHandler;

beforeAll(async () => {
  capture = captureDeps();
  bot = await startBotUnderTest(telegramPlatform, { deps: capture.deps });
  handler = bot.handler;
});

afterAll(() => bot.close());

function deliver(body: string) {
  return handler(
    httpEvent(telegramSandbox.path, body, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': SANDBOX_SECRET_TOKEN,
    }),
  );
}

describe('Telegram webhook: signed, malformed variants of every fixture and peer payload', () => {
  it('answers 200 or 400, never 500, and records nothing from an update it cannot read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PAYLOADS), mutationsArb(), async ({ payload }, mutations) => {
        // Prepare
        capture.clear();
        const body = mutate(payload, mutations).json();

        // Act
        const result = await deliver(body);

        // Assess
        expect([200, 400]).toContain(result.statusCode);
        const unreadable = capture.lines.some((line) => line.fields.code === 'payload_unreadable');
        if (result.statusCode === 400 || unreadable) {
          expect(capture.recorded.filter(({ outcome }) => outcome === 'recorded')).toEqual([]);
        }
        expect(capture.lines.filter((line) => line.level === 'error')).toEqual([]);
      }),
      fuzzParameters(300),
    );
  });
});
