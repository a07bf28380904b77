/**
 * Members and privacy on Slack, through the real signed handler: `/community me` and its subcommands, the
 * moderator's `forget <member>` and `settings retention`. Asserted on what the fake Slack received (every
 * request scanned: private answers only ever in ephemeral answers) and on what the table holds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../bots/slack/platform.js';
import { SLACK_SANDBOX, sandboxUserId } from '../../bots/slack/sandbox.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import {
  ackBody,
  type Delivery,
  FORM,
  field,
  fixture,
  freshId,
  received,
  signed,
} from './slack-deliveries.js';
import { type Asked, fromWorkspace, pressOn } from './slack-install-harness.js';
import { scanItems } from './telegram-harness.js';

const W = SLACK_SANDBOX;
const MODERATOR = 'UMODSAM';
const DAY_S = 86_400;

let bot: BotUnderTest;

/** A bot, table and fake Slack of its own for each block: tests run shuffled, and retention is per space. */
function ownBot() {
  let mine: BotUnderTest | undefined;
  beforeAll(async () => {
    mine = await startBotUnderTest(slackPlatform);
  });
  beforeEach(() => {
    if (mine) bot = mine;
  });
  afterAll(() => mine?.close());
}

let sequence = 0;

/** A signed Events API delivery of `action`, acknowledged. */
async function act(action: SandboxAction) {
  const result = await bot.handler(fromWorkspace(action, W));
  expect(result.statusCode).toBe(200);
}

/** A message by `user` (a sandbox name); its message id. */
async function message(user: string): Promise<string> {
  sequence += 1;
  const messageId = `${9000 + sequence}`;
  await act({ kind: 'message', user, channel: 'general', text: 'hello there', messageId });
  return messageId;
}

async function reaction(user: string, messageId: string, emoji = '👍') {
  await act({ kind: 'reaction', user, channel: 'general', messageId, emoji });
}

/**
 * `/community <text>` by `user` from the documented slash command form. Its trigger id does not repeat the
 * text (slack-deliveries' `command` does): a member's id typed in a command must not end up in a claim's key.
 */
function command(text: string, { user }: { user: string }): Delivery {
  const triggerId = freshId('members');
  const responseUrl = `https://hooks.slack.com/commands/${W.teamId}/${triggerId.replace(/\W/g, '')}/cmd`;
  const fields = {
    ...fixture<Record<string, string>>('slash-command.json'),
    team_id: W.teamId,
    channel_id: 'CGENERAL',
    user_id: user,
    command: '/community',
    text,
    trigger_id: triggerId,
    response_url: responseUrl,
  };
  const event = signed(new URLSearchParams(fields).toString(), FORM);
  return { event, triggerId, responseUrl, hookPath: new URL(responseUrl).pathname };
}

/** `/community <text>` answered later through the response_url: that answer (once) and its response type. */
async function later(
  user: string,
  text: string,
): Promise<{ text: string; responseType: string | undefined }> {
  const delivery = command(text, { user });
  const result = await bot.handler(delivery.event);
  expect(result.statusCode).toBe(200);
  expect(ackBody(result)).toBeUndefined();
  await bot.lambda.idle();
  const answers = received(bot.api, delivery.hookPath);
  expect(answers).toHaveLength(1);
  return { text: field(answers[0], 'text') ?? '', responseType: field(answers[0], 'response_type') };
}

/** `/community <text>` answered in the acknowledgement, privately. */
async function now(user: string, text: string): Promise<Asked> {
  const result = await bot.handler(command(text, { user }).event);
  expect(result.statusCode).toBe(200);
  const body = ackBody(result) as {
    text?: string;
    response_type?: string;
    blocks?: { type: string; elements?: Asked['buttons'] }[];
  };
  expect(body.response_type).toBe('ephemeral');
  return {
    text: body.text ?? '',
    responseType: body.response_type,
    buttons: (body.blocks ?? []).flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : [])),
  };
}

/**
 * Every request the fake Slack received that carries `fragment` where others could see it: anything but an
 * ephemeral answer at a response_url, an ephemeral message or a DM.
 */
function seenPublicly(fragment: string) {
  return bot.api.requests.filter((request) => {
    if (!JSON.stringify(request.payload ?? '').includes(fragment)) return false;
    if (request.path.startsWith('/commands/') || request.path.startsWith('/actions/')) {
      return field(request, 'response_type') === 'in_channel';
    }
    if (request.path === '/api/chat.postEphemeral') return false;
    return !/^[UD]/.test(field(request, 'channel') ?? '');
  });
}

const recordCount = async () =>
  (await bot.table.engagementItems()).filter((item) => item.kind?.S === 'message_posted').length;

