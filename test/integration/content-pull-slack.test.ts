/**
 * Members pull from the library on Slack, through the real signed handler, the fake Slack and dynalite:
 * `tip` never repeats an item for a member and says when everything was seen; a topic narrows it; `find`
 * ranks a title match first and opens a result; votes move the item's counts once per member and record a
 * `content_helpful` engagement record; Share posts the item into the channel once through the outbox worker;
 * `digest on|off` stores and erases the subscription; `content stats` shows the numbers set up; and a member
 * of another community (workspace B) never gets this library's items. The library is written through the
 * store (the authoring commands are another part's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { WORKSPACE_B } from '../../bots/slack/sandbox.js';
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import { ackBody, command, type Origin, press, received, TEAM } from './slack-deliveries.js';

let bot: BotUnderTest;
let communityId = '';
const SPACE = { platform: 'slack', id: TEAM } as const;
const TOPICS = ['onboarding', 'moderation', 'events'];

/** The live library, by hand: ids, titles and ranks below are written from it. */
const LIVE: readonly Omit<ContentItem, 'communityId' | 'counts' | 'updatedAt'>[] = [
  piece('welc01', 'Welcome new members', 'Greet each newcomer by name.', ['onboarding'], '2026-10-01'),
  piece(
    'rules1',
    'Write short channel rules',
    'Three rules; welcome questions kindly.',
    ['moderation'],
    '2026-10-03',
  ),
  piece('event1', 'Run a monthly event', 'Pick a date and share the agenda early.', ['events'], '2026-10-02'),
  piece('pin001', 'Pin the answers', 'Pin the best answer of each thread.', ['moderation'], '2026-10-04'),
];
const RETIRED = piece(
  'old001',
  'Old welcome advice',
  'Send every newcomer a DM.',
  ['onboarding'],
  '2026-09-01',
);

function piece(id: string, title: string, body: string, topics: string[], day: string) {
  return {
    id,
    title,
    body,
    topics,
    kind: 'tip' as const,
    author: { kind: 'import' as const },
    language: 'en',
    promotional: false,
    status: 'live' as ContentItem['status'],
    createdAt: `${day}T09:00:00.000Z`,
  };
}

async function save(item: Omit<ContentItem, 'communityId' | 'counts' | 'updatedAt'>): Promise<void> {
  const stored = { ...item, communityId, counts: NO_COUNTS, updatedAt: item.createdAt };
  expect(await bot.table.store.core.content.save(stored, { kind: 'new' })).toBe('written');
}

beforeAll(async () => {
  bot = await startBotUnderTest(slackPlatform);
  // Any command registers the workspace as a community of its own (open mode).
  await bot.handler(command('help', { user: 'UMODSAM' }).event);
  communityId = (await bot.table.store.core.spaces.find(SPACE))?.communityId ?? '';
  const { content } = bot.table.store.core;
  for (const topic of TOPICS) await content.setTopic(communityId, topic, true);
  for (const item of LIVE) await save(item);
  await save({ ...RETIRED, status: 'retired' });
  // welc01 is the best rated (40 helpful of 50): first for everyone.
  await content.count(communityId, 'welc01', { helpful: 40, notForMe: 10 });
});
afterAll(() => bot.close());

interface Answer {
  readonly text: string;
  readonly buttons: readonly { readonly action_id: string; readonly value?: string }[];
}

function answerOf(body: Record<string, unknown> | undefined): Answer {
  const blocks = (body?.blocks ?? []) as { type: string; elements?: Answer['buttons'] }[];
  return {
    text: String(body?.text ?? ''),
    buttons: blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : [])),
  };
}

/** `/community <text>` as `user`: the private answer in the acknowledgement. */
async function ask(user: string, text: string, origin: Origin & { channel?: string } = {}): Promise<Answer> {
  const answer = answerOf(ackBody(await bot.handler(command(text, { user, ...origin }).event)));
  await bot.settled();
  return answer;
}

