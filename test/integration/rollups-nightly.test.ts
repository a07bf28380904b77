import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import { ROLLUP_JOB } from '../../shared/core/later.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { communityHarness, type Group, scanItems } from './telegram-harness.js';

/*
 * Issue 8, retention: records expire (TTL) after their community's retention, and stats stay right because
 * the nightly job wrote each closed day's rollup first. The clock is injected; DynamoDB's TTL sweeper is
 * played by the test (dynalite has none), deleting every item whose `expiresAt` has passed.
 */

const DAY = '2026-03-10';
let clock = new Date(`${DAY}T10:00:00Z`);
let bot: BotUnderTest;
const tg = communityHarness(() => bot);
const SUMMED: Group = { space: 'a', channel: 'nightly' };
const UNSUMMED: Group = { space: 'b', channel: 'nightly' };

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform, { deps: { now: () => clock } });
});

afterAll(async () => {
  await bot?.close();
});

/** What DynamoDB's TTL does, eventually: every item whose `expiresAt` is before `now` is gone. */
async function sweepExpired(now: Date): Promise<number> {
  const expired = await scanItems(
    bot.table,
    (item) => Number(item.expiresAt?.N ?? Infinity) < now.getTime() / 1000,
  );
  for (const item of expired) {
    await bot.table.client.send(
      new DeleteItemCommand({ TableName: bot.table.tableName, Key: { pk: item.pk, sk: item.sk } } as never),
    );
  }
  return expired.length;
}

const dayOf = async (group: Group) =>
  (await bot.table.store.engagement.dayTotals(tg.spaceOf(group), [DAY], clock))[0];

describe('the nightly rollup', () => {
  it("writes each space's closed days, so its totals outlive the records' retention", async () => {
    // Prepare: on DAY, 3 messages by alice and bob in one group; the same in another group that the nightly job
    // will not have seen (its records are recorded after the job ran, back-dated by the clock).
    await tg.post(SUMMED, 3, ['alice', 'bob']);
    await bot.lambda.idle();

    // Act 1: the schedule's invocation, half an hour after DAY closed.
    clock = new Date('2026-03-11T00:30:00Z');
    expect(await bot.handler(ROLLUP_JOB as never)).toMatchObject({ statusCode: 202 });

    // Assess 1: the last three closed days are rolled up: DAY with what happened, the two before it empty.
    const rollups = await scanItems(
      bot.table,
      (item) => item.pk?.S === `ROLLUP#telegram:${tg.chatOf(SUMMED)}`,
    );
    expect(rollups.map((item) => [item.sk?.S, item.messages?.N, item.members?.SS?.length])).toEqual([
      ['2026-03-08', '0', undefined],
      ['2026-03-09', '0', undefined],
      [DAY, '3', 2],
    ]);

    // Prepare 2: the second group's day, recorded after the job (as if the job had failed every night since).
    clock = new Date(`${DAY}T11:00:00Z`);
    await tg.post(UNSUMMED, 3, ['alice', 'bob']);

    // Act 2: 396 days later, TTL has removed every record of DAY (395 days of retention after the day's end).
    clock = new Date(new Date(`${DAY}T00:00:00Z`).getTime() + 397 * 86_400_000);
    const swept = await sweepExpired(clock);

    // Assess 2: the records went; the summed group's totals stayed, the other's could not.
    expect(swept).toBeGreaterThanOrEqual(6);
    expect(await scanItems(bot.table, (item) => item.gsi1pk?.S?.includes(`#${DAY}`) === true)).toEqual([]);
    expect(await dayOf(SUMMED)).toMatchObject({
      messages: 3,
      members: [
        expectedMemberId('telegram', String(sandboxUserId('alice'))),
        expectedMemberId('telegram', String(sandboxUserId('bob'))),
      ].sort(),
    });
    expect(await dayOf(UNSUMMED)).toMatchObject({ messages: 0, members: [] });
  });
});
