import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxChatId } from '../../bots/telegram/sandbox.js';
import { type LocalRuntime, startLocal } from '../../infra/local/runtime.js';
import { outboxId } from '../../shared/core/outbox/outbox.js';
import { createStore, type Store } from '../../shared/store/index.js';

/*
 * `npm run dev` speaks unasked with zero configuration: the outbox worker runs on a timer, as the schedule
 * runs it in AWS, and sends to the sandbox's fake APIs.
 */

let runtime: LocalRuntime;
let store: Store;
const terminal: string[] = [];

beforeAll(async () => {
  runtime = await startLocal({ port: 0, env: {}, log: (line) => terminal.push(line) });
  store = createStore({ tableName: runtime.tableName, endpoint: runtime.dynamoEndpoint });
});

afterAll(async () => {
  store?.client.destroy();
  await runtime?.close();
});

/** Looks every 200 ms, a bounded number of times, until `done` holds. */
async function eventually(done: () => boolean): Promise<void> {
  for (let look = 0; look < 100 && !done(); look += 1) await delay(200);
}

describe('the local outbox worker', () => {
  it('sends a message queued without a wake-up on its next tick, once', async () => {
    // Prepare: an announcement stored straight in the table (no bot woke the worker), quiet hours off so the
    // test may run at any hour.
    const communityId = 'c-local-outbox';
    const group = sandboxChatId('local-outbox', 'x');
    const key = 'announce:local-outbox';
    const now = new Date();
    await store.core.attention.saveSettings(communityId, { quietHours: undefined });
    await store.core.outbox.add({
      id: await outboxId(communityId, key),
      key,
      communityId,
      purpose: 'announcement',
      audience: {
        kind: 'channel',
        target: { space: { platform: 'telegram', id: String(group) }, channelId: String(group) },
      },
      message: { text: 'Said by the local worker' },
      allowance: { kind: 'unsolicited' },
      status: 'queued',
      createdAt: now,
      dueAt: now,
      attempts: 0,
    });

    // Act: the run ends with its tally in the terminal.
    const tally = () => terminal.some((line) => /^\[outbox\] sent 1/.test(line));
    await eventually(tally);

    // Assess: posted once, and the terminal shows the worker's tally.
    expect(tally()).toBe(true);
    expect(
      runtime.said
        .filter(({ line }) => line.includes('Said by the local worker'))
        .map(({ platform }) => platform),
    ).toEqual(['telegram']);
  });
});
