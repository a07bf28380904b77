/**
 * Issue 10, Slack: edits, deletions and removed reactions keep `/community stats` exact. Events API deliveries
 * in Slack's documented shapes (`message_changed`, `message_deleted`, `reaction_added` / `reaction_removed`),
 * signed, through the real handler into dynalite; counts read through `/community stats` as a moderator sees
 * them, records read from the table. Each test has a workspace of its own (the bot serves every team id with
 * SLACK_BOT_TOKEN), so no test's numbers depend on another's.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { type SandboxWorkspace, sandboxWorkspace } from '../../bots/slack/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { rollupPartition } from '../../shared/store/engagement-repository.js';
import { TABLE } from '../../shared/store/table.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { type StatsColumns, statsWindow } from '../support/stats-rows.js';
import { command, field, fixture, type Json, received, signed } from './slack-deliveries.js';

let bot: BotUnderTest;
beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
});
afterAll(() => bot?.close());

let workspaces = 0;
/** A workspace no other test uses. */
function freshWorkspace(): SandboxWorkspace {
  workspaces += 1;
  return sandboxWorkspace(`chg${workspaces}`);
}

let stamps = 0;
/** A Slack `seconds.micros` time at `at`, distinct from every other one made here and later than the last. */
function tsAt(at: Date): string {
  stamps += 1;
  return `${Math.floor(at.getTime() / 1000)}.${String(stamps).padStart(6, '0')}`;
}

const CHANNEL = 'C0CHANGES';

/** An Events API delivery of `event` in the workspace, in the documented envelope. */
function envelope(workspace: SandboxWorkspace, event: Record<string, unknown>): Json {
  const documented = fixture('event-message.json');
  const [authorization] = documented.authorizations as Record<string, unknown>[];
  stamps += 1;
  return {
    ...documented,
    team_id: workspace.teamId,
    authorizations: [{ ...authorization, team_id: workspace.teamId }],
    event,
    event_id: `EvCHG${stamps}`,
    event_time: Math.floor(Number(event.event_ts)),
  };
}

/** A member's message, `text` long. */
const posted = (workspace: SandboxWorkspace, user: string, ts: string, text: string) =>
  envelope(workspace, {
    type: 'message',
    channel: CHANNEL,
    user,
    text,
    ts,
    event_ts: ts,
    channel_type: 'channel',
  });

/** `message_changed`: the message `ts` by `user` now reads `text`. */
const edited = (workspace: SandboxWorkspace, user: string, ts: string, text: string, at = new Date()) => {
  const editTs = tsAt(at);
  return envelope(workspace, {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: CHANNEL,
    ts: editTs,
    event_ts: editTs,
    message: { type: 'message', user, text, ts, edited: { user, ts: editTs } },
    previous_message: { type: 'message', user, text: 'before', ts },
  });
};

/** `message_deleted`: the message `ts` is gone. */
const deleted = (workspace: SandboxWorkspace, ts: string, at = new Date()) => {
  const deleteTs = tsAt(at);
  return envelope(workspace, {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: CHANNEL,
    ts: deleteTs,
    event_ts: deleteTs,
    deleted_ts: ts,
  });
};

/** `user` puts `emoji` on (or, `removed`, takes it off) the message `ts`, at `at`. */
function reacted(
  workspace: SandboxWorkspace,
  reaction: { user: string; ts: string; emoji: string; removed?: boolean },
  at = new Date(),
): Json {
  return envelope(workspace, {
    type: reaction.removed ? 'reaction_removed' : 'reaction_added',
    user: reaction.user,
    reaction: reaction.emoji,
    item: { type: 'message', channel: CHANNEL, ts: reaction.ts },
    event_ts: tsAt(at),
  });
}

/** Delivers each payload in turn, signed at `at`, to the bot under test (or `to`); each is acknowledged. */
async function deliver(payloads: readonly Json[], at = new Date(), to = bot): Promise<void> {
  for (const payload of payloads) {
    expect((await to.handler(signed(JSON.stringify(payload), undefined, {}, at))).statusCode).toBe(200);
  }
}

/** A moderator's `/community stats` in the workspace, answered later through its response_url: one window. */
async function stats(
  workspace: SandboxWorkspace,
  window = 'today',
  at = new Date(),
  to = bot,
): Promise<StatsColumns | undefined> {
  const asked = command('stats', { user: 'UMODSAM', workspace, at });
  expect((await to.handler(asked.event)).statusCode).toBe(200);
  await to.lambda.idle();
  const [answer, ...more] = received(to.api, asked.hookPath);
  expect(more).toEqual([]);
  return statsWindow(field(answer, 'text') ?? '', window).slack;
}

