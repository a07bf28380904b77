/**
 * `/community feedback` on Discord through the real handler: a note delivered privately to each moderator
 * with a "Mark as read" button, a modal when no note is given, presses and submissions answered exactly
 * once, and a scan of everything Discord received proving private text never reached a public place.
 */
import { describe, expect, it } from 'vitest';
import { ALREADY_ANSWERED } from '../../bots/discord/responder.js';
import { dmRecipientOf } from '../../bots/discord/sandbox-api.js';
import { SANDBOX_GUILD_ID, sandboxUserId } from '../../bots/discord/sandbox-cast.js';
import { THANKS } from '../../shared/core/feedback/feedback.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import {
  type Answer,
  answerOf,
  command,
  contentOf,
  type Delivery,
  type DiscordContext,
  discordBot,
  press,
  submit,
} from './discord-harness.js';

const context = discordBot();
const { deliver } = context;
const GUILD = { platform: 'discord', id: SANDBOX_GUILD_ID } as const;
/** Who moderates the sandbox guild (sandbox-cast.ts): two roles, the owner, and one with DMs closed. */
const REACHABLE_MODERATORS = ['modsam', 'modmia', 'olga'];

/** Requests since `from`: the DM messages the bot posted, by recipient name. */
function dmsSince(from: number): { to: string; request: ReceivedRequest }[] {
  return dmsOf(context, from);
}

function dmsOf(bot: DiscordContext, from: number): { to: string; request: ReceivedRequest }[] {
  return bot.bot.api.requests.slice(from).flatMap((request) => {
    const channel = /\/channels\/(\d+)\/messages$/.exec(request.path)?.[1];
    const recipient = channel && request.method === 'POST' ? dmRecipientOf(channel) : undefined;
    const name = ['modsam', 'modmia', 'olga', 'modclosed'].find((n) => sandboxUserId(n) === recipient);
    return name ? [{ to: name, request }] : [];
  });
}

/** The Mark as read button on a note a moderator received. */
function readButton(request: ReceivedRequest): string {
  const rows = (request.payload as { components?: { components: { custom_id: string }[] }[] }).components;
  return rows?.[0]?.components[0]?.custom_id ?? '';
}

/** Sends a note and waits for its deliveries: the member's answer, and what each moderator got. */
async function sendNote(from: string, delivery: Delivery) {
  const mark = context.bot.api.requests.length;
  const acknowledged = answerOf(await deliver(delivery));
  const thanks = await context.laterAnswer(delivery.token);
  return { acknowledged, thanks, dms: dmsSince(mark), from };
}

