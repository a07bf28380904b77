/**
 * The App Home on Slack: signed `app_home_opened` deliveries through the real handler, answered with
 * `views.publish` on the fake Slack. A member sees what they can do, whether they are recorded and their
 * linked accounts; a moderator also sees this week's numbers, failed messages and unread feedback of their
 * own community only. Asserted on what the fake Slack received.
 */
import { describe, expect, it } from 'vitest';
import { type SandboxWorkspace, SLACK_SANDBOX, WORKSPACE_A, WORKSPACE_B } from '../../bots/slack/sandbox.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { BotUnderTest } from '../support/bot.js';
import { command, press, signed } from './slack-deliveries.js';
import { ask, installedForBlock, post } from './slack-install-harness.js';

let sequence = 0;

/**
 * `app_home_opened` as Slack delivers it (https://docs.slack.dev/reference/events/app_home_opened/, in the
 * Events API wrapper), for `user` in `workspace`, on the `tab` they opened.
 */
function homeOpened(workspace: SandboxWorkspace, user: string, tab: 'home' | 'messages' = 'home') {
  sequence += 1;
  const seconds = Math.floor(Date.now() / 1000);
  return signed(
    JSON.stringify({
      token: 'sandbox-verification-token',
      team_id: workspace.teamId,
      api_app_id: SLACK_SANDBOX.appId,
      event: {
        type: 'app_home_opened',
        user,
        channel: `D${user.slice(1)}`,
        tab,
        event_ts: `${seconds}.${String(sequence).padStart(6, '0')}`,
      },
      type: 'event_callback',
      event_id: `EvHOME${workspace.teamId}${sequence}`,
      event_time: seconds,
      authorizations: [
        {
          team_id: workspace.teamId,
          user_id: workspace.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
    }),
  );
}

interface Published {
  readonly request: ReceivedRequest;
  readonly userId: string;
  readonly view: { readonly type?: string; readonly blocks?: { type: string; text?: { text?: string } }[] };
  /** Every block's text, one block a line. */
  readonly text: string;
}

/** The views the fake Slack was asked to publish since `mark`, in order. */
function publishedSince(bot: BotUnderTest, mark: number): Published[] {
  return bot.api.requests
    .slice(mark)
    .filter((request) => request.path === '/api/views.publish')
    .map((request) => {
      const payload = request.payload as { user_id?: string; view?: string };
      const view = JSON.parse(payload.view ?? '{}') as Published['view'];
      const text = (view.blocks ?? []).map((block) => block.text?.text ?? '').join('\n');
      return { request, userId: payload.user_id ?? '', view, text };
    });
}

/** Opens `user`'s home in `workspace`: the one view published for it. */
async function openHome(bot: BotUnderTest, workspace: SandboxWorkspace, user: string): Promise<Published> {
  const mark = bot.api.requests.length;
  const result = await bot.handler(homeOpened(workspace, user));
  expect(result.statusCode).toBe(200);
  const published = publishedSince(bot, mark);
  expect(published).toHaveLength(1);
  return published[0] as Published;
}

/** The `total` row of the week's table: members, messages, replies, reactions, joins. */
function weekTotal(text: string): number[] {
  const row = /^ {2}total((?: +\d+){5})$/m.exec(text)?.[1] ?? '';
  return row.trim().split(/ +/).map(Number);
}

describe('Slack App Home: a member’s own view', () => {
  const bot = installedForBlock();

  it('publishes the member’s home with views.publish: what they can do, recording on, their account', async () => {
    // Act
    const home = await openHome(bot(), WORKSPACE_A, 'UALICE');

    // Assess
    expect(home.userId).toBe('UALICE');
    expect(home.view.type).toBe('home');
    expect(home.view.blocks?.length).toBeGreaterThan(0);
    expect(home.view.blocks?.length).toBeLessThanOrEqual(100);
    expect(home.text).toContain('*Recording:* on (`/community me optout` stops it)');
    expect(home.text).toContain('*Accounts:* slack `UALICE` (link another with `/community me link`)');
    expect(home.text).toContain('*For everyone*');
    expect(home.text).toContain('`/community feedback [note]`');
    expect(home.text).not.toContain('*For moderators*');
    expect(home.text).not.toContain('Failed messages');
    expect(home.text).not.toContain('Unread feedback');
  });

  it('shows that a member opted out', async () => {
    await ask(bot(), WORKSPACE_A, 'UBOB', 'me optout');

    const home = await openHome(bot(), WORKSPACE_A, 'UBOB');

    expect(home.text).toContain('*Recording:* stopped (you opted out; `/community me optin` starts again)');
  });

  it('shows the accounts a member linked', async () => {
    // Prepare: the link as `/community me link` stores it (the flow itself is members-across's).
    const { spaces, members } = bot().table.store.core;
    const space = await spaces.find({ platform: 'slack', id: WORKSPACE_A.teamId });
    if (!space) throw new Error('workspace A is not registered');
    await members.saveIdentities(
      space.communityId,
      [
        { platform: 'slack', id: 'UCAROL' },
        { platform: 'telegram', id: '424242' },
      ],
      new Date(),
    );

    const home = await openHome(bot(), WORKSPACE_A, 'UCAROL');

    expect(home.text).toContain('*Accounts:* slack `UCAROL`, telegram `424242` (linked by you)');
  });

  it('publishes nothing for the Messages tab', async () => {
    const mark = bot().api.requests.length;

    const result = await bot().handler(homeOpened(WORKSPACE_A, 'UALICE', 'messages'));

    expect(result.statusCode).toBe(200);
    expect(publishedSince(bot(), mark)).toEqual([]);
  });
});

describe('Slack App Home: a moderator’s view, within their own community', () => {
  const bot = installedForBlock();
  const NOTE_A = 'The rules channel is hard to find';
  const NOTE_B = 'Secret of workspace B';

  it('shows A’s moderator this week’s numbers, failed messages and unread feedback of A only', async () => {
    // Prepare: 2 messages and a note in A; 5 messages and a note in B.
    await post(bot(), WORKSPACE_A, 2, ['alice']);
    await post(bot(), WORKSPACE_B, 5, ['alice', 'bob']);
    await ask(bot(), WORKSPACE_A, 'UALICE', `feedback ${NOTE_A}`);
    await ask(bot(), WORKSPACE_B, 'UBOB', `feedback ${NOTE_B}`);
    // An announcement in a channel the bot is not in: Slack refuses it for good, so it fails (in A only).
    const refused = command('announce Pizza at noon', {
      user: 'UMODSAM',
      channel: 'CNOBOTLOUNGE',
      workspace: WORKSPACE_A,
    });
    expect((await bot().handler(refused.event)).statusCode).toBe(200);
    await bot().settled();

    // Act
    const inA = await openHome(bot(), WORKSPACE_A, 'UMODSAM');
    const inB = await openHome(bot(), WORKSPACE_B, 'UMODMIA');

    // Assess: each moderator sees their own community's numbers and notes, never the other's.
    expect(inA.userId).toBe('UMODSAM');
    expect(inA.text).toContain('*Your community this week* (you moderate here)');
    expect(inA.text).toContain('*For moderators*\n`/community stats`');
    expect(inA.text).toContain('*Community stats*');
    expect(weekTotal(inA.text)).toEqual([1, 2, 0, 0, 0]);
    expect(inA.text).toContain('*Failed messages:* 1 (`/community audit` lists them)');
    expect(inA.text).toContain('*Unread feedback:* 1 note');
    expect(inA.text).toContain(`from \`UALICE\``);
    expect(inA.text).toContain(NOTE_A);
    expect(inA.text).not.toContain(NOTE_B);
    expect(weekTotal(inB.text)).toEqual([2, 5, 0, 0, 0]);
    expect(inB.text).toContain('*Failed messages:* 0');
    expect(inB.text).toContain(NOTE_B);
    expect(inB.text).not.toContain(NOTE_A);
  });

  it('never shows a member who is no moderator the moderators’ part', async () => {
    const home = await openHome(bot(), WORKSPACE_A, 'UALICE');

    expect(home.text).not.toContain('*For moderators*');
    expect(home.text).not.toContain('Your community this week');
    expect(home.text).not.toContain(NOTE_A);
    expect(home.text).not.toContain('Community stats');
  });
});

describe('Slack App Home: unread feedback', () => {
  const bot = installedForBlock();

  /** The value of the Mark as read button on the note `moderator` got in their DM. */
  function readButtonFor(moderator: string, note: string): string {
    const dm = bot()
      .api.requests.filter((request) => request.path === '/api/chat.postMessage')
      .map((request) => request.payload as { channel?: string; text?: string; blocks?: string })
      .find((payload) => payload.channel === moderator && payload.text?.includes(note));
    const blocks = JSON.parse(dm?.blocks ?? '[]') as { elements?: { action_id: string; value?: string }[] }[];
    const button = blocks
      .flatMap((block) => block.elements ?? [])
      .find((b) => b.action_id === 'feedback.read');
    if (!button?.value) throw new Error(`no Mark as read button in ${moderator}'s DM about "${note}"`);
    return button.value;
  }

  it('stops showing a note once a moderator marked it read', async () => {
    // Prepare: two notes; the moderator marks the first read from their DM.
    await ask(bot(), WORKSPACE_A, 'UALICE', 'feedback First note');
    await ask(bot(), WORKSPACE_A, 'UBOB', 'feedback Second note');
    await bot().settled();
    const before = await openHome(bot(), WORKSPACE_A, 'UMODSAM');
    const value = readButtonFor('UMODSAM', 'First note');
    const read = press({ actionId: 'feedback.read', value }, { user: 'UMODSAM', channel: 'DMODSAM' });
    expect((await bot().handler(read.event)).statusCode).toBe(200);
    await bot().settled();

    // Act
    const after = await openHome(bot(), WORKSPACE_A, 'UMODSAM');

    // Assess
    expect(before.text).toContain('*Unread feedback:* 2 notes');
    expect(before.text).toContain('First note');
    expect(after.text).toContain('*Unread feedback:* 1 note');
    expect(after.text).not.toContain('First note');
    expect(after.text).toContain('Second note');
  });
});