/** A press on a private answer's button in `channel`: the answer sent to the press's response_url. */
async function pressOn(
  user: string,
  button: Answer['buttons'][number] | undefined,
  origin: Origin & { channel?: string } = {},
): Promise<Answer> {
  if (!button) throw new Error('no such button');
  const delivery = press(
    { actionId: button.action_id, ...(button.value ? { value: button.value } : {}) },
    { user, channel: origin.channel ?? 'CGENERAL', ephemeral: true, ...origin },
  );
  await bot.handler(delivery.event);
  await bot.settled();
  const [reply] = received(bot.api, delivery.hookPath);
  return answerOf(reply?.payload as Record<string, unknown> | undefined);
}

const button = (answer: Answer, actionId: string) =>
  answer.buttons.find((each) => each.action_id === actionId);
const idOf = (answer: Answer) => button(answer, 'content.helpful')?.value?.split(':')[1];
const countsOf = async (id: string) => (await bot.table.store.core.content.get(communityId, id))?.counts;

describe('Slack: tip', () => {
  it('gives the best unseen item each time, never one twice, then says everything was seen', async () => {
    // Act
    const tips: Answer[] = [];
    for (let n = 0; n < LIVE.length + 1; n += 1) tips.push(await ask('UALICE', 'tip'));

    // Assess: the best rated first, then unjudged ones newest first; the retired one never.
    expect(tips.slice(0, 4).map(idOf)).toEqual(['welc01', 'pin001', 'rules1', 'event1']);
    expect(tips[0]?.text).toContain('Welcome new members');
    expect(tips[0]?.buttons.map((each) => each.action_id)).toEqual([
      'content.helpful',
      'content.notforme',
      'content.share',
    ]);
    expect(tips[4]?.text).toContain('You have seen every item');
    expect(tips[4]?.text).toContain('/community content suggest');
    const shown = await bot.table.store.core.content.shownTo(
      communityId,
      [expectedMemberId('slack', 'UALICE')],
      new Date(),
    );
    expect([...shown].sort()).toEqual(['event1', 'pin001', 'rules1', 'welc01']);
  });

  it('narrows to a topic, names the known topics for an unknown one', async () => {
    const first = await ask('UBOB', 'tip moderation');
    const second = await ask('UBOB', 'tip moderation');
    const third = await ask('UBOB', 'tip moderation');
    const unknown = await ask('UBOB', 'tip gardening');

    expect([idOf(first), idOf(second)]).toEqual(['pin001', 'rules1']);
    expect(third.text).toContain('You have seen every item on moderation');
    expect(unknown.text).toContain('There is no topic gardening');
    expect(unknown.text).toContain('onboarding, moderation, events');
  });
});

describe('Slack: an opted-out member', () => {
  it('still gets a tip, but nothing about them is stored and their vote is not kept', async () => {
    // Prepare
    await ask('UHAL', 'me optout');
    const helpfulBefore = (await countsOf('welc01'))?.helpful;

    // Act
    const first = await ask('UHAL', 'tip');
    const second = await ask('UHAL', 'tip');
    const vote = await pressOn('UHAL', button(first, 'content.helpful'));

    // Assess: nothing remembered, so the best item again.
    expect([idOf(first), idOf(second)]).toEqual(['welc01', 'welc01']);
    expect(vote.text).toContain('You opted out (/community me optout), so votes are not kept.');
    const shown = await bot.table.store.core.content.shownTo(
      communityId,
      [expectedMemberId('slack', 'UHAL')],
      new Date(),
    );
    expect(shown.size).toBe(0);
    expect((await countsOf('welc01'))?.helpful).toBe(helpfulBefore);
  });
});

