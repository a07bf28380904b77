/**
 * Communities on Discord, through the real interactions handler (signed) and the gateway ingestion: two
 * servers (sandbox spaces a and b) are two communities until A's moderator issues a one-time code and B's
 * moderator redeems and confirms it. Asserted on the interaction responses, what the fake API received and
 * the table. Each block has its own bot and table: what one links, another never sees.
 */
import { describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { createDiscordGatewayIngestion } from '../../bots/discord/gateway/ingest.js';
import { dmRecipientOf } from '../../bots/discord/sandbox-api.js';
import { sandboxGuildId, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import { gatewayGuildCreate, gatewayMessage } from '../../bots/discord/sandbox-gateway.js';
import { runSpacesCommand } from '../../infra/ops/spaces.js';
import {
  answerOf,
  ask,
  buttonsOf,
  commandIn,
  communityState,
  contentOf,
  type DiscordContext,
  discordBot,
  postIn,
  pressed,
  pressOn,
  say,
  statsFor,
  todayRows,
} from './discord-harness.js';

/** The moderators who run space a and space b (both moderate every sandbox server: one cast). */
const A_MOD = 'modsam';
const B_MOD = 'modmia';
const key = (space: string) => `discord:${sandboxGuildId(space)}`;
const member = (name: string) => `discord:${sandboxUserId(name)}`;
const CODE = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/;
/** The `today` rows of a stats answer covering one server: its platform's row and the total. */
const alone = (members: number, messages: number) => ({
  discord: [members, messages, 0, 0, 0],
  total: [members, messages, 0, 0, 0],
});

async function issueCode(context: DiscordContext, space = 'a', user = A_MOD): Promise<string> {
  const code = CODE.exec(await say(context, space, user, '/community link'))?.[0];
  expect(code).toBeDefined();
  return code ?? '';
}

/** A's moderator issues a code; B's moderator redeems it and presses Join. */
async function link(context: DiscordContext) {
  const code = await issueCode(context);
  const question = await ask(context, 'b', B_MOD, `/community link ${code}`);
  expect(await pressed(context, question, 'Join', { user: B_MOD, space: 'b' })).toMatch(/^Done: /);
  return { code, question };
}

/** Runs `act` on a settled table (every space known, notices posted) and proves no community item changed. */
async function refused(context: DiscordContext, act: () => Promise<string>): Promise<string> {
  await Promise.all(['a', 'b', 'c'].map((space) => say(context, space, 'alice', '/community help')));
  await context.bot.lambda.idle();
  const before = await communityState(context);
  const answer = await act();
  await context.bot.lambda.idle();
  expect(await communityState(context)).toEqual(before);
  return answer;
}

const spaceOf = (context: DiscordContext, space: string) =>
  context.bot.table.store.core.spaces.find({ platform: 'discord', id: sandboxGuildId(space) });

describe('two servers are two communities', () => {
  const context = discordBot();

  it("shows each moderator only their own server's stats, spaces and audit", async () => {
    // Prepare: different numbers in each server; each moderator asks for a code (an audit entry each).
    await postIn(context, 'a', 3, ['alice', 'bob']);
    await postIn(context, 'b', 5, ['carol', 'dana', 'erin']);
    await issueCode(context, 'a', A_MOD);
    await issueCode(context, 'b', B_MOD);

    // Act
    const [statsA, statsB] = [await statsFor(context, A_MOD, 'a'), await statsFor(context, B_MOD, 'b')];
    const [spacesA, spacesB] = [
      await say(context, 'a', A_MOD, '/community spaces'),
      await say(context, 'b', B_MOD, '/community spaces'),
    ];
    const [auditA, auditB] = [
      await say(context, 'a', A_MOD, '/community audit'),
      await say(context, 'b', B_MOD, '/community audit'),
    ];

    // Assess: one platform row and the total, each of its own server only.
    expect(todayRows(statsA)).toEqual(alone(2, 3));
    expect(todayRows(statsB)).toEqual(alone(3, 5));
    expect(spacesA).toContain(`\`${key('a')}\`: active (this space)`);
    expect(spacesB).toContain(`\`${key('b')}\`: active (this space)`);
    expect(auditA).toContain(`\`${member(A_MOD)}\` in \`${key('a')}\`: asked for a link code`);
    expect(auditB).toContain(`\`${member(B_MOD)}\` in \`${key('b')}\`: asked for a link code`);
    expect(spacesA + auditA).not.toContain(sandboxGuildId('b'));
    expect(spacesB + auditB).not.toContain(sandboxGuildId('a'));
  });
});

describe('linking with a one-time code', () => {
  const context = discordBot();

  it('asks to confirm, joins on Join, tells the issuer once, and sums both servers in stats', async () => {
    // Prepare
    await postIn(context, 'a', 2, ['alice']);
    await postIn(context, 'b', 4, ['bob', 'carol']);
    const mark = context.bot.api.requests.length;
    const code = await issueCode(context);

    // Act 1: B's moderator redeems the code.
    const question = await ask(context, 'b', B_MOD, `/community link ${code}`);

    // Assess 1: what will be joined, with Join (carrying the code's digest) and Cancel; nothing joined yet.
    expect(question.data?.content).toMatch(
      new RegExp(`^Join discord \`${key('b')}\` to the community of discord \`${key('a')}\`\\?`),
    );
    expect(buttonsOf(question)).toEqual([
      { label: 'Join', custom_id: expect.stringMatching(/^link\.join:[0-9a-f]{32}\/\d+$/) },
      { label: 'Cancel', custom_id: 'link.cancel' },
    ]);
    expect((await spaceOf(context, 'b'))?.communityId).not.toBe((await spaceOf(context, 'a'))?.communityId);
    expect(todayRows(await statsFor(context, B_MOD, 'b'))).toEqual(alone(2, 4));

    // Act 2
    const done = await pressOn(context, question, 'Join', { user: B_MOD, space: 'b' });

    // Assess 2: the question became "Done", the issuer heard once, privately; both run the community.
    expect(done).toMatchObject({ type: 7, data: { components: [] } });
    expect(done.data?.content).toBe(
      `Done: discord \`${key('b')}\` is part of that community now. ` +
        'You and the moderator who issued the code are its community moderators.',
    );
    await context.bot.lambda.idle();
    const sent = context.bot.api.requests.slice(mark);
    const told = sent.filter((request) => contentOf(request).startsWith('Your link code was used'));
    expect(told.map((request) => dmRecipientOf(/channels\/(\d+)/.exec(request.path)?.[1] ?? ''))).toEqual([
      sandboxUserId(A_MOD),
    ]);
    // The code itself only ever travelled in A's moderator's ephemeral answer: Discord's API never saw it.
    expect(sent.filter((request) => JSON.stringify(request.payload ?? '').includes(code))).toEqual([]);
    const moderators = await say(context, 'a', A_MOD, '/community moderators list');
    expect(moderators).toContain(member(A_MOD));
    expect(moderators).toContain(member(B_MOD));
    const summed = {
      [key('a')]: [1, 2, 0, 0, 0],
      [key('b')]: [2, 4, 0, 0, 0],
      discord: [3, 6, 0, 0, 0],
      total: [3, 6, 0, 0, 0],
    };
    expect(todayRows(await statsFor(context, A_MOD, 'a'))).toEqual(summed);
    expect(todayRows(await statsFor(context, B_MOD, 'b'))).toEqual(summed);
  });
});

describe('refusals change nothing', () => {
  const context = discordBot();
  const MODERATORS_ONLY = 'Sorry, `/community link` is for moderators only (on discord: members with the';

  it('refuses /community link, with or without a code, to a member who is no moderator', async () => {
    const code = await issueCode(context);

    expect(await refused(context, () => say(context, 'a', 'alice', '/community link'))).toContain(
      MODERATORS_ONLY,
    );
    expect(await refused(context, () => say(context, 'b', 'bob', `/community link ${code}`))).toContain(
      MODERATORS_ONLY,
    );
  });

  it('refuses Join pressed by a member who is no moderator, and Cancel leaves the code as it was', async () => {
    const question = await ask(context, 'b', B_MOD, `/community link ${await issueCode(context)}`);

    const byMember = await refused(context, () =>
      pressed(context, question, 'Join', { user: 'bob', space: 'b' }),
    );
    const cancelled = await refused(context, () =>
      pressed(context, question, 'Cancel', { user: B_MOD, space: 'b' }),
    );

    expect(byMember).toBe(
      'Only a moderator of that space can confirm (members with the Manage Server permission).',
    );
    expect(cancelled).toBe('Nothing changed. The code still works until it expires.');
  });

  it('refuses a forged code and a member code (M-...), naming what is wrong', async () => {
    const forged = await refused(context, () => say(context, 'b', B_MOD, '/community link S-7Q4K-9D2M'));
    const memberCode = await refused(context, () => say(context, 'b', B_MOD, '/community link M-7Q4K-9D2M'));

    expect(forged).toMatch(/^That code is unknown or has expired \(codes work for 15 minutes\)\./);
    expect(memberCode).toBe('`M-7Q4K-9D2M` is not a space link code: they look like `S-7Q4K-9D2M`.');
  });

  it('refuses a code 16 minutes after it was issued, typed or confirmed', async () => {
    // Prepare: a code and its question now; another instance whose clock reads 16 minutes later.
    const code = await issueCode(context);
    const question = await ask(context, 'b', B_MOD, `/community link ${code}`);
    const later = new Date(Date.now() + 16 * 60_000);
    const handler = context.bot.another({}, { now: () => later });

    // Act
    const typed = await refused(context, async () => {
      const delivery = commandIn('b', B_MOD, `/community link ${code}`, later);
      return answerOf(await context.deliver(delivery, handler)).data?.content ?? '';
    });
    const confirmed = await refused(context, () =>
      pressed(context, question, 'Join', { user: B_MOD, space: 'b', at: later, handler }),
    );

    // Assess
    for (const answer of [typed, confirmed]) expect(answer).toMatch(/^That code is unknown or has expired/);
  });

  it('joins nothing while a redeemed code is not confirmed', async () => {
    const code = await issueCode(context);

    const question = await refused(context, () => say(context, 'b', B_MOD, `/community link ${code}`));

    expect(question).toMatch(/^Join discord /);
    expect((await spaceOf(context, 'b'))?.communityId).not.toBe((await spaceOf(context, 'a'))?.communityId);
  });
});

describe('a code works once', () => {
  const context = discordBot();

  it('refuses a code B used to a third server, typed or pressed', async () => {
    // Prepare: B joined A with the code.
    const { code, question } = await link(context);

    // Act: C's moderator types the code, and presses a Join carrying its digest.
    const typed = await refused(context, () => say(context, 'c', A_MOD, `/community link ${code}`));
    const confirmed = await refused(context, () =>
      pressed(context, question, 'Join', { user: A_MOD, space: 'c' }),
    );

    // Assess
    for (const answer of [typed, confirmed]) expect(answer).toMatch(/^That code has been used already\./);
    expect((await spaceOf(context, 'c'))?.communityId).not.toBe((await spaceOf(context, 'a'))?.communityId);
  });
});

describe('unlinking', () => {
  const context = discordBot();

  it("splits the stats again, shows in A's audit, and is refused to anyone but a community moderator", async () => {
    // Prepare
    await postIn(context, 'a', 2, ['alice']);
    await postIn(context, 'b', 3, ['carol', 'dana']);
    await link(context);

    // Act: the owner of B moderates B, but is no community moderator; then B's moderator unlinks.
    const byOwner = await refused(context, () => say(context, 'b', 'olga', '/community unlink'));
    const byMember = await refused(context, () => say(context, 'b', 'alice', '/community unlink'));
    const unlinked = await say(context, 'b', B_MOD, '/community unlink');

    // Assess
    for (const answer of [byOwner, byMember]) {
      expect(answer).toContain("`/community unlink` is for this community's moderators only");
    }
    expect(unlinked).toMatch(new RegExp(`^discord \`${key('b')}\` is now a community of its own`));
    expect(todayRows(await statsFor(context, A_MOD, 'a'))).toEqual(alone(1, 2));
    expect(todayRows(await statsFor(context, B_MOD, 'b'))).toEqual(alone(2, 3));
    expect(await say(context, 'a', A_MOD, '/community audit')).toContain(
      `\`${member(B_MOD)}\` in \`${key('b')}\`: unlinked ${key('b')}: it is a community of its own now`,
    );
  });
});

describe('community moderators', () => {
  const context = discordBot();

  it('are added and removed by community moderators only, and the last one stays', async () => {
    // Prepare: the link made A's and B's moderators the community's.
    await link(context);
    const carol = `<@${sandboxUserId('carol')}>`;

    // Act
    const refusals = [
      await refused(context, () => say(context, 'b', 'olga', `/community moderators add ${carol}`)),
      await refused(context, () => say(context, 'a', 'alice', `/community moderators add ${carol}`)),
      await refused(context, () =>
        say(context, 'b', 'olga', `/community moderators remove <@${sandboxUserId(B_MOD)}>`),
      ),
    ];
    const added = await say(context, 'a', A_MOD, `/community moderators add ${carol}`);
    const listed = await say(context, 'b', B_MOD, '/community moderators list');
    const removed = [
      await say(context, 'b', B_MOD, `/community moderators remove ${carol}`),
      await say(context, 'a', A_MOD, `/community moderators remove <@${sandboxUserId(B_MOD)}>`),
    ];
    const last = await refused(context, () =>
      say(context, 'a', A_MOD, `/community moderators remove <@${sandboxUserId(A_MOD)}>`),
    );

    // Assess
    for (const answer of refusals) expect(answer).toContain("is for this community's moderators only");
    expect(added).toBe(`\`${member('carol')}\` is a community moderator now.`);
    // Discord shows `\-` as `-` (escaped so it is not read as a list marker).
    expect(listed.split('\n').slice(1).sort()).toEqual(
      [A_MOD, B_MOD, 'carol'].map((name) => `\\- \`${member(name)}\``).sort(),
    );
    expect(removed).toEqual([
      `\`${member('carol')}\` is no longer a community moderator.`,
      `\`${member(B_MOD)}\` is no longer a community moderator.`,
    ]);
    expect(last).toBe('A community keeps at least one community moderator: add another one first.');
  });
});

describe('linking a waiting server (approved mode)', () => {
  const context = discordBot({ env: { SPACES_MODE: 'approved' } });
  const relay = () => createDiscordGatewayIngestion(loadDiscordConfig(context.bot.env), context.capture.deps);

  it('lets a pending server redeem a code from an approved one, and serves it once it joined', async () => {
    // Prepare: the bot joins A (pending), ops approve it; A's moderator issues a code.
    await context.gateway.dispatch(gatewayGuildCreate({ space: 'a' }));
    const printed: string[] = [];
    const approval = await runSpacesCommand(['approve', key('a')], context.bot.env, (line) =>
      printed.push(line),
    );
    expect([approval, printed]).toEqual([0, [expect.stringMatching(/^Approved discord:/)]]);
    const code = await issueCode(context);

    // Act 1: B (first heard from now) redeems it; a message there is not recorded yet.
    const question = await ask(context, 'b', B_MOD, `/community link ${code}`);
    const before = await relay().dispatch(
      gatewayMessage({ user: 'bob', channel: 'general', space: 'b' }, new Date()),
    );

    // Act 2
    const done = await pressed(context, question, 'Join', { user: B_MOD, space: 'b' });
    const message = gatewayMessage({ user: 'bob', channel: 'general', space: 'b' }, new Date());
    const after = await relay().dispatch(message);

    // Assess
    expect(buttonsOf(question).map((button) => button.label)).toEqual(['Join', 'Cancel']);
    expect(before).toEqual({ outcome: 'not_served' });
    expect(done).toMatch(/^Done: /);
    expect(await spaceOf(context, 'b')).toMatchObject({
      status: 'active',
      communityId: (await spaceOf(context, 'a'))?.communityId,
    });
    expect(after).toEqual({ outcome: 'recorded' });
    const items = await context.bot.table.engagementItems();
    expect(items.filter((item) => item.key?.S === `${key('b')}:${message.d.id}`)).toHaveLength(1);
  });
});
