/**
 * Members add to the library on Telegram, through the real webhook, dynalite and the fake Bot API: `content
 * suggest` as a guided exchange, the moderators' `content queue` with Approve / Reject, the author told
 * privately by the outbox worker and credited, `content_contributed` recorded, a note on a rejection, and the
 * walls: a member, or a moderator of another community, pressing Approve is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { sandboxUserId } from '../../bots/telegram/sandbox.js';
import type { ContentItem } from '../../shared/core/content/model.js';
import { type BotUnderTest, startBotUnderTest } from '../support/bot.js';
import { contentHarness, personOf } from './content-telegram-harness.js';
import {
  type Group,
  type PrivateMessage,
  payloadOf,
  scanItems,
  telegramHarness,
} from './telegram-harness.js';

let bot: BotUnderTest | undefined;
const underTest = () => {
  if (!bot) throw new Error('the bot starts in beforeAll');
  return bot;
};
const {
  activityOn,
  answerTo,
  ask,
  chatOf,
  communityOf,
  fillForm,
  itemOf,
  itemsOf,
  post,
  press,
  pressData,
  toldPrivately,
} = contentHarness(underTest);
const { calls } = telegramHarness(underTest);

const MODERATOR = 'modann';
/** Moderates space b's groups only: another community. */
const OTHER_MODERATOR = 'modann-b';
const HERE: Group = { space: 'a', channel: 'suggest' };
const THERE: Group = { space: 'b', channel: 'other' };

beforeAll(async () => {
  bot = await startBotUnderTest(telegramPlatform);
  for (const [group, moderator] of [
    [HERE, MODERATOR],
    [THERE, OTHER_MODERATOR],
  ] as const) {
    await post(group, 1, ['alice']);
    await answerTo(moderator, group, '/community settings quiet-hours off');
    await underTest().table.store.core.content.setTopic(await communityOf(group), 'events', true);
  }
}, 60_000);

afterAll(() => bot?.close());

/** `user` suggests an item in HERE through the guided form: the first question, the last answer, the item. */
async function suggest(user: string, title: string) {
  const [question] = await ask(user, HERE, '/community content suggest');
  const told = await fillForm(user, [title, `${title}: how we ran it, step by step.`, 'events', 'tip', '-']);
  const item = (await itemsOf(HERE)).find((one) => one.title === title);
  if (!item) throw new Error(`"${title}" was not stored; told: ${told.map((one) => one.text).join(' | ')}`);
  return { question: question?.text ?? '', outcome: told.at(-1)?.text ?? '', item };
}

/** `moderator`'s `content queue` in `group`: the message carrying `id`'s buttons (else the first answer). */
async function queueOf(moderator: string, group: Group, id: string): Promise<PrivateMessage | undefined> {
  const told = await ask(moderator, group, '/community content queue');
  return (
    told.find((message) => message.buttons.some((button) => button.label === `Approve ${id}`)) ?? told[0]
  );
}

/** The outbox items that told an author the outcome of `id`'s review. */
function reviewNotes(id: string) {
  return scanItems(
    underTest().table,
    (item) => item.sk?.S?.startsWith('OUTBOX#') === true && item.key?.S === `content:review:${id}`,
  );
}