describe('Slack: find', () => {
  it('ranks a title match first, opens a result, and refuses an over-long query', async () => {
    // Act
    const found = await ask('UCAROL', 'find welcome');
    const before = (await countsOf('welc01'))?.shown ?? 0;
    const opened = await pressOn('UCAROL', found.buttons[0]);
    const none = await ask('UCAROL', 'find zebra');
    // Punctuation: the harness names the delivery's trigger_id after its words, and Slack's are short.
    const long = await ask('UCAROL', `find ${'?! '.repeat(70)}`);

    // Assess
    expect(found.buttons.map((each) => [each.action_id, each.value])).toEqual([
      ['content.show', `welc01:${TEAM}:CGENERAL`],
      ['content.show', `rules1:${TEAM}:CGENERAL`],
    ]);
    expect(found.text).toContain('Welcome new members');
    expect(found.text).not.toContain('Old welcome advice');
    expect(opened.text).toContain('Greet each newcomer by name.');
    expect(idOf(opened)).toBe('welc01');
    expect((await countsOf('welc01'))?.shown).toBe(before + 1);
    expect(none.text).toContain('Nothing in the library matches');
    expect(long.text).toContain('at most 200 characters');
  });
});

describe('Slack: votes', () => {
  it('helpful then not for me moves the counts once each, and records a helpful vote', async () => {
    // Prepare
    const tip = await ask('UDAN', 'tip events');
    expect(idOf(tip)).toBe('event1');
    const before = await countsOf('event1');

    // Act
    const helpful = await pressOn('UDAN', button(tip, 'content.helpful'));
    const afterHelpful = await countsOf('event1');
    const again = await pressOn('UDAN', button(tip, 'content.helpful'));
    const changed = await pressOn('UDAN', button(tip, 'content.notforme'));
    const afterChange = await countsOf('event1');

    // Assess
    expect([helpful.text, again.text, changed.text]).toEqual([
      'Thanks, noted: helpful.',
      'Already noted: helpful.',
      'Changed to not for me.',
    ]);
    expect(afterHelpful).toMatchObject({ helpful: (before?.helpful ?? 0) + 1, notForMe: before?.notForMe });
    expect(afterChange).toMatchObject({ helpful: before?.helpful, notForMe: (before?.notForMe ?? 0) + 1 });
    const person = expectedMemberId('slack', 'UDAN');
    const records = (await bot.table.engagementItems()).filter((item) =>
      item.pk?.S?.endsWith(`:content_helpful:event1:${person}`),
    );
    expect(records).toHaveLength(1);
  });
});

describe('Slack: share', () => {
  it('posts the item into the channel once, credited to the member, even when pressed twice', async () => {
    // Prepare
    const tip = await ask('UERIN', 'tip onboarding', { channel: 'CRANDOM' });
    const share = button(tip, 'content.share');
    expect(share?.value).toBe(`welc01:${TEAM}:CRANDOM`);
    const sharedBefore = (await countsOf('welc01'))?.shared ?? 0;

    // Act
    const first = await pressOn('UERIN', share, { channel: 'CRANDOM' });
    const second = await pressOn('UERIN', share, { channel: 'CRANDOM' });
    await bot.outbox.idle();

    // Assess
    expect([first.text, second.text]).toEqual([
      'Shared into the channel.',
      'You already shared this item there.',
    ]);
    const posts = received(bot.api, '/api/chat.postMessage').filter(
      (request: ReceivedRequest) => (request.payload as { channel?: string }).channel === 'CRANDOM',
    );
    expect(posts.map((request) => String((request.payload as { text?: string }).text))).toEqual([
      expect.stringMatching(/Welcome new members[\s\S]*shared by <@UERIN>/),
    ]);
    expect((await countsOf('welc01'))?.shared).toBe(sharedBefore + 1);
  });
});

describe('Slack: digest', () => {
  it('stores the subscription on, and erases it off', async () => {
    const person = expectedMemberId('slack', 'UFAY');
    const { content } = bot.table.store.core;

    const on = await ask('UFAY', 'digest on');
    const stored = await content.digest(communityId, person);
    const off = await ask('UFAY', 'digest off');

    expect(on.text).toContain('Weekly digest on');
    expect(stored).toMatchObject({
      communityId,
      person,
      space: SPACE,
      member: { platform: 'slack', id: 'UFAY' },
    });
    expect(Date.parse(stored?.nextAt ?? '') - Date.parse(stored?.since ?? '')).toBe(7 * 24 * 3600 * 1000);
    expect(off.text).toBe('Weekly digest off.');
    expect(await content.digest(communityId, person)).toBeUndefined();
  });
});