/** The item stored under a record key (after `EVT#`), if any. */
async function itemOf(key: string, table = bot.table): Promise<Item | undefined> {
  return (await table.engagementItems()).find((item) => item.key?.S === key);
}

const messageKey = (workspace: SandboxWorkspace, ts: string) =>
  `slack:${workspace.teamId}:${workspace.teamId}/${CHANNEL}/${ts}`;
const reactionKey = (workspace: SandboxWorkspace, user: string, ts: string, emoji: string) =>
  `slack:${workspace.teamId}:reaction:${CHANNEL}/${ts}/${expectedMemberId('slack', user)}/${emoji}`;

/** The stored rollup of a closed day of the workspace (what stats read for that day). */
async function rollupOf(target: BotUnderTest, workspace: SandboxWorkspace, day: string) {
  const { Item } = await target.table.client.send(
    new GetItemCommand({
      TableName: target.table.tableName,
      Key: {
        [TABLE.partitionKey]: { S: rollupPartition({ platform: 'slack', id: workspace.teamId }) },
        [TABLE.sortKey]: { S: day },
      },
    }),
  );
  return Item;
}

const row = (members: number, messages: number, reactions: number) => ({
  members,
  messages,
  replies: 0,
  reactions,
  joins: 0,
});

describe('Slack edits and deletions', () => {
  it('amends the length of an edited message without counting it again, and stops counting a deleted one', async () => {
    // Prepare: three members post one message each.
    const workspace = freshWorkspace();
    const [first, second, third] = [tsAt(new Date()), tsAt(new Date()), tsAt(new Date())] as const;
    await deliver([
      posted(workspace, 'UCHGANN', first, 'hello'),
      posted(workspace, 'UCHGBEN', second, 'hi all'),
      posted(workspace, 'UCHGCAT', third, 'good morning'),
    ]);
    const before = await stats(workspace);

    // Act 1: the first is edited (twice delivered, as Slack retries).
    const edit = edited(workspace, 'UCHGANN', first, 'hello, everyone here');
    await deliver([edit, edit]);
    const afterEdit = await stats(workspace);

    // Act 2: the third is deleted (twice delivered).
    const deletion = deleted(workspace, third);
    await deliver([deletion, deletion]);
    const afterDeletion = await stats(workspace);

    // Assess: the edit changed the record's length, not the stats; the deletion took the message and its
    // author (seen by nothing else) out of them; the record stays, marked gone, out of the stats index.
    expect(before).toEqual(row(3, 3, 0));
    expect(afterEdit).toEqual(row(3, 3, 0));
    expect((await itemOf(messageKey(workspace, first)))?.textLength).toEqual({
      N: String('hello, everyone here'.length),
    });
    expect(afterDeletion).toEqual(row(2, 2, 0));
    const gone = await itemOf(messageKey(workspace, third));
    expect(gone?.gone).toEqual({ BOOL: true });
    expect(gone?.[TABLE.indexes.byDay.partitionKey]).toBeUndefined();
    expect((await itemOf(messageKey(workspace, second)))?.gone).toBeUndefined();
  });

  it('does not count a message whose deletion arrived before it', async () => {
    // Prepare
    const workspace = freshWorkspace();
    const [kept, late] = [tsAt(new Date()), tsAt(new Date())] as const;

    // Act: the deletion overtakes its message; another message arrives in the ordinary way.
    await deliver([deleted(workspace, late), posted(workspace, 'UCHGDAN', late, 'oops')]);
    await deliver([posted(workspace, 'UCHGEVE', kept, 'still here')]);

    // Assess
    expect(await stats(workspace)).toEqual(row(1, 1, 0));
    const items = (await bot.table.engagementItems()).filter(
      (item) => item.key?.S === messageKey(workspace, late),
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.gone).toEqual({ BOOL: true });
  });

  it('ignores an edit of a message it never recorded: no message is added', async () => {
    const workspace = freshWorkspace();
    const unknown = tsAt(new Date());

    await deliver([edited(workspace, 'UCHGFAY', unknown, 'edited text')]);

    expect(await itemOf(messageKey(workspace, unknown))).toBeUndefined();
    expect(await stats(workspace)).toEqual(row(0, 0, 0));
  });
});

