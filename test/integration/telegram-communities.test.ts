import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import { approveSpace } from '../../shared/core/communities/approve.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { communityHarness, type Group } from './telegram-harness.js';

/*
 * Communities on Telegram, through the real webhook: two groups (space a and space b of the sandbox, each
 * with its own administrators: modann / modsam and modann-b / modsam-b) are two communities until one's
 * moderator links the other with a one-time code. Asserted on what the fake Bot API received and the table.
 */

let bot: BotUnderTest | undefined;

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
});

afterAll(async () => {
  await bot?.close();
});

const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const { chatOf, toldPrivately, ask, answerTo, post, issueCode, press, link, statsOf, communityState } =
  communityHarness(underTest);

/** Group A in space a and group B in space b, both named `channel`: each test has its own pair. */
function groups(channel: string): { a: Group; b: Group } {
  return { a: { space: 'a', channel }, b: { space: 'b', channel } };
}

const A_ADMIN = 'modann';
const B_ADMIN = 'modann-b';
const member = (name: string) => `telegram:${sandboxUserId(name)}`;
const key = (group: Group) => `telegram:${chatOf(group)}`;
/** A stats row label: the group's title (`b/links` in space b) and its space key. */
const label = (group: Group) =>
  `${group.space === 'a' ? '' : `${group.space}/`}${group.channel} (${key(group)})`;

/** How many messages are recorded in `group`. */
async function messagesIn(target: BotUnderTest, group: Group): Promise<number> {
  const items = await target.table.engagementItems();
  const kept = (item: (typeof items)[number]) =>
    item.spaceId?.S === String(chatOf(group)) && item.kind?.S === 'message_posted';
  return items.filter(kept).length;
}

/** Runs `act` and returns what it returned, checking that no space, community or link code changed. */
async function refused<T>(act: () => Promise<T>): Promise<T> {
  const before = await communityState();
  const result = await act();
  expect(await communityState()).toEqual(before);
  return result;
}

/** Both groups registered (a first message each) and linked: B joined A's community. */
async function linked(channel: string) {
  const { a, b } = groups(channel);
  await post(a, 2, ['alice']);
  await post(b, 3, ['bob', 'carol']);
  const result = await link({ admin: A_ADMIN, group: a }, { admin: B_ADMIN, group: b });
  return { a, b, ...result };
}

describe('Telegram communities: two groups, two communities', () => {
  it('shows each admin only their own group in stats, spaces and audit', async () => {
    // Prepare: different numbers in each group; each admin asks for a code (an audit entry each).
    const { a, b } = groups('two');
    await post(a, 3, ['alice', 'bob']);
    await post(b, 5, ['carol', 'dave', 'erin']);
    await issueCode(A_ADMIN, a);
    await issueCode(B_ADMIN, b);

    // Act
    const [statsA, statsB] = [await statsOf(A_ADMIN, a), await statsOf(B_ADMIN, b)];
    const [spacesA, spacesB] = [
      await answerTo(A_ADMIN, a, '/community spaces'),
      await answerTo(B_ADMIN, b, '/community spaces'),
    ];
    const [auditA, auditB] = [
      await answerTo(A_ADMIN, a, '/community audit'),
      await answerTo(B_ADMIN, b, '/community audit'),
    ];

    // Assess: one platform row and the total, each with its own group's numbers.
    expect(statsA).toEqual({ telegram: [2, 3, 0, 0, 0], total: [2, 3, 0, 0, 0] });
    expect(statsB).toEqual({ telegram: [3, 5, 0, 0, 0], total: [3, 5, 0, 0, 0] });
    expect(spacesA).toContain(`${key(a)}: active (this space)`);
    expect(spacesA).not.toContain(key(b));
    expect(spacesB).toContain(`${key(b)}: active (this space)`);
    expect(spacesB).not.toContain(key(a));
    expect(auditA).toContain(`${member(A_ADMIN)} in ${key(a)}: asked for a link code`);
    expect(auditA).not.toContain(key(b));
    expect(auditB).toContain(`${member(B_ADMIN)} in ${key(b)}: asked for a link code`);
    expect(auditB).not.toContain(key(a));
  });
});