describe('Telegram: a member suggests, a moderator approves', () => {
  it('queues the suggestion; Approve makes it live, credits and tells the author once, records the contribution', async () => {
    // Prepare
    const { question, outcome, item } = await suggest('erin', 'Host a newcomers call');
    const { id } = item;
    const queue = await queueOf(MODERATOR, HERE, id);
    const mark = underTest().api.requests.length;

    // Act
    const approved = await press(MODERATOR, queue, `Approve ${id}`);
    const again = await press(MODERATOR, queue, `Approve ${id}`);
    const [tip] = await ask('frank', HERE, '/community tip events');

    // Assess: the suggestion as stored and queued.
    expect(question).toMatch(/\(1 of 5\)/);
    expect(outcome).toMatch(/review/i);
    expect(item).toMatchObject({
      status: 'draft',
      review: { state: 'pending' },
      author: {
        kind: 'member',
        person: personOf('erin'),
        member: { platform: 'telegram', id: String(sandboxUserId('erin')) },
        space: { platform: 'telegram', id: String(chatOf(HERE)) },
      },
    });
    expect(queue?.text).toContain('Host a newcomers call');
    expect(queue?.buttons).toEqual(
      expect.arrayContaining([
        { label: `Approve ${id}`, data: `content.approve@${chatOf(HERE)}:${id}` },
        { label: `Reject ${id}`, data: `content.reject@${chatOf(HERE)}:${id}` },
      ]),
    );
    // Approved: live, the pressed message says so, the second press is told who decided.
    expect(await itemOf(HERE, id)).toMatchObject({
      status: 'live',
      review: { state: 'approved', by: personOf(MODERATOR) },
    });
    const edits = calls('editMessageText', mark)
      .map(payloadOf)
      .filter((payload) => payload.chat_id === sandboxUserId(MODERATOR));
    expect(edits.map((payload) => plainText(String(payload.text)))).toEqual([
      expect.stringMatching(/approved/i),
    ]);
    expect(approved.said).not.toMatch(/already/i);
    expect(again.said).toMatch(/already/i);
    // The author is told privately, once, by the worker; credited when the item is shown.
    const toErin = toldPrivately('erin', mark).map((message) => message.text);
    expect(toErin).toEqual([expect.stringContaining('Host a newcomers call')]);
    expect(toErin[0]).toMatch(/in the library/i);
    expect(await reviewNotes(id)).toHaveLength(1);
    expect(tip?.text).toContain('Host a newcomers call');
    expect(tip?.text).toMatch(/suggested by/i);
    const contributed = await activityOn('content_contributed', id);
    expect(contributed.map((record) => [record.key?.S, record.memberId?.S])).toEqual([
      [`telegram:${chatOf(HERE)}:content_contributed:${id}`, personOf('erin')],
    ]);
  });

  it('rejects with a note asked privately: the item is retired and the author gets the note', async () => {
    // Prepare
    const { item } = await suggest('gina', 'Weekly pizza poll');
    const queue = await queueOf(MODERATOR, HERE, item.id);
    const note = 'We already run one on Fridays; join that instead.';

    // Act
    const asked = await press(MODERATOR, queue, `Reject ${item.id}`);
    const mark = underTest().api.requests.length;
    await fillForm(MODERATOR, [note]);
    await underTest().settled();

    // Assess
    // The question for the note names the suggestion, in a private message the moderator can answer (never a
    // passing alert, even though it would fit one).
    expect(asked.alert).toBeUndefined();
    expect(asked.told.map((message) => message.text)).toEqual([
      expect.stringMatching(/note[\s\S]*Weekly pizza poll|Weekly pizza poll[\s\S]*note/i),
    ]);
    expect(await itemOf(HERE, item.id)).toMatchObject({
      status: 'retired',
      review: { state: 'rejected', note },
    });
    const toGina = toldPrivately('gina', mark).map((message) => message.text);
    expect(toGina).toEqual([expect.stringContaining(note)]);
    expect(await activityOn('content_contributed', item.id)).toEqual([]);
  });
});

describe('Telegram: the queue has walls', () => {
  it('refuses Approve to a member and to another community’s moderator, whose queue does not show it', async () => {
    // Prepare
    const { item } = await suggest('hana', 'Pair newcomers with a buddy');
    const queue = await queueOf(MODERATOR, HERE, item.id);
    const data = queue?.buttons.find((button) => button.label === `Approve ${item.id}`)?.data ?? 'no button';
    const mark = underTest().api.requests.length;

    // Act: hana presses the moderator's button; the other moderator reads their queue and presses it,
    // for their own group and for this one.
    const byMember = await pressData('hana', 1, data);
    const theirs = await ask(OTHER_MODERATOR, THERE, '/community content queue');
    const fromThere = await pressData(OTHER_MODERATOR, 1, `content.approve@${chatOf(THERE)}:${item.id}`);
    const withHere = await pressData(OTHER_MODERATOR, 1, data);

    // Assess
    expect(byMember.said).toMatch(/moderator/i);
    expect(theirs.map((message) => message.text).join('\n')).not.toContain('Pair newcomers');
    expect(theirs.flatMap((message) => message.buttons)).toEqual([]);
    expect(fromThere.said).toContain(item.id);
    expect(withHere.said).toMatch(/moderator/i);
    const after: ContentItem | undefined = await itemOf(HERE, item.id);
    expect(after).toMatchObject({ status: 'draft', review: { state: 'pending' } });
    expect(
      toldPrivately('hana', mark)
        .map((message) => message.text)
        .join('\n'),
    ).not.toMatch(/in the library/i);
    expect(await activityOn('content_contributed', item.id)).toEqual([]);
    expect(await reviewNotes(item.id)).toEqual([]);
  });
});
