/**
 * Members and privacy on Discord, through the real interactions handler (signed) and the gateway ingestion:
 * `/community me <subcommand>`, the moderator's `forget <member>` and `settings retention`, and the command
 * table as Discord registers it. Asserted on the interaction responses, everything the fake API received
 * (private answers only ever travel as ephemeral interaction responses and their edits) and the table.
 */
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { registerCommands } from '../../bots/discord/register.js';
import { loadDiscordRegisterConfig } from '../../bots/discord/register-config.js';
import { discordSandbox } from '../../bots/discord/sandbox.js';
import { sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import { gatewayMessage, gatewayReaction } from '../../bots/discord/sandbox-gateway.js';
import type { Item } from '../../shared/store/attributes.js';
import { expectedMemberId } from '../support/member-ids.js';
import {
  type Answer,
  answerOf,
  ask,
  buttonsOf,
  commandIn,
  type DiscordContext,
  discordBot,
  press,
  pressOn,
} from './discord-harness.js';
import { scanItems } from './telegram-harness.js';

const MODERATOR = 'modsam';
const DAY_S = 86_400;
const EPHEMERAL = 64;

let clock = Date.now() + 10_000;
const tick = () => {
  clock += 1;
  return new Date(clock);
};

/** A message by `user` in space a's #general, through the gateway; its message id. */
async function message(context: DiscordContext, user: string): Promise<string> {
  const dispatch = gatewayMessage({ user, channel: 'general' }, tick());
  expect(await context.gateway.dispatch(dispatch)).toEqual({ outcome: 'recorded' });
  return dispatch.d.id;
}

async function react(context: DiscordContext, user: string, messageId: string, emoji = '👍') {
  const dispatch = gatewayReaction({ user, channel: 'general', messageId, emoji });
  expect(await context.gateway.dispatch(dispatch)).toEqual({ outcome: 'recorded' });
}

/** `/community <text>` by `user`: acknowledged privately at once, answered later by editing that original. */
async function later(context: DiscordContext, user: string, text: string): Promise<string> {
  const request = commandIn('a', user, `/community ${text}`);
  expect(answerOf(await context.deliver(request))).toEqual({ type: 5, data: { flags: EPHEMERAL } });
  return context.laterAnswer(request.token);
}

/** `/community <text>` by `user`, answered privately in the interaction response. */
const now = (context: DiscordContext, user: string, text: string): Promise<Answer> =>
  ask(context, 'a', user, `/community ${text}`);

/** A press answered later: deferred privately, then the original edited once. */
async function pressLater(context: DiscordContext, answer: Answer, label: string, user: string) {
  const customId = buttonsOf(answer).find((button) => button.label === label)?.custom_id ?? '';
  const delivery = press({ user, channel: 'general', space: 'a', customId });
  const response = answerOf(await context.deliver(delivery));
  return { response, text: await context.laterAnswer(delivery.token) };
}

/** Requests to the fake API carrying `fragment` anywhere but in an interaction's own webhook (ephemeral). */
function seenElsewhere(context: DiscordContext, fragment: string) {
  return context.bot.api.requests.filter(
    (request) =>
      JSON.stringify(request.payload ?? '').includes(fragment) && !request.path.startsWith('/v10/webhooks/'),
  );
}

const messages = async (context: DiscordContext) =>
  (await context.bot.table.engagementItems()).filter((item) => item.kind?.S === 'message_posted').length;

/** Every item mentioning one of `needles`, but for another member's record naming them as `toMemberId`. */
function itemsNaming(context: DiscordContext, needles: string[]): Promise<Item[]> {
  return scanItems(context.bot.table, (item) => {
    const { toMemberId, ...rest } = item;
    return needles.some((needle) => JSON.stringify(rest).includes(needle));
  });
}

const idsOf = (name: string) => {
  const id = sandboxUserId(name);
  return [id, expectedMemberId('discord', id), expectedMemberId('discord', id, 1)];
};

describe('Discord: /community me', () => {
  const context = discordBot();

  it('shows privately the accounts, counts, recording state and kinds of data', async () => {
    // Prepare: carol posts 3 messages and reacts twice; bob posts once and reacts once.
    const first = await message(context, 'carol');
    await message(context, 'carol');
    await message(context, 'carol');
    const bobs = await message(context, 'bob');
    await react(context, 'carol', bobs, '👍');
    await react(context, 'carol', bobs, '🎉');
    await react(context, 'bob', first);

    // Act
    const shown = await later(context, 'carol', 'me show');

    // Assess
    // Discord's renderer escapes a leading `-` (`\-`): shown as a dash, not as a list.
    const lines = shown.split('\n').map((line) => line.replace(/^\\-/, '-'));
    expect(lines).toContain(
      `**Accounts:** discord \`${sandboxUserId('carol')}\` (link another with \`/community me link\`)`,
    );
    expect(lines).toContain('**Recording:** on (`/community me optout` stops it)');
    expect(lines).toContain('**Last 30 days:** 3 messages, 2 reactions');
    expect(lines).toContain('**What is kept, and for how long** (raw records here: 395 days):');
    // 3 messages and 2 reactions, and the claim of this `me show`.
    expect(lines.join('\n')).toMatch(/^- engagement records \(6\): who takes part, .*never the text/m);
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
    expect(seenElsewhere(context, 'What this bot holds about you')).toEqual([]);
    expect(seenElsewhere(context, '3 messages, 2 reactions')).toEqual([]);
  });

  it('gives a member code privately, and answers unlink with nothing linked', async () => {
    const linked = await now(context, 'dana', 'me link');
    const unlinked = await now(context, 'dana', 'me unlink slack');

    const code = /M-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(linked.data?.content ?? '')?.[0];
    expect(code, linked.data?.content).toBeDefined();
    expect(seenElsewhere(context, code ?? 'no code')).toEqual([]);
    expect(unlinked.data?.content).toBe('You have no linked slack account in this community.');
  });

  it('records nothing after optout while others are recorded, and again after optin', async () => {
    // Prepare
    await message(context, 'erin');
    const stopped = await now(context, 'erin', 'me optout');
    const before = await messages(context);

    // Act 1: erin's message is ignored on purpose, frank's recorded.
    const erins = gatewayMessage({ user: 'erin', channel: 'general' }, tick());
    const outcome = await context.gateway.dispatch(erins);
    const afterErin = await messages(context);
    await message(context, 'frank');
    const afterFrank = await messages(context);
    const shown = await later(context, 'erin', 'me show');

    // Act 2
    const started = await now(context, 'erin', 'me optin');
    await message(context, 'erin');

    // Assess
    expect(stopped.data?.content).toMatch(/^Stopped: from now on nothing about you is recorded/);
    expect(outcome).not.toEqual({ outcome: 'recorded' });
    expect([afterErin, afterFrank]).toEqual([before, before + 1]);
    expect(shown).toContain('**Recording:** stopped (you opted out; `/community me optin` starts again)');
    expect(started.data?.content).toMatch(/^Recording again/);
    expect(await messages(context)).toBe(before + 2);
  });
});

describe('Discord: /community me forget', () => {
  const context = discordBot();

  it('asks with two buttons; Cancel erases nothing; Erase answers later privately and leaves nothing', async () => {
    // Prepare: gina posts twice and reacts to bob's message; bob reacts to hers.
    const ginas = await message(context, 'gina');
    await message(context, 'gina');
    const bobs = await message(context, 'bob');
    await react(context, 'gina', bobs);
    await react(context, 'bob', ginas);
    await now(context, 'gina', 'me link');
    const held = await itemsNaming(context, idsOf('gina'));

    // Act 1
    const question = await now(context, 'gina', 'me forget');
    const cancelled = await pressOn(context, question, 'Cancel', { user: 'gina', space: 'a' });
    const afterCancel = await itemsNaming(context, idsOf('gina'));

    // Act 2
    const again = await now(context, 'gina', 'me forget');
    const erased = await pressLater(context, again, 'Erase my data', 'gina');

    // Assess
    expect(question.data?.content).toMatch(
      /^\*\*Erase everything this bot holds about you in this community\?\*\*/,
    );
    expect(buttonsOf(question).map((button) => button.label)).toEqual(['Erase my data', 'Cancel']);
    expect(cancelled).toMatchObject({ type: 7, data: { content: 'Nothing was erased.', components: [] } });
    expect(held.length).toBeGreaterThan(0);
    expect(afterCancel.length).toBeGreaterThanOrEqual(held.length);
    expect(erased.response).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(erased.text).toMatch(/^\*\*Erased\.\*\*/);
    // 2 messages, 1 reaction and the claims of her 3 commands and 2 presses.
    expect(erased.text).toContain('- engagement records: 8');
    expect(erased.text).toContain('- account link codes: 1');
    expect(seenElsewhere(context, 'Nothing new is recorded about you')).toEqual([]);
    expect(await itemsNaming(context, idsOf('gina'))).toEqual([]);
    const bobsRecords = (await context.bot.table.engagementItems()).filter(
      (item) => item.memberId?.S === expectedMemberId('discord', sandboxUserId('bob')),
    );
    expect(bobsRecords.map((item) => item.kind?.S).sort()).toEqual(['message_posted', 'reaction_added']);
  });
});

describe('Discord: a moderator erases a member', () => {
  const context = discordBot();

  it('is refused to a member, works for a moderator and audits without naming them', async () => {
    // Prepare
    await message(context, 'ivy');
    await message(context, 'ivy');
    const ivy = sandboxUserId('ivy');

    // Act
    const refused = await now(context, 'alice', `forget <@${ivy}>`);
    const question = await now(context, MODERATOR, `forget <@${ivy}>`);
    const byMember = await pressOn(context, question, 'Erase their data', { user: 'alice', space: 'a' });
    const stillHeld = await itemsNaming(context, idsOf('ivy'));
    const erased = await pressLater(context, question, 'Erase their data', MODERATOR);
    const audit = await now(context, MODERATOR, 'audit');

    // Assess
    expect(refused.data?.content).toContain("is for this community's moderators only");
    expect(buttonsOf(refused)).toEqual([]);
    expect(buttonsOf(question).map((button) => button.label)).toEqual(['Erase their data', 'Cancel']);
    expect(byMember.data?.content).toBe('Only a community moderator can erase a member’s data.');
    expect(byMember.data?.flags).toBe(EPHEMERAL);
    expect(stillHeld.length).toBeGreaterThan(0);
    expect(erased.text).toMatch(
      /^\*\*Erased\*\* that member's data in this community:\n\\?- engagement records: 2$/,
    );
    expect(audit.data?.content).toContain(sandboxUserId(MODERATOR));
    expect(audit.data?.content).toContain("erased a member's data on request");
    expect(audit.data?.content).not.toContain(ivy);
    expect(await itemsNaming(context, idsOf('ivy'))).toEqual([]);
  });
});

describe('Discord: retention', () => {
  const context = discordBot();

  it('keeps records written after `settings retention 30` for 30 days after their day', async () => {
    const set = await now(context, MODERATOR, 'settings retention 30');
    const at = new Date();
    await message(context, 'kim');

    const kims = (await context.bot.table.engagementItems()).filter(
      (item) =>
        item.memberId?.S === expectedMemberId('discord', sandboxUserId('kim')) &&
        item.kind?.S === 'message_posted',
    );
    expect(set.data?.content).toMatch(/kept 30 days after their day/);
    expect(kims).toHaveLength(1);
    const day = at.toISOString().slice(0, 10);
    expect(kims[0]?.day?.S).toBe(day);
    expect(Number(kims[0]?.expiresAt?.N)).toBe(Date.parse(`${day}T00:00:00Z`) / 1000 + DAY_S + 30 * DAY_S);
  });

  it('refuses 5 days, naming the range, to a moderator; and refuses a member', async () => {
    const tooShort = await now(context, MODERATOR, 'settings retention 5');
    const byMember = await now(context, 'kim', 'settings retention 60');

    expect(tooShort.data?.content).toBe('Retention is a whole number of days from 30 to 3650.');
    expect(byMember.data?.content).toContain("is for this community's moderators only");
  });
});

describe('Discord: the command table', () => {
  it('registers `me` as a group of subcommands within Discord’s limits, and the fake API accepts it', async () => {
    // Prepare
    const api = await discordSandbox.startFakeApi();
    try {
      // Act
      await registerCommands(loadDiscordRegisterConfig(discordSandbox.env(api.url)));

      // Assess: Discord allows 25 options per level and 100 characters per description.
      const [community] = commandDefinitions() as {
        options: {
          name: string;
          type: number;
          description: string;
          options?: { name: string; type: number }[];
        }[];
      }[];
      const me = community?.options.find((option) => option.name === 'me');
      expect(me?.type).toBe(2);
      expect(me?.options?.map((option) => [option.name, option.type])).toEqual(
        ['show', 'link', 'unlink', 'optout', 'optin', 'forget'].map((name) => [name, 1]),
      );
      expect(community?.options.length).toBeLessThanOrEqual(25);
      expect(me?.description.length).toBeLessThanOrEqual(100);
      const put = api.requests.find((request) => request.method === 'PUT');
      expect(put?.payload).toEqual(commandDefinitions());
    } finally {
      await api.close();
    }
  });
});