describe('Slack reactions taken back', () => {
  it('counts a reaction added, removed and added again once', async () => {
    // Prepare
    const workspace = freshWorkspace();
    const message = tsAt(new Date());
    await deliver([posted(workspace, 'UCHGGIL', message, 'react to me')]);
    const reaction = { user: 'UCHGHAL', ts: message, emoji: 'tada' };

    // Act
    await deliver([
      reacted(workspace, reaction),
      reacted(workspace, { ...reaction, removed: true }),
      reacted(workspace, reaction),
    ]);

    // Assess: one record for the reaction, on.
    expect(await stats(workspace)).toEqual(row(2, 1, 1));
    const items = (await bot.table.engagementItems()).filter((item) =>
      item.key?.S?.startsWith(`slack:${workspace.teamId}:reaction:`),
    );
    expect(items.map((item) => [item.key?.S, item.gone])).toEqual([
      [reactionKey(workspace, 'UCHGHAL', message, 'tada'), undefined],
    ]);
  });

  it('keeps counts exact when a removal comes twice and a stale add is replayed after it', async () => {
    // Prepare: a message, a reaction on it; the reaction is its member's only act.
    const workspace = freshWorkspace();
    const message = tsAt(new Date());
    const reaction = { user: 'UCHGIVY', ts: message, emoji: 'eyes' };
    const add = reacted(workspace, reaction);
    const removal = reacted(workspace, { ...reaction, removed: true });
    await deliver([posted(workspace, 'UCHGJON', message, 'look'), add]);
    const on = await stats(workspace);

    // Act: the removal twice, then Slack's retry of the add (its same bytes) after it.
    await deliver([removal, removal, add]);
    const off = await stats(workspace);

    // Assess: taken back once, and the replay of the older add does not put it back on.
    expect(on).toEqual(row(2, 1, 1));
    expect(off).toEqual(row(1, 1, 0));
    expect((await itemOf(reactionKey(workspace, 'UCHGIVY', message, 'eyes')))?.gone).toEqual({ BOOL: true });
  });
});

describe('Slack changes on a closed day', () => {
  const DAY = '2026-11-20';
  let clock = new Date(`${DAY}T10:00:00Z`);
  let own: BotUnderTest;
  beforeAll(async () => {
    own = await startBotUnderTest(slackPlatform, { deps: { now: () => clock } });
  });
  afterAll(() => own?.close());

  it("rebuilds the day's stats so they equal what still counts", async () => {
    // Prepare: on DAY, three messages and a reaction; the next day a moderator reads stats, which writes
    // DAY's rollup (the day is closed).
    const workspace = freshWorkspace();
    const [first, second, third] = [tsAt(clock), tsAt(clock), tsAt(clock)] as const;
    const reaction = { user: 'UCHGMAE', ts: first, emoji: 'fire' };
    await deliver(
      [
        posted(workspace, 'UCHGKIM', first, 'one'),
        posted(workspace, 'UCHGLEO', second, 'two'),
        posted(workspace, 'UCHGLEO', third, 'three'),
        reacted(workspace, reaction, clock),
      ],
      clock,
      own,
    );
    clock = new Date('2026-11-21T12:00:00Z');
    const before = await stats(workspace, '7 days', clock, own);
    const rollup = () => rollupOf(own, workspace, DAY);
    expect(await rollup()).toMatchObject({ messages: { N: '3' }, reactions: { N: '1' } });

    // Act: the next day, two of DAY's messages are deleted, the reaction is taken back, the first is edited.
    await deliver(
      [
        deleted(workspace, second, clock),
        deleted(workspace, third, clock),
        reacted(workspace, { ...reaction, removed: true }, clock),
        edited(workspace, 'UCHGKIM', first, 'one, edited', clock),
      ],
      clock,
      own,
    );
    const after = await stats(workspace, '7 days', clock, own);

    // Assess: DAY counts only kim's first message; leo and mae are no longer seen. Today has nothing.
    expect(before).toEqual(row(3, 3, 1));
    expect(after).toEqual(row(1, 1, 0));
    expect(await stats(workspace, 'today', clock, own)).toEqual(row(0, 0, 0));
    expect(await rollup()).toMatchObject({ messages: { N: '1' }, reactions: { N: '0' } });
    expect((await itemOf(messageKey(workspace, first), own.table))?.textLength).toEqual({
      N: String('one, edited'.length),
    });
  });
});