describe('Slack: content stats', () => {
  it('shows the counts of an item and of a scheduled channel', async () => {
    // Prepare: a retired item (so no tip meets it) and a channel at half pace with two posts.
    const { content } = bot.table.store.core;
    await save({ ...piece('stat01', 'Stats fixture', 'x', ['events'], '2026-09-02'), status: 'retired' });
    await content.count(communityId, 'stat01', { shown: 7, helpful: 3, notForMe: 1, shared: 2, engaged: 2 });
    const now = new Date();
    await content.saveSchedule({
      communityId,
      space: SPACE,
      channelId: 'CSTATS',
      days: ['mon', 'thu'],
      time: '09:00',
      topics: [],
      setBy: 'm_mod',
      setAt: now.toISOString(),
      pace: 0.5,
      credit: 0,
      postsSincePaceChange: 0,
      nextAt: new Date(now.getTime() + 24 * 3600 * 1000).toISOString(),
      starvedSlots: 0,
    });
    for (const [n, counts] of [
      [1, { helpful: 1, notForMe: 2, shared: 0, mutes: 1 }],
      [2, { helpful: 2, notForMe: 0, shared: 1, mutes: 0 }],
    ] as const) {
      const { post } = await content.addPost({
        communityId,
        space: SPACE,
        channelId: 'CSTATS',
        slotAt: new Date(now.getTime() - n * 24 * 3600 * 1000).toISOString(),
        postId: `poststa${n}`,
        itemId: 'rules1',
        topics: ['moderation'],
        promotional: false,
        outboxId: `o-stats-${n}`,
        helpful: 0,
        notForMe: 0,
        shared: 0,
        mutes: 0,
        reactions: 0,
        replies: 0,
        settled: false,
      });
      for (const [counter, by] of Object.entries(counts)) {
        if (by > 0) await content.countPost(post, counter as 'helpful', by);
      }
      // The newer post's reactions and replies were read a day after it went.
      if (n === 2) await content.settlePost(post, { reactions: 2, replies: 1 });
    }

    // Act
    const stats = await ask('UMODSAM', 'content stats');
    const refused = await ask('UALICE', 'content stats');

    // Assess: the 2 who reacted or replied count as Helpful: Wilson's lower bound of 5 in 6 is 0.44.
    expect(stats.text).toContain(
      '- stat01 Stats fixture (retired): shown 7 · helpful 3 · not for me 1 · shared 2 · reacted/replied 2 · rating 0.44',
    );
    expect(stats.text).toContain(
      '- CSTATS: 2 posts · helpful 3 · not for me 2 · shared 1 · reactions 2 · replies 1 · mutes 1 · pace 1 in 2 slots',
    );
    expect(refused.text).toContain('for moderators only');
  });
});

describe('Slack: communities are walls', () => {
  it("never gives another community's member this library's items", async () => {
    const other = { workspace: WORKSPACE_B };

    const tip = await ask('UGUS', 'tip', other);
    const found = await ask('UGUS', 'find welcome', other);
    const show = await pressOn(
      'UGUS',
      { action_id: 'content.show', value: `welc01:${TEAM}:CGENERAL` },
      other,
    );
    const vote = await pressOn('UGUS', { action_id: 'content.helpful', value: `i:welc01:${TEAM}` }, other);
    const share = await pressOn(
      'UGUS',
      { action_id: 'content.share', value: `welc01:${TEAM}:CGENERAL` },
      other,
    );

    expect(tip.text).toContain('library is empty');
    expect(found.text).toContain('library is empty');
    for (const refusal of [show, vote, share]) expect(refusal.text).toContain('not in this community');
    for (const answer of [tip, found, show, vote, share])
      expect(answer.text).not.toContain('Welcome new members');
  });
});