/** Every item of the table mentioning any of `needles`, but for another member's record naming them as `toMemberId`. */
async function itemsNaming(needles: string[]): Promise<Item[]> {
  return scanItems(bot.table, (item) => {
    const { toMemberId, ...rest } = item;
    const text = JSON.stringify(rest);
    return needles.some((needle) => text.includes(needle));
  });
}

describe('Slack: /community me', () => {
  ownBot();

  it('shows privately the accounts, counts, recording state and kinds of data', async () => {
    // Prepare: carol posts 3 messages and reacts twice; bob once each.
    const first = await message('carol');
    await message('carol');
    await message('carol');
    const bobs = await message('bob');
    await reaction('carol', bobs, '👍');
    await reaction('carol', bobs, '🎉');
    await reaction('bob', first);

    // Act: bare `me` is `me show`.
    const shown = await later(sandboxUserId('carol'), 'me');

    // Assess
    expect(shown.responseType).toBe('ephemeral');
    const lines = shown.text.split('\n');
    expect(lines).toContain(
      `Accounts: slack ${sandboxUserId('carol')} (link another with /community me link)`,
    );
    expect(lines).toContain('Recording: on (/community me optout stops it)');
    expect(lines).toContain('Last 30 days: 3 messages, 2 reactions');
    expect(lines).toContain('What is kept, and for how long (raw records here: 395 days):');
    // 3 messages and 2 reactions, and the claim of this `me` command.
    expect(shown.text).toMatch(/^- engagement records \(6\): who takes part, .*never the text/m);
    for (const kind of [
      'feedback notes',
      'account link codes',
      'forms in progress (0)',
      'identity links (0)',
    ]) {
      expect(
        lines.some((line) => line.startsWith(`- ${kind}: `) && /; kept .+\.$/.test(line)),
        kind,
      ).toBe(true);
    }
    expect(seenPublicly('What this bot holds about you')).toEqual([]);
    expect(seenPublicly('3 messages, 2 reactions')).toEqual([]);
  });

  it('gives a member code privately, and answers unlink with nothing linked', async () => {
    const linked = await now('UDANA', 'me link');
    const unlinked = await now('UDANA', 'me unlink telegram');

    const code = /M-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(linked.text)?.[0];
    expect(code, linked.text).toBeDefined();
    expect(seenPublicly(code ?? 'no code')).toEqual([]);
    expect(unlinked.text).toBe('You have no linked telegram account in this community.');
  });

  it('records nothing after optout while others are recorded, and again after optin', async () => {
    // Prepare
    await message('erin');
    const stopped = await now('UERIN', 'me optout');
    const before = await recordCount();

    // Act 1
    await message('erin');
    const afterErin = await recordCount();
    await message('frank');
    const afterFrank = await recordCount();
    const shown = await later('UERIN', 'me show');

    // Act 2
    const started = await now('UERIN', 'me optin');
    await message('erin');

    // Assess
    expect(stopped.text).toMatch(/^Stopped: from now on nothing about you is recorded/);
    expect([afterErin, afterFrank]).toEqual([before, before + 1]);
    expect(shown.text).toContain('Recording: stopped (you opted out; /community me optin starts again)');
    expect(started.text).toMatch(/^Recording again/);
    expect(await recordCount()).toBe(before + 2);
  });
});

describe('Slack: /community me forget', () => {
  ownBot();

  it('asks with two buttons; Cancel erases nothing; Erase answers later privately and leaves nothing', async () => {
    // Prepare: gina posts twice and reacts to hugo's message; hugo reacts to hers (an edge towards gina).
    const gina = sandboxUserId('gina');
    const ginas = await message('gina');
    await message('gina');
    const hugos = await message('hugo');
    await reaction('gina', hugos);
    await reaction('hugo', ginas);
    await now(gina, 'me link');
    const ids = [gina, expectedMemberId('slack', gina), expectedMemberId('slack', gina, 1)];
    const held = await itemsNaming(ids);

    // Act 1: ask, then Cancel.
    const question = await now(gina, 'me forget');
    const cancelled = await pressOn(bot, question, 'me.keep', { user: gina, workspace: W });
    const afterCancel = await itemsNaming(ids);

    // Act 2: ask again, then Erase.
    const again = await now(gina, 'me forget');
    const erased = await pressOn(bot, again, 'me.forget', { user: gina, workspace: W });

    // Assess
    expect(question.text).toMatch(/Erase everything this bot holds about you in this community\?/);
    expect(question.buttons.map((button) => button.action_id)).toEqual(['me.forget', 'me.keep']);
    expect(cancelled).toEqual([{ replaced: true, text: 'Nothing was erased.' }]);
    expect(afterCancel.length).toBeGreaterThanOrEqual(held.length);
    expect(held.length).toBeGreaterThan(0);
    expect(erased).toHaveLength(1);
    expect(erased[0]?.text).toMatch(/^\*?\*?Erased/);
    // 2 messages + 1 reaction, plus the claims of her commands and presses (at least 5 of them).
    expect(erased[0]?.text).toMatch(/- engagement records: \d+/);
    expect(Number(/engagement records: (\d+)/.exec(erased[0]?.text ?? '')?.[1])).toBeGreaterThanOrEqual(
      3 + 5,
    );
    expect(erased[0]?.text).toContain('- account link codes: 1');
    expect(seenPublicly('Nothing new is recorded about you')).toEqual([]);
    expect(await itemsNaming(ids)).toEqual([]);
    // Hugo's reaction to her message is his: it stays.
    const hugosRecords = (await bot.table.engagementItems()).filter(
      (item) => item.memberId?.S === expectedMemberId('slack', sandboxUserId('hugo')),
    );
    expect(hugosRecords.map((item) => item.kind?.S).sort()).toEqual(['message_posted', 'reaction_added']);
  });
});