describe('/community feedback <note>', () => {
  it('acknowledges privately, tells each moderator privately with a button, then thanks the member', async () => {
    // Act
    const { acknowledged, thanks, dms } = await sendNote(
      'bob',
      command('bob', '/community feedback The *new* editor'),
    );

    // Assess
    expect(acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    expect(thanks).toBe(THANKS);
    expect(dms.map(({ to }) => to).sort()).toEqual([...REACHABLE_MODERATORS, 'modclosed'].sort());
    const delivered = dms.filter(({ to }) => to !== 'modclosed');
    for (const { request } of delivered) {
      expect(contentOf(request)).toBe(
        `**Private feedback from member \`${sandboxUserId('bob')}\`**\nThe \\*new\\* editor`,
      );
      expect(readButton(request)).toMatch(new RegExp(`^feedback\\.read:${SANDBOX_GUILD_ID}/[\\w-]+$`));
    }
    // The note is kept for the moderators until one of them marks it read.
    const [, id] = readButton(delivered[0]?.request as ReceivedRequest).split('/');
    expect(await context.bot.table.store.core.feedback.get(GUILD, id ?? '')).toMatchObject({
      text: 'The *new* editor',
      from: { id: sandboxUserId('bob') },
    });
  });

  it('is refused in a DM, where there are no moderators to tell', async () => {
    const { data } = answerOf(await deliver(command('bob', '/community feedback hello', 'dm')));

    expect(data?.content).toContain('in your community');
    expect(data?.flags).toBe(64);
  });
});

describe('/community feedback alone', () => {
  it('opens a modal, and its submission reaches the moderators like a note', async () => {
    // Act
    const opened = answerOf(await deliver(command('carol', '/community feedback')));
    const { acknowledged, thanks, dms } = await sendNote(
      'carol',
      submit({
        user: 'carol',
        channel: 'general',
        customId: opened.data?.custom_id ?? '',
        values: { note: 'From the form' },
      }),
    );

    // Assess
    expect(opened).toMatchObject({
      type: 9,
      data: {
        custom_id: 'feedback:',
        title: 'Feedback to moderators',
        components: [
          { type: 18, component: { type: 4, custom_id: 'note', style: 2, required: true, max_length: 1000 } },
        ],
      },
    });
    expect(acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    expect(thanks).toBe(THANKS);
    expect(dms.filter(({ to }) => to !== 'modclosed').map(({ request }) => contentOf(request))).toEqual(
      REACHABLE_MODERATORS.map(() => expect.stringContaining('From the form')),
    );
  });
});

describe('marking a note read', () => {
  async function noteFor(moderator: string) {
    const { dms } = await sendNote('dana', command('dana', `/community feedback Note ${Math.random()}`));
    const dm = dms.find(({ to }) => to === moderator);
    const posted = dm?.request as ReceivedRequest;
    return { customId: readButton(posted), text: contentOf(posted) };
  }

  it("updates the note in the moderator's DM, checked with Discord, and tells the next one it is done", async () => {
    // Prepare
    const { customId } = await noteFor('modsam');

    // Act
    const first = answerOf(await deliver(press({ user: 'modsam', channel: 'dm', customId })));
    const second = answerOf(await deliver(press({ user: 'modmia', channel: 'dm', customId })));

    // Assess
    expect(first).toMatchObject({
      type: 7,
      data: { content: expect.stringContaining('_Marked as read._'), components: [] },
    });
    expect(second).toMatchObject({
      type: 4,
      data: { content: `Already marked as read by \`${sandboxUserId('modsam')}\`.`, flags: 64 },
    });
  });

  it('refuses a member who is not a moderator of that community, and leaves the note unread', async () => {
    const { customId } = await noteFor('modsam');

    const refused = answerOf(await deliver(press({ user: 'alice', channel: 'dm', customId })));
    const moderator = answerOf(await deliver(press({ user: 'olga', channel: 'dm', customId })));

    expect(refused).toMatchObject({
      type: 4,
      data: { content: expect.stringContaining('Only moderators'), flags: 64 },
    });
    expect(moderator.type).toBe(7);
  });
});

describe('each press and submission answered once', () => {
  it.each(['in a row', 'together'])('answers a press delivered three times %s once', async (how) => {
    // Prepare
    const { dms } = await sendNote('erin', command('erin', `/community feedback Again ${how}`));
    const customId = readButton(dms.find(({ to }) => to === 'modsam')?.request as ReceivedRequest);
    const delivery = press({ user: 'modsam', channel: 'dm', customId });

    // Act
    const answers: Answer[] = [];
    if (how === 'together')
      answers.push(...(await Promise.all([1, 2, 3].map(() => deliver(delivery)))).map(answerOf));
    else for (let i = 0; i < 3; i++) answers.push(answerOf(await deliver(delivery)));

    // Assess: one update; the others acknowledged without a word (type 6).
    expect(answers.map(({ type }) => type).sort()).toEqual([6, 6, 7]);
  });

  it.each(['in a row', 'together'])('answers a submission delivered three times %s once', async (how) => {
    // Prepare
    const delivery = submit({
      user: 'frank',
      channel: 'general',
      customId: 'feedback:',
      values: { note: `Once ${how}` },
    });
    const mark = context.bot.api.requests.length;

    // Act
    const answers: Answer[] = [];
    if (how === 'together')
      answers.push(...(await Promise.all([1, 2, 3].map(() => deliver(delivery)))).map(answerOf));
    else for (let i = 0; i < 3; i++) answers.push(answerOf(await deliver(delivery)));

    // Assess
    expect(answers.filter(({ type }) => type === 5)).toHaveLength(1);
    expect(answers.filter(({ data }) => data?.content === ALREADY_ANSWERED)).toHaveLength(2);
    expect(await context.laterAnswer(delivery.token)).toBe(THANKS);
    expect(
      dmsSince(mark)
        .map(({ to }) => to)
        .sort(),
    ).toEqual([...REACHABLE_MODERATORS, 'modclosed'].sort());
  });

  it('answers a submission once when a DynamoDB failure came between recording and answering', async () => {
    // Prepare: the record lands but DynamoDB's answer is lost every time, so the first delivery fails.
    const delivery = submit({
      user: 'frank',
      channel: 'general',
      customId: 'feedback:',
      values: { note: 'Lost reply' },
    });
    const mark = context.bot.api.requests.length;
    context.bot.proxy.failNext('PutItem', 3, 'after', '"EVT#');

    // Act
    const failed = await deliver(delivery);
    const retried = answerOf(await deliver(delivery));
    const again = answerOf(await deliver(delivery));

    // Assess
    expect(failed.statusCode).toBe(500);
    expect([retried.type, again.data?.content]).toEqual([5, ALREADY_ANSWERED]);
    expect(await context.laterAnswer(delivery.token)).toBe(THANKS);
    expect(dmsSince(mark)).toHaveLength(4);
  });

  it('answers a press once when a DynamoDB failure came between recording and answering', async () => {
    const { dms } = await sendNote('erin', command('erin', '/community feedback Pressed through a fault'));
    const customId = readButton(dms.find(({ to }) => to === 'olga')?.request as ReceivedRequest);
    const delivery = press({ user: 'olga', channel: 'dm', customId });
    context.bot.proxy.failNext('PutItem', 3, 'after', '"EVT#');

    const failed = await deliver(delivery);
    const answers = [answerOf(await deliver(delivery)), answerOf(await deliver(delivery))];

    expect(failed.statusCode).toBe(500);
    expect(answers.map(({ type }) => type)).toEqual([7, 6]);
  });
});

describe('private means private', () => {
  // A bot of its own: the scan below reads everything its fake Discord ever received.
  const context = discordBot();
  const { deliver } = context;
  const dmsSince = (from: number) => dmsOf(context, from);

  it('never lets help, stats, a note or a thank-you reach a place anyone else can read', async () => {
    // Prepare: every private text the bot says, through every path it says it on.
    const secret = `Only moderators may read ${Math.random()}`;
    const interactions: { delivery: Delivery; answer: Answer }[] = [];
    const run = async (delivery: Delivery) => {
      interactions.push({ delivery, answer: answerOf(await deliver(delivery)) });
    };
    await run(command('bob', '/community help'));
    await run(command('modsam', '/community help'));
    await run(command('modsam', '/community stats'));
    await run(command('bob', `/community feedback ${secret}`));
    await run(
      submit({
        user: 'carol',
        channel: 'general',
        customId: 'feedback:',
        values: { note: `${secret} (form)` },
      }),
    );
    await context.bot.lambda.idle();
    const note = dmsSince(0).find(
      ({ to, request }) => to === 'modsam' && contentOf(request).includes(secret),
    );
    await run(
      press({ user: 'modsam', channel: 'dm', customId: readButton(note?.request as ReceivedRequest) }),
    );
    await context.bot.lambda.idle();
    const privateTexts = [
      secret,
      'Community stats',
      'Moderators have more commands',
      'You are a moderator here',
      THANKS,
    ];
    const holds = (text: string) => privateTexts.some((needle) => text.includes(needle));

    // Assess: each interaction response with private text is ephemeral, or updates a message in a DM.
    for (const { delivery, answer } of interactions) {
      if (!holds(answer.data?.content ?? '')) continue;
      const inDm = JSON.parse(delivery.body).guild_id === undefined;
      expect(answer.data?.flags === 64 || (answer.type === 7 && inDm), answer.data?.content).toBe(true);
    }
    // Everything Discord received: private text only in a DM, or in an edit of an ephemeral deferral.
    const deferred = new Set(
      interactions.filter(({ answer }) => answer.type === 5).map(({ delivery }) => delivery.token),
    );
    const withPrivateText = context.bot.api.requests.filter((request) => holds(request.body));
    expect(withPrivateText.length).toBeGreaterThanOrEqual(5);
    for (const request of withPrivateText) {
      const channel = /\/channels\/(\d+)\/messages/.exec(request.path)?.[1];
      const original = /\/webhooks\/\d+\/([^/]+)\/messages\/@original$/.exec(request.path)?.[1];
      const where = `${request.method} ${request.path}`;
      if (channel) expect(dmRecipientOf(channel), where).toBeDefined();
      else expect(original && deferred.has(decodeURIComponent(original)), where).toBe(true);
    }
    // And nothing was ever posted to a guild channel or as a public follow-up, but the space's one
    // registration notice (which says what the bot records, to everyone).
    const publicPosts = context.bot.api.requests.filter(
      (request) =>
        request.method === 'POST' &&
        (/\/webhooks\/\d+\/[^/]+$/.test(request.path) ||
          (/\/channels\/(\d+)\/messages$/.test(request.path) &&
            !dmRecipientOf(request.path.split('/')[3] ?? ''))),
    );
    expect(publicPosts.map(contentOf)).toEqual([expect.stringContaining('this community’s bot')]);
  });
});
