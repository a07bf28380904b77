import { describe, expect, it } from 'vitest';
import { type SandboxWorkspace, WORKSPACE_A, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import { approveSpace } from '../../shared/core/communities/approve.js';
import type { BotUnderTest } from '../support/bot.js';
import { field, received } from './slack-deliveries.js';
import {
  ask,
  communityState,
  installedForBlock as installed,
  post,
  pressed,
  pressOn,
  say,
  statsOf,
  tokenOf,
} from './slack-install-harness.js';

/*
 * Communities on Slack, through the real signed handler: two workspaces (sandbox spaces a = T0SANDBOX and
 * b = T0SANDBOXB) are two communities until A's admin issues a one-time code and B's admin redeems and
 * confirms it. The bot serves many workspaces (no SLACK_BOT_TOKEN), both installed through the OAuth flow:
 * only then is B a workspace of its own, with its own bot token that the fake Slack answers as B's (with
 * one SLACK_BOT_TOKEN the bot would speak in B with A's token). Asserted on the answers, what the fake Slack
 * received (and with which token) and the table. Each block has its own bot, table and fake Slack.
 */

const A = WORKSPACE_A;
const B = WORKSPACE_B;
/** A's admin and B's admin (the fake Slack makes every `UMOD...` an admin, in either workspace). */
const A_ADMIN = 'UMODSAM';
const B_ADMIN = 'UMODMIA';
/** Another admin of B: a space moderator there, but never made a community moderator. */
const B_OTHER = 'UMODLEA';
const key = (workspace: SandboxWorkspace) => `slack:${workspace.teamId}`;
/**
 * How the bot names a workspace to people: `slack <name> slack:<team>`. The installation names it by its
 * team name, and each slash command renames it by its `team_domain` (the only name a command carries).
 */
const named = (workspace: SandboxWorkspace) => `slack ${workspace.teamName} ${key(workspace)}`;
const CODE = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/;
/** The stats rows of a workspace alone: its platform's row and the total. */
const alone = (members: number, messages: number) => ({
  slack: [members, messages, 0, 0, 0],
  total: [members, messages, 0, 0, 0],
});
/** The stats rows of both workspaces in one community. */
const both = (a: [number, number], b: [number, number]) => ({
  [`${A.teamName} (${key(A)})`]: [...a, 0, 0, 0],
  [`${B.teamName} (${key(B)})`]: [...b, 0, 0, 0],
  slack: [a[0] + b[0], a[1] + b[1], 0, 0, 0],
  total: [a[0] + b[0], a[1] + b[1], 0, 0, 0],
});

async function issueCode(bot: BotUnderTest, workspace = A, user = A_ADMIN): Promise<string> {
  const answer = await ask(bot, workspace, user, 'link');
  expect(answer.responseType).toBe('ephemeral');
  const code = CODE.exec(answer.text)?.[0];
  expect(code, answer.text).toBeDefined();
  return code ?? '';
}

/** A's admin issues a code; B's admin redeems it and presses Join. */
async function link(bot: BotUnderTest) {
  const code = await issueCode(bot);
  const question = await ask(bot, B, B_ADMIN, `link ${code}`);
  expect(await pressed(bot, question, 'link.join', { user: B_ADMIN, workspace: B })).toMatch(/^Done: /);
  return { code, question };
}

/** Runs `act` on a settled table (both spaces heard from, notices posted), proving no community item changed. */
async function refused<T>(bot: BotUnderTest, act: () => Promise<T>): Promise<T> {
  await Promise.all([A, B].map((workspace) => say(bot, workspace, 'UALICE', 'help')));
  await bot.lambda.idle();
  const before = await communityState(bot);
  const result = await act();
  await bot.lambda.idle();
  expect(await communityState(bot)).toEqual(before);
  return result;
}

const spaceOf = (bot: BotUnderTest, workspace: SandboxWorkspace) =>
  bot.table.store.core.spaces.find({ platform: 'slack', id: workspace.teamId });

/** A's key is a prefix of B's: "names A" means A's key not followed by B's last letter. */
const NAMES_A = new RegExp(`${A.teamId}(?!B)`);

describe('Slack communities: two workspaces are two communities', () => {
  const bot = installed();

  it("shows each admin only their own workspace's stats, spaces and audit", async () => {
    // Prepare: different numbers in each workspace; each admin asks for a code (an audit entry each).
    await post(bot(), A, 3, ['alice', 'bob']);
    await post(bot(), B, 5, ['carol', 'dana', 'erin']);
    await issueCode(bot(), A, A_ADMIN);
    await issueCode(bot(), B, B_ADMIN);

    // Act
    const [statsA, statsB] = [await statsOf(bot(), A, A_ADMIN), await statsOf(bot(), B, B_ADMIN)];
    const [spacesA, spacesB] = [
      await say(bot(), A, A_ADMIN, 'spaces'),
      await say(bot(), B, B_ADMIN, 'spaces'),
    ];
    const [auditA, auditB] = [await say(bot(), A, A_ADMIN, 'audit'), await say(bot(), B, B_ADMIN, 'audit')];

    // Assess: one platform row and the total, each of its own workspace only.
    expect(statsA).toEqual(alone(2, 3));
    expect(statsB).toEqual(alone(3, 5));
    expect(spacesA).toContain(`${named(A)}: active (this space)`);
    expect(spacesB).toContain(`${named(B)}: active (this space)`);
    expect(auditA).toContain(`slack:${A_ADMIN} in ${key(A)}: asked for a link code`);
    expect(auditB).toContain(`slack:${B_ADMIN} in ${key(B)}: asked for a link code`);
    expect(spacesA + auditA).not.toContain(B.teamId);
    expect(spacesB + auditB).not.toMatch(NAMES_A);
    expect((await spaceOf(bot(), A))?.communityId).not.toBe((await spaceOf(bot(), B))?.communityId);
  });
});

describe('Slack communities: linking with a one-time code', () => {
  const bot = installed();

  it('asks to confirm, joins on Join, tells the issuer once with A’s token, and sums both workspaces', async () => {
    // Prepare
    await post(bot(), A, 2, ['alice']);
    await post(bot(), B, 4, ['bob', 'carol']);
    const mark = bot().api.requests.length;
    const code = await issueCode(bot());

    // Act 1: B's admin redeems the code.
    const question = await ask(bot(), B, B_ADMIN, `link ${code}`);

    // Assess 1: privately, what will be joined, with Join (the code's digest and B) and Cancel; nothing joined.
    expect(question.responseType).toBe('ephemeral');
    expect(question.text).toMatch(
      new RegExp(`^Join ${named(B)} to the community of ${named(A)}\\? It has 1 space:`),
    );
    expect(question.buttons.map((button) => [button.action_id, button.value])).toEqual([
      ['link.join', expect.stringMatching(`^[0-9a-f]{32}/${B.teamId}$`)],
      ['link.cancel', undefined],
    ]);
    expect((await spaceOf(bot(), B))?.communityId).not.toBe((await spaceOf(bot(), A))?.communityId);
    expect(await statsOf(bot(), B, B_ADMIN)).toEqual(alone(2, 4));

    // Act 2
    const done = await pressOn(bot(), question, 'link.join', { user: B_ADMIN, workspace: B });

    // Assess 2: the question was replaced by "Done"; the issuer heard once, in their DM in A, with A's token.
    expect(done).toEqual([
      {
        replaced: true,
        text:
          `Done: ${named(B)} is part of that community now. ` +
          'You and the moderator who issued the code are its community moderators.',
      },
    ]);
    const [tokenA, tokenB] = [
      await tokenOf({ bot: bot() }, A.teamId),
      await tokenOf({ bot: bot() }, B.teamId),
    ];
    const sent = bot().api.requests.slice(mark);
    const told = sent.filter((request) => field(request, 'text')?.startsWith('Your link code was used'));
    expect(
      told.map((request) => [request.path, field(request, 'channel'), request.headers.authorization]),
    ).toEqual([['/api/chat.postMessage', A_ADMIN, `Bearer ${tokenA}`]]);
    expect(tokenA).not.toBe(tokenB);
    expect(field(told[0], 'text')).toBe(`Your link code was used: ${named(B)} joined your community.`);
    // The code only ever travelled in A's admin's acknowledgement: Slack's API and hooks never saw it.
    expect(sent.filter((request) => JSON.stringify(request.payload ?? '').includes(code))).toEqual([]);
    const [a, b] = [await spaceOf(bot(), A), await spaceOf(bot(), B)];
    expect(b).toMatchObject({ status: 'active', communityId: a?.communityId });
    const moderators = await bot().table.store.core.communities.moderators(a?.communityId ?? '');
    expect(moderators.map((member) => member.id).sort()).toEqual([B_ADMIN, A_ADMIN].sort());
    expect(await statsOf(bot(), A, A_ADMIN)).toEqual(both([1, 2], [2, 4]));
    expect(await statsOf(bot(), B, B_ADMIN)).toEqual(both([1, 2], [2, 4]));
  });
});

describe('Slack communities: refusals change nothing', () => {
  const bot = installed();
  const MODERATORS_ONLY =
    'Sorry, /community link is for moderators only (on slack: workspace owners and admins).';

  it('refuses /community link, with or without a code, to a member who is no admin', async () => {
    const code = await issueCode(bot());

    const issuing = await refused(bot(), () => say(bot(), A, 'UALICE', 'link'));
    const redeeming = await refused(bot(), () => say(bot(), B, 'UBOB', `link ${code}`));

    for (const answer of [issuing, redeeming]) expect(answer).toContain(MODERATORS_ONLY);
  });

  it('refuses Join pressed by a member who is no admin, privately; Cancel says nothing changed', async () => {
    const question = await ask(bot(), B, B_ADMIN, `link ${await issueCode(bot())}`);

    const byMember = await refused(bot(), () =>
      pressOn(bot(), question, 'link.join', { user: 'UBOB', workspace: B }),
    );
    const cancelled = await refused(bot(), () =>
      pressOn(bot(), question, 'link.cancel', { user: B_ADMIN, workspace: B }),
    );

    // Slack was asked about Bob in B, with B's token; Bob alone saw the refusal, beside the question; Cancel
    // replaced the question.
    const lookups = received(bot().api, '/api/users.info').filter(
      (request) => field(request, 'user') === 'UBOB',
    );
    expect(new Set(lookups.map((request) => request.headers.authorization))).toEqual(
      new Set([`Bearer ${await tokenOf({ bot: bot() }, B.teamId)}`]),
    );
    expect(byMember).toEqual([
      { replaced: false, text: 'Only a moderator of that space can confirm (workspace owners and admins).' },
    ]);
    expect(cancelled).toEqual([
      { replaced: true, text: 'Nothing changed. The code still works until it expires.' },
    ]);
  });

  it('refuses a forged code and a member code (M-...), naming what is wrong', async () => {
    const forged = await refused(bot(), () => say(bot(), B, B_ADMIN, 'link S-7Q4K-9D2M'));
    const memberCode = await refused(bot(), () => say(bot(), B, B_ADMIN, 'link M-7Q4K-9D2M'));

    expect(forged).toMatch(/^That code is unknown or has expired \(codes work for 15 minutes\)\./);
    expect(memberCode).toBe('M-7Q4K-9D2M is not a space link code: they look like S-7Q4K-9D2M.');
  });

  it('refuses a code 16 minutes after it was issued, typed or confirmed', async () => {
    // Prepare: a code and its question now; another instance whose clock reads 16 minutes later.
    const code = await issueCode(bot());
    const question = await ask(bot(), B, B_ADMIN, `link ${code}`);
    const at = new Date(Date.now() + 16 * 60_000);
    const handler = bot().another({}, { now: () => at });

    // Act
    const typed = await refused(bot(), () => say(bot(), B, B_ADMIN, `link ${code}`, { handler, at }));
    const confirmed = await refused(bot(), () =>
      pressed(bot(), question, 'link.join', { user: B_ADMIN, workspace: B, handler, at }),
    );

    // Assess
    for (const answer of [typed, confirmed]) expect(answer).toMatch(/^That code is unknown or has expired/);
  });

  it('joins nothing while a redeemed code is not confirmed', async () => {
    const code = await issueCode(bot());

    const question = await refused(bot(), () => say(bot(), B, B_ADMIN, `link ${code}`));

    expect(question.startsWith(`Join ${named(B)} to the community of ${named(A)}?`)).toBe(true);
    expect((await spaceOf(bot(), B))?.communityId).not.toBe((await spaceOf(bot(), A))?.communityId);
  });
});

describe('Slack communities: a code works once', () => {
  const bot = installed();

  it('refuses the code to B again once B left, typed or pressed', async () => {
    // Prepare: B joined A with the code, then left again.
    const { code, question } = await link(bot());
    expect(await say(bot(), B, B_ADMIN, 'unlink')).toMatch(/is now a community of its own/);

    // Act
    const typed = await refused(bot(), () => say(bot(), B, B_ADMIN, `link ${code}`));
    const confirmed = await refused(bot(), () =>
      pressed(bot(), question, 'link.join', { user: B_ADMIN, workspace: B }),
    );

    // Assess
    for (const answer of [typed, confirmed]) expect(answer).toMatch(/^That code has been used already\./);
  });
});

describe('Slack communities: unlinking', () => {
  const bot = installed();

  it("splits the stats exactly, shows in A's audit, and is refused to anyone but a community moderator", async () => {
    // Prepare
    await post(bot(), A, 2, ['alice']);
    await post(bot(), B, 3, ['carol', 'dana']);
    await link(bot());

    // Act: B's other admin moderates B but is no community moderator; then B's linking admin unlinks.
    const byAdmin = await refused(bot(), () => say(bot(), B, B_OTHER, 'unlink'));
    const byMember = await refused(bot(), () => say(bot(), B, 'UALICE', 'unlink'));
    const unlinked = await say(bot(), B, B_ADMIN, 'unlink');

    // Assess
    for (const answer of [byAdmin, byMember]) {
      expect(answer).toContain("Sorry, /community unlink is for this community's moderators only");
    }
    expect(unlinked).toMatch(new RegExp(`^${named(B)} is now a community of its own`));
    expect((await spaceOf(bot(), B))?.communityId).not.toBe((await spaceOf(bot(), A))?.communityId);
    expect(await statsOf(bot(), A, A_ADMIN)).toEqual(alone(1, 2));
    expect(await statsOf(bot(), B, B_ADMIN)).toEqual(alone(2, 3));
    expect(await say(bot(), A, A_ADMIN, 'audit')).toContain(
      `slack:${B_ADMIN} in ${key(B)}: unlinked ${key(B)}: it is a community of its own now`,
    );
    expect(await say(bot(), A, A_ADMIN, 'spaces')).not.toContain(B.teamId);
  });
});

describe('Slack communities: community moderators', () => {
  const bot = installed();

  it('are added and removed by mention by community moderators only, and the last one stays', async () => {
    // Prepare: the link made A's and B's admins the community's moderators.
    await link(bot());
    const carol = '<@UCAROL|carol>';

    // Act
    const refusals = [
      await refused(bot(), () => say(bot(), B, B_OTHER, `moderators add ${carol}`)),
      await refused(bot(), () => say(bot(), A, 'UALICE', `moderators add ${carol}`)),
      await refused(bot(), () => say(bot(), B, B_OTHER, `moderators remove <@${B_ADMIN}>`)),
    ];
    const added = await say(bot(), A, A_ADMIN, `moderators add ${carol}`);
    const listed = await say(bot(), B, B_ADMIN, 'moderators list');
    const removed = [
      await say(bot(), B, B_ADMIN, 'moderators remove <@UCAROL>'),
      await say(bot(), A, A_ADMIN, `moderators remove <@${B_ADMIN}>`),
    ];
    const last = await refused(bot(), () => say(bot(), A, A_ADMIN, `moderators remove <@${A_ADMIN}>`));

    // Assess
    for (const answer of refusals) expect(answer).toContain("is for this community's moderators only");
    expect(added).toBe('slack:UCAROL is a community moderator now.');
    expect(listed.split('\n').slice(1).sort()).toEqual(
      [A_ADMIN, B_ADMIN, 'UCAROL'].map((id) => `- slack:${id}`).sort(),
    );
    expect(removed).toEqual([
      'slack:UCAROL is no longer a community moderator.',
      `slack:${B_ADMIN} is no longer a community moderator.`,
    ]);
    expect(last).toBe('A community keeps at least one community moderator: add another one first.');
    const communityId = (await spaceOf(bot(), A))?.communityId ?? '';
    expect(await bot().table.store.core.communities.moderators(communityId)).toEqual([
      { platform: 'slack', id: A_ADMIN },
    ]);
  });
});

describe('Slack communities: a waiting workspace (approved mode)', () => {
  const bot = installed({ spacesMode: 'approved' });

  it('lets a pending workspace redeem a code from an approved one, and serves it once it joined', async () => {
    // Prepare: both installed, so both wait; ops approve A, whose admin issues a code.
    await approveSpace(bot().table.store.core, { platform: 'slack', id: A.teamId }, 'ops-test', new Date());
    const code = await issueCode(bot());
    const messagesInB = async () =>
      (await bot().table.engagementItems()).filter(
        (item) => item.pk?.S?.startsWith(`EVT#${key(B)}:`) && item.kind?.S === 'message_posted',
      );

    // Act 1: B, waiting, says so to a command, records nothing, and redeems the code.
    const waiting = await say(bot(), B, B_ADMIN, 'spaces');
    await post(bot(), B, 1, ['bob']);
    const recordedWhileWaiting = (await messagesInB()).length;
    const question = await ask(bot(), B, B_ADMIN, `link ${code}`);

    // Act 2
    const done = await pressed(bot(), question, 'link.join', { user: B_ADMIN, workspace: B });
    await post(bot(), B, 1, ['bob']);

    // Assess
    expect(waiting).toMatch(/^This bot is not enabled in this space yet/);
    expect(question.buttons.map((button) => button.action_id)).toEqual(['link.join', 'link.cancel']);
    expect(done).toMatch(/^Done: /);
    expect(await spaceOf(bot(), B)).toMatchObject({
      status: 'active',
      communityId: (await spaceOf(bot(), A))?.communityId,
    });
    expect([recordedWhileWaiting, (await messagesInB()).length]).toEqual([0, 1]);
    expect(await statsOf(bot(), B, B_ADMIN)).toEqual(both([0, 0], [1, 1]));
  });
});