describe('Slack: a moderator erases a member', () => {
  ownBot();

  it('is refused to a member, works for a moderator and audits without naming them', async () => {
    // Prepare
    const ivy = sandboxUserId('ivy');
    await message('ivy');
    await message('ivy');
    const ids = [ivy, expectedMemberId('slack', ivy), expectedMemberId('slack', ivy, 1)];

    // Act
    const refused = await now('UJACK', `forget <@${ivy}>`);
    const question = await now(MODERATOR, `forget <@${ivy}>`);
    const pressedByMember = await pressOn(bot, question, 'members.forget', { user: 'UJACK', workspace: W });
    const stillHeld = await itemsNaming(ids);
    const erased = await pressOn(bot, question, 'members.forget', { user: MODERATOR, workspace: W });
    const audit = await now(MODERATOR, 'audit');

    // Assess
    expect(refused.text).toContain('is for this community');
    expect(refused.buttons).toEqual([]);
    expect(question.buttons.map((button) => [button.action_id, button.value])).toEqual([
      ['members.forget', `slack:${ivy}`],
      ['me.keep', undefined],
    ]);
    expect(pressedByMember).toEqual([
      { replaced: false, text: 'Only a community moderator can erase a member’s data.' },
    ]);
    expect(stillHeld.length).toBeGreaterThan(0);
    expect(erased).toHaveLength(1);
    expect(erased[0]?.text).toMatch(
      /Erased.* that member's data in this community:\n- engagement records: 2/,
    );
    expect(audit.text).toContain(`slack:${MODERATOR}`);
    expect(audit.text).toContain("erased a member's data on request");
    expect(audit.text).not.toContain(ivy);
    expect((await itemsNaming(ids)).map((item) => [item.pk?.S, item.kind?.S, item.memberId?.S])).toEqual([]);
  });
});

describe('Slack: retention', () => {
  ownBot();

  it('keeps records written after `settings retention 30` for 30 days after their day', async () => {
    // Act
    const set = await now(MODERATOR, 'settings retention 30');
    const at = new Date();
    // A fresh instance: a warm one trusts its cached space for a minute (see the report on this issue).
    const fresh = bot.another();
    const result = await fresh(
      fromWorkspace({ kind: 'message', user: 'kim', channel: 'general', text: 'hi' }, W),
    );
    expect(result.statusCode).toBe(200);

    // Assess: the TTL is the end of the record's UTC day, plus 30 days, in epoch seconds.
    expect(set.text).toMatch(/kept 30 days after their day/);
    const kims = (await bot.table.engagementItems()).filter(
      (item) =>
        item.memberId?.S === expectedMemberId('slack', sandboxUserId('kim')) &&
        item.kind?.S === 'message_posted',
    );
    expect(kims).toHaveLength(1);
    const day = at.toISOString().slice(0, 10);
    expect(kims[0]?.day?.S).toBe(day);
    expect(Number(kims[0]?.expiresAt?.N)).toBe(Date.parse(`${day}T00:00:00Z`) / 1000 + DAY_S + 30 * DAY_S);
  });

  it('refuses 5 days, naming the range, to a moderator; and refuses a member', async () => {
    const tooShort = await now(MODERATOR, 'settings retention 5');
    const byMember = await now('UKIM', 'settings retention 60');

    expect(tooShort.text).toBe('Retention is a whole number of days from 30 to 3650.');
    expect(byMember.text).toContain('is for this community');
  });
});
