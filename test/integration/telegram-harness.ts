import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_SECRET_TOKEN, telegramSandbox } from '../../bots/telegram/sandbox.js';
import type { BotHandler, HttpResult } from '../../shared/lambda/http.js';
import type { FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';

/** Delivering Telegram updates to the bot under test and reading what it did (not a test file). */

const FIXTURES = join(import.meta.dirname, '../fixtures/telegram');
export const SECRET = { 'X-Telegram-Bot-Api-Secret-Token': SANDBOX_SECRET_TOKEN };

export type Update = Record<string, unknown> & { update_id: number };

export function fixture(name: string, updateId?: number): Update {
  const update = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Update;
  return updateId === undefined ? update : { ...update, update_id: updateId };
}

export function payloadOf(request: ReceivedRequest | undefined): Record<string, unknown> {
  return (request?.payload ?? {}) as Record<string, unknown>;
}

export function command(user: string, channel: string, text: string): SignedRequest {
  return telegramSandbox.sign({ kind: 'command', user, channel, text } satisfies SandboxAction);
}

/** Three deliveries one after the other, then three at once, as Telegram's retries can arrive. */
export async function deliverSixTimes(send: () => Promise<HttpResult>): Promise<number[]> {
  const sequential: HttpResult[] = [];
  for (let attempt = 0; attempt < 3; attempt++) sequential.push(await send());
  const concurrent = await Promise.all([send(), send(), send()]);
  return [...sequential, ...concurrent].map((result) => result.statusCode ?? 0);
}

/** Helpers bound to one bot under test (read lazily: the bot starts in `beforeAll`). */
export function telegramHarness(bot: () => BotUnderTest) {
  /** Delivers a body to the real handler (or `to`) with the sandbox secret token (or the given headers). */
  function deliver(
    update: Update | string,
    headers: Record<string, string> = SECRET,
    to: BotHandler = bot().handler,
  ): Promise<HttpResult> {
    const body = typeof update === 'string' ? update : JSON.stringify(update);
    return to(httpEvent(telegramSandbox.path, body, headers));
  }

  function deliverSigned(request: SignedRequest, to: BotHandler = bot().handler): Promise<HttpResult> {
    return to(httpEvent(request.path, request.body, { ...request.headers }));
  }

  /** Engagement records of one update: `telegram:<id>`, or `telegram:<id>:<n>` for multi-reaction updates. */
  async function recordsOf(updateId: number | string): Promise<Item[]> {
    const key = `EVT#telegram:${updateId}`;
    return (await bot().table.engagementItems()).filter(
      (item) => item.pk?.S === key || item.pk?.S?.startsWith(`${key}:`),
    );
  }

  /** What the fake Bot API (or `server`) received for `method` since `mark` (an index into its log). */
  function calls(method: string, mark: number, server: FakeServer = bot().api): ReceivedRequest[] {
    return server.requests.slice(mark).filter((request) => request.path.endsWith(`/${method}`));
  }

  return { deliver, deliverSigned, recordsOf, calls };
}