describe('Telegram communities: linking with a one-time code', () => {
  it('asks to confirm, joins on Join, tells the issuer once, and sums the stats of both groups', async () => {
    // Prepare
    const { a, b } = groups('links');
    await post(a, 2, ['alice']);
    await post(b, 4, ['bob', 'carol']);
    const code = await issueCode(A_ADMIN, a);

    // Act 1: B's admin redeems the code.
    const [question] = await ask(B_ADMIN, b, `/community link ${code}`);

    // Assess 1: a question with Join (carrying the code's digest, and group B) and Cancel; nothing joined.
    expect(code).toMatch(/^S-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(question?.text).toMatch(/^Join telegram b\/links .* to the community of telegram links /);
    expect(question?.buttons.map((button) => button.label)).toEqual(['Join', 'Cancel']);
    expect(question?.buttons[0]?.data).toMatch(new RegExp(`^link\\.join:[0-9a-f]{32}/${chatOf(b)}$`));
    expect(await statsOf(A_ADMIN, a)).toEqual({ telegram: [1, 2, 0, 0, 0], total: [1, 2, 0, 0, 0] });

    // Act 2: B's admin presses Join; Telegram delivers the press twice.
    const mark = underTest().api.requests.length;
    await press(B_ADMIN, question, 'Join', 'q-links');
    await press(B_ADMIN, question, 'Join', 'q-links');

    // Assess 2: the question became "Done", the issuer heard once, both admins run the community.
    const edits = underTest()
      .api.requests.slice(mark)
      .filter((r) => r.path.endsWith('/editMessageText'));
    expect(edits.map((request) => (request.payload as { text: string }).text)).toEqual([
      expect.stringMatching(/^Done: telegram <b>b\/links<\/b> .* is part of that community now\./),
    ]);
    const told = toldPrivately(A_ADMIN, mark).map((message) => message.text);
    expect(told).toEqual([expect.stringMatching(/^Your link code was used: telegram b\/links /)]);
    const moderators = await answerTo(A_ADMIN, a, '/community moderators');
    expect(moderators).toContain(member(A_ADMIN));
    expect(moderators).toContain(member(B_ADMIN));
    const both = { [label(a)]: [1, 2, 0, 0, 0], [label(b)]: [2, 4, 0, 0, 0] };
    const summed = { ...both, telegram: [3, 6, 0, 0, 0], total: [3, 6, 0, 0, 0] };
    expect(await statsOf(A_ADMIN, a)).toEqual(summed);
    expect(await statsOf(B_ADMIN, b)).toEqual(summed);
  });
});

describe('Telegram communities: refusals change nothing', () => {
  it('refuses /community link, with or without a code, to a member who is no admin', async () => {
    const { a, b } = groups('members');
    await post(a, 1, ['alice']);
    await post(b, 1, ['bob']);
    const code = await issueCode(A_ADMIN, a);

    const issuing = await refused(() => answerTo('alice', a, '/community link'));
    const redeeming = await refused(() => answerTo('bob', b, `/community link ${code}`));

    expect(issuing).toContain('/community link is for moderators only');
    expect(redeeming).toContain('/community link is for moderators only');
  });

  it('refuses a press on Join by a member who is no admin of the group it names', async () => {
    const { a, b } = groups('presser');
    await post(a, 1, ['alice']);
    await post(b, 1, ['bob']);
    const [question] = await ask(B_ADMIN, b, `/community link ${await issueCode(A_ADMIN, a)}`);
    const mark = underTest().api.requests.length;

    await refused(() => press('bob', question, 'Join', 'q-bob'));

    // Telegram was asked about bob in group B (named by the button); bob alone saw the refusal, as an alert.
    const calls = underTest()
      .api.requests.slice(mark)
      .map((request) => [request.path.split('/').pop(), request.payload]);
    expect(calls).toEqual([
      ['getChatMember', { chat_id: chatOf(b), user_id: sandboxUserId('bob') }],
      [
        'answerCallbackQuery',
        expect.objectContaining({
          text: expect.stringMatching(/^Only a moderator of that space can confirm/),
        }),
      ],
    ]);
  });

  it('refuses a code never issued, a member code, a used code and an expired one', async () => {
    // Prepare: B joins A with one code; C (space c) tries it next; another code is redeemed 16 minutes on.
    const { a, b, code } = await linked('codes');
    const c: Group = { space: 'c', channel: 'codes' };
    await post(c, 1, ['dave']);
    const fresh = await issueCode(A_ADMIN, a);
    const later = new Date(Date.now() + 16 * 60_000);
    const inSixteenMinutes = underTest().another({}, { now: () => later });

    // Act
    const forged = await refused(() => answerTo(B_ADMIN, b, '/community link S-7Q4K-9D2M'));
    const memberCode = await refused(() => answerTo(B_ADMIN, b, '/community link M-7Q4K-9D2M'));
    const reused = await refused(() => answerTo('modann-c', c, `/community link ${code}`));
    const expired = await refused(() =>
      answerTo('modann-c', c, `/community link ${fresh}`, inSixteenMinutes),
    );

    // Assess
    expect(forged).toMatch(/^That code is unknown or has expired \(codes work for 15 minutes\)/);
    expect(memberCode).toMatch(/^M-7Q4K-9D2M is not a space link code: they look like S-7Q4K-9D2M\./);
    expect(reused).toMatch(/^That code has been used already\./);
    expect(expired).toMatch(/^That code is unknown or has expired/);
  });

  it('joins nothing for a code redeemed but not confirmed, or cancelled', async () => {
    // Prepare
    const { a, b } = groups('unsure');
    await post(a, 1, ['alice']);
    await post(b, 2, ['bob']);
    const code = await issueCode(A_ADMIN, a);
    const mark = underTest().api.requests.length;

    // Act: redeemed (and left so), then cancelled.
    const [question] = await refused(() => ask(B_ADMIN, b, `/community link ${code}`));
    await refused(() => press(B_ADMIN, question, 'Cancel', 'q-cancel'));

    // Assess: the question says so; A's community is still A alone.

    const edits = underTest()
      .api.requests.slice(mark)
      .filter((r) => r.path.endsWith('/editMessageText'));
    expect(edits.map((request) => (request.payload as { text: string }).text)).toEqual([
      'Nothing changed. The code still works until it expires.',
    ]);
    expect(await statsOf(A_ADMIN, a)).toEqual({ telegram: [1, 1, 0, 0, 0], total: [1, 1, 0, 0, 0] });
    expect(await answerTo(A_ADMIN, a, '/community spaces')).not.toContain(key(b));
  });
});

describe('Telegram communities: unlinking', () => {
  it('makes B a community of its own again, splits the stats exactly, and audits it', async () => {
    // Prepare
    const { a, b } = await linked('unlink');

    // Act: B's other admin (no community moderator) is refused; B's linking admin unlinks.
    const refusal = await refused(() => answerTo('modsam-b', b, '/community unlink'));
    const unlinked = await answerTo(B_ADMIN, b, '/community unlink');

    // Assess
    expect(refusal).toContain("/community unlink is for this community's moderators only");
    expect(unlinked).toMatch(/is now a community of its own/);
    expect(await statsOf(A_ADMIN, a)).toEqual({ telegram: [1, 2, 0, 0, 0], total: [1, 2, 0, 0, 0] });
    expect(await statsOf(B_ADMIN, b)).toEqual({ telegram: [2, 3, 0, 0, 0], total: [2, 3, 0, 0, 0] });
    expect(await answerTo(A_ADMIN, a, '/community spaces')).not.toContain(key(b));
    const audit = await answerTo(A_ADMIN, a, '/community audit');
    expect(audit).toContain(`${member(B_ADMIN)} in ${key(b)}: unlinked ${key(b)}`);
  });
});

describe('Telegram communities: community moderators', () => {
  it('lets a community moderator add and remove one named by a mention, never the last one', async () => {
    // Prepare
    const { a } = await linked('mods');
    const list = () => answerTo(A_ADMIN, a, '/community moderators');

    const byModsam = (text: string) => refused(() => answerTo('modsam', a, text));

    // Act and assess: modsam administers A but is no community moderator.
    expect(await byModsam('/community moderators add @dave')).toContain(
      "is for this community's moderators only",
    );
    expect(await answerTo(A_ADMIN, a, '/community moderators add @dave')).toBe(
      `${member('dave')} is a community moderator now.`,
    );
    expect(await list()).toContain(member('dave'));
    expect(await byModsam('/community moderators remove @dave')).toContain(
      "is for this community's moderators only",
    );
    for (const name of ['dave', B_ADMIN]) {
      expect(await answerTo(A_ADMIN, a, `/community moderators remove @${name}`)).toBe(
        `${member(name)} is no longer a community moderator.`,
      );
    }
    expect(await answerTo(A_ADMIN, a, `/community moderators remove @${A_ADMIN}`)).toBe(
      'A community keeps at least one community moderator: add another one first.',
    );
    const moderators = await list();
    expect([member(A_ADMIN), member(B_ADMIN), member('dave')].map((id) => moderators.includes(id))).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('Telegram communities: approved mode', () => {
  it('serves a waiting group once it redeemed a code and its admin pressed Join', async () => {
    // Prepare: a bot of its own serving approved spaces only; A approved by ops, B waiting.
    const approved = await startBotUnderTest(telegramPlatform, { env: { SPACES_MODE: 'approved' } });
    onTestFinished(() => approved.close());
    const own = communityHarness(() => approved);
    const { a, b } = groups('waiting');
    await own.say('alice', a, 'first');
    await approveSpace(approved.table.store.core, own.spaceOf(a), 'ops-test', new Date());
    const waiting = await own.say('bob', b, 'before');
    const recordedWhileWaiting = await messagesIn(approved, b);

    // Act: B links itself; its next message reaches another instance, which reads the space fresh (the
    // instance that answered the press trusts what it read before it for a minute: reported to the lead).
    const { question } = await own.link({ admin: A_ADMIN, group: a }, { admin: B_ADMIN, group: b });
    const served = await own.say('bob', b, 'after', approved.another());

    // Assess: nothing recorded while waiting; after Join, B is active in A's community and records.
    expect([waiting.statusCode, served.statusCode]).toEqual([200, 200]);
    expect(question?.buttons.map((button) => button.label)).toEqual(['Join', 'Cancel']);
    const record = await approved.table.store.core.spaces.find(own.spaceOf(b));
    const home = await approved.table.store.core.spaces.find(own.spaceOf(a));
    expect(record).toMatchObject({ status: 'active', communityId: home?.communityId });
    expect([recordedWhileWaiting, await messagesIn(approved, b)]).toEqual([0, 1]);
  });
});
