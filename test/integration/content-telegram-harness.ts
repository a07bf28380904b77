import { expect } from 'vitest';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { sandboxUserId, signPress } from '../../bots/telegram/sandbox.js';
import type { ContentItem } from '../../shared/core/content/model.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest } from '../support/bot.js';
import { expectedMemberId } from '../support/member-ids.js';
import {
  communityHarness,
  type Group,
  isSpaceNotice,
  type PrivateMessage,
  payloadOf,
  telegramHarness,
} from './telegram-harness.js';

/**
 * The content library on Telegram, as members and moderators use it (not a test file): guided forms answered
 * in the private chat, presses on the buttons of private answers, and reads of the real store (dynalite).
 */

/** A member's private chat with the bot, in the sandbox's words. */
export const DM: Group = { space: 'a', channel: 'dm' };

/** The opaque id a sandbox member's records carry (and their person id while they linked nothing). */
export const personOf = (user: string) => expectedMemberId('telegram', String(sandboxUserId(user)));

/** What a press came to: the alert (answerCallbackQuery text) and what followed privately. */
export interface PressOutcome {
  readonly alert: string | undefined;
  readonly told: readonly PrivateMessage[];
  /** `alert` and the private texts, one string: where an answer's wording is checked. */
  readonly said: string;
}

export function contentHarness(bot: () => BotUnderTest) {
  const community = communityHarness(bot);
  const { calls, deliverSigned } = telegramHarness(bot);
  const content = () => bot().table.store.core.content;
  let presses = 0;

  async function communityOf(group: Group): Promise<string> {
    const space = await bot().table.store.core.spaces.find(community.spaceOf(group));
    if (!space) throw new Error(`no space for ${group.space}/${group.channel}`);
    return space.communityId;
  }

  async function itemsOf(group: Group): Promise<ContentItem[]> {
    return content().items(await communityOf(group));
  }

  async function itemOf(group: Group, id: string): Promise<ContentItem | undefined> {
    return content().get(await communityOf(group), id);
  }

  /**
   * Answers the open guided form, one private reply at a time, as the member would type them; returns
   * everything the member was told privately meanwhile, in order (the prompts, then the outcome).
   */
  async function fillForm(user: string, replies: readonly string[]): Promise<PrivateMessage[]> {
    const mark = bot().api.requests.length;
    for (const reply of replies) {
      expect(await community.say(user, DM, reply)).toMatchObject({ statusCode: 200 });
      await bot().settled();
    }
    return community.toldPrivately(user, mark);
  }

  /** `user` presses the button labelled `label` under `message` (in their private chat), Telegram's way. */
  async function press(
    user: string,
    message: PrivateMessage | undefined,
    label: string,
  ): Promise<PressOutcome> {
    const data = message?.buttons.find((button) => button.label === label)?.data;
    if (data === undefined) throw new Error(`no button ${label} on: ${message?.text ?? 'no message'}`);
    return pressData(user, message?.messageId ?? 1, data);
  }

  /** `user` presses a button carrying `data` on the bot's message `messageId` in their private chat. */
  async function pressData(user: string, messageId: number, data: string): Promise<PressOutcome> {
    const queryId = `content-press-${++presses}`;
    const mark = bot().api.requests.length;
    const chatId = sandboxUserId(user);
    expect(await deliverSigned(signPress({ user, chatId, messageId, data, queryId }))).toMatchObject({
      statusCode: 200,
    });
    await bot().settled();
    const alert = calls('answerCallbackQuery', mark)
      .map(payloadOf)
      .find((payload) => payload.callback_query_id === queryId)?.text;
    const told = community.toldPrivately(user, mark);
    const said = [alert ?? '', ...told.map((one) => one.text)].join('\n');
    return { alert: alert === undefined ? undefined : String(alert), told, said };
  }

  /** The texts the bot posted in `group` since `mark` (the registration notice aside). */
  function postedIn(group: Group, mark: number): string[] {
    return calls('sendMessage', mark)
      .map(payloadOf)
      .filter((payload) => payload.chat_id === community.chatOf(group) && !isSpaceNotice(payload))
      .map((payload) => plainText(String(payload.text ?? '')));
  }

  /** Engagement records of `kind` about `itemId` (their key names the item). */
  async function activityOn(kind: string, itemId: string): Promise<Item[]> {
    return (await bot().table.engagementItems()).filter(
      (item) => item.kind?.S === kind && (item.key?.S ?? '').includes(`${kind}:${itemId}`),
    );
  }

  return { ...community, communityOf, itemsOf, itemOf, fillForm, press, pressData, postedIn, activityOn };
}

export { libraryItem } from '../support/content-items.js';
