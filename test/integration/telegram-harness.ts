import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { plainText } from '../../bots/telegram/fake-bot-api.js';
import { renderMessage } from '../../bots/telegram/render.js';
import {
  SANDBOX_SECRET_TOKEN,
  sandboxChatId,
  sandboxMessageId,
  sandboxUserId,
  signPress,
  telegramSandbox,
} from '../../bots/telegram/sandbox.js';
import { SPACE_NOTICE } from '../../shared/core/communities/spaces.js';
import type { Space } from '../../shared/core/events.js';
import type { BotHandler, HttpResult } from '../../shared/lambda/http.js';
import type { FakeServer, ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction, SignedRequest } from '../../shared/platform/sandbox.js';
import type { Item } from '../../shared/store/attributes.js';
import type { BotUnderTest } from '../support/bot.js';
import { httpEvent } from '../support/lambda.js';
import type { TestTable } from '../support/table.js';

/** Delivering Telegram updates to the bot under test and reading what it did (not a test file). */

const FIXTURES = join(import.meta.dirname, '../fixtures/telegram');
export const SECRET = { 'X-Telegram-Bot-Api-Secret-Token': SANDBOX_SECRET_TOKEN };

export type Update = Record<string, unknown> & { update_id: number };

/**
 * A documented update; given an `updateId`, a new update of its own, whose message (if any) is a new one too:
 * a post is recorded under its message id, so two updates of one message would be one post.
 */
export function fixture(name: string, updateId?: number): Update {
  const update = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Update;
  if (updateId === undefined) return update;
  const message = update.message as Record<string, unknown> | undefined;
  return {
    ...update,
    update_id: updateId,
    ...(message ? { message: { ...message, message_id: updateId } } : {}),
  };
}

export function payloadOf(request: ReceivedRequest | undefined): Record<string, unknown> {
  return (request?.payload ?? {}) as Record<string, unknown>;
}

const NOTICE = renderMessage(SPACE_NOTICE).text;

/**
 * Whether a sent message is the registration notice a group gets once, on its first activity. A later job
 * posts it, so it can land in any test's window; telegram-spaces.test.ts is where it is tested.
 */
export function isSpaceNotice(payload: Record<string, unknown>): boolean {
  return payload.text === NOTICE;
}

export function command(user: string, channel: string, text: string): SignedRequest {
  return telegramSandbox.sign({ kind: 'command', user, channel, text } satisfies SandboxAction);
}

/** Every item of the table that `keep` accepts. */
export async function scanItems(table: TestTable, keep: (item: Item) => boolean): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []).filter(keep));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every Telegram space item in the table (`SPACE#telegram:<chat>` / `SPACE`). */
export function spaceItems(table: TestTable): Promise<Item[]> {
  return scanItems(
    table,
    (item) => item.pk?.S?.startsWith('SPACE#telegram:') === true && item.sk?.S === 'SPACE',
  );
}

/** The chat ids of every Telegram space in the table. */
export async function spaceIds(table: TestTable): Promise<string[]> {
  return (await spaceItems(table)).map((item) => item.pk?.S?.slice('SPACE#telegram:'.length) ?? '');
}

/** Three deliveries one after the other, then three at once, as Telegram's retries can arrive. */
export async function deliverSixTimes(send: () => Promise<HttpResult>): Promise<number[]> {
  const sequential: HttpResult[] = [];
  for (let attempt = 0; attempt < 3; attempt++) sequential.push(await send());
  const concurrent = await Promise.all([send(), send(), send()]);
  return [...sequential, ...concurrent].map((result) => result.statusCode ?? 0);
}

/** Helpers bound to one bot under test (read lazily: the bot starts in `beforeAll`). */
export function telegramHarness(bot: () => BotUnderTest) {
  /** Every update delivered, by id: what its records are keyed by depends on what it is. */
  const delivered = new Map<string, Update>();

  /** Delivers a body to the real handler (or `to`) with the sandbox secret token (or the given headers). */
  function deliver(
    update: Update | string,
    headers: Record<string, string> = SECRET,
    to: BotHandler = bot().handler,
  ): Promise<HttpResult> {
    const body = typeof update === 'string' ? update : JSON.stringify(update);
    if (typeof update !== 'string') delivered.set(String(update.update_id), update);
    return to(httpEvent(telegramSandbox.path, body, headers));
  }

  function deliverSigned(request: SignedRequest, to: BotHandler = bot().handler): Promise<HttpResult> {
    return to(httpEvent(request.path, request.body, { ...request.headers }));
  }

  /**
   * Records of one delivered update, in the given chat or in any (update ids are unique within a test file):
   * a post's `EVT#telegram:<chat>:message:<message id>`, a reaction update's every
   * `...:reaction:<chat>/<message id>/...` that still counts, anything else's `...:<update id>`.
   */
  async function recordsOf(updateId: number | string, chatId?: number | string): Promise<Item[]> {
    const chat = chatId === undefined ? '-?\\d+' : String(chatId);
    const key = new RegExp(
      `^EVT#telegram:${chat}:${keyPatternOf(delivered.get(String(updateId)), updateId)}$`,
    );
    return (await bot().table.engagementItems()).filter((item) => key.test(item.pk?.S ?? '') && !item.gone);
  }

  /** What the fake Bot API (or `server`) received for `method` since `mark` (an index into its log). */
  function calls(method: string, mark: number, server: FakeServer = bot().api): ReceivedRequest[] {
    return server.requests.slice(mark).filter((request) => request.path.endsWith(`/${method}`));
  }

  /** The messages the bot sent since `mark` in answer to someone: every sendMessage but the notice. */
  function replies(mark: number, server: FakeServer = bot().api): ReceivedRequest[] {
    return calls('sendMessage', mark, server).filter((request) => !isSpaceNotice(payloadOf(request)));
  }

  return { deliver, deliverSigned, recordsOf, calls, replies };
}

/** The record key pattern (after `<chat>:`) of what an update became. */
function keyPatternOf(update: Update | undefined, updateId: number | string): string {
  const message = (update?.message ?? update?.edited_message) as { message_id?: number } | undefined;
  if (
    message?.message_id !== undefined &&
    !(update?.message as { new_chat_members?: unknown })?.new_chat_members
  ) {
    return `message:${message.message_id}`;
  }
  const reaction = update?.message_reaction as { message_id?: number } | undefined;
  if (reaction?.message_id !== undefined) return `reaction:-?\\d+/${reaction.message_id}/.+`;
  return `${updateId}(:\\d+)?`;
}

/** A sandbox group: a channel of one sandbox space (`a`, `b`, ...), as `npm run say --space` names it. */
export interface Group {
  readonly space: string;
  readonly channel: string;
}

/** A message the bot sent to a member's private chat, as the member sees it. */
export interface PrivateMessage {
  readonly chatId: number;
  readonly messageId: number;
  readonly text: string;
  readonly buttons: readonly { readonly label: string; readonly data: string }[];
}

/** What members of several groups do and are told, for the communities tests (not a test file). */
export function communityHarness(bot: () => BotUnderTest) {
  const { deliverSigned } = telegramHarness(bot);
  // Distinct instants close to now: commands without a message id are new updates, and stats count today.
  let last = 0;
  const instant = () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last);
  };

  const chatOf = (group: Group) => sandboxChatId(group.channel, '', group.space);
  const spaceOf = (group: Group): Space => ({ platform: 'telegram', id: String(chatOf(group)) });

  /** `user` says `text` in `group` (a command when it starts with `/`), to the bot under test or `to`. */
  function say(user: string, group: Group, text: string, to?: BotHandler): Promise<HttpResult> {
    const at = instant();
    const where = { user, channel: group.channel, space: group.space };
    const action: SandboxAction = text.startsWith('/')
      ? { kind: 'command', ...where, text }
      : { kind: 'message', ...where, text, messageId: `${user}-${at.getTime()}` };
    return deliverSigned(telegramSandbox.sign(action, at), to);
  }

  /** What `user` was told privately since `mark`. */
  function toldPrivately(user: string, mark: number): PrivateMessage[] {
    const chatId = sandboxUserId(user);
    return bot()
      .api.requests.map((request, index) => ({ request, index }))
      .slice(mark)
      .filter(({ request }) => request.path.endsWith('/sendMessage') && payloadOf(request).chat_id === chatId)
      .map(({ request, index }) => {
        const payload = payloadOf(request);
        const markup = payload.reply_markup as {
          inline_keyboard: { text: string; callback_data: string }[][];
        };
        const buttons = (markup?.inline_keyboard ?? []).flat();
        return {
          chatId,
          messageId: sandboxMessageId(index),
          text: plainText(String(payload.text ?? '')),
          buttons: buttons.map((button) => ({ label: button.text, data: button.callback_data })),
        };
      });
  }

  /** `user` says `text` in `group`; once later jobs ran, what they were told privately (the last first). */
  async function ask(user: string, group: Group, text: string, to?: BotHandler): Promise<PrivateMessage[]> {
    const mark = bot().api.requests.length;
    expect(await say(user, group, text, to)).toMatchObject({ statusCode: 200 });
    await bot().lambda.idle();
    return toldPrivately(user, mark).reverse();
  }

  /** The text of the last private answer to `user`'s `text` in `group`. */
  async function answerTo(user: string, group: Group, text: string, to?: BotHandler): Promise<string> {
    return (await ask(user, group, text, to))[0]?.text ?? '';
  }

  /** `count` messages in `group`, by the members named in turn. */
  async function post(group: Group, count: number, members: readonly string[]): Promise<void> {
    for (let index = 0; index < count; index++) {
      await say(members[index % members.length] ?? 'alice', group, `message ${index}`);
    }
  }

  /** A space moderator asks for a link code in their group: the code, read from their private chat. */
  async function issueCode(admin: string, group: Group): Promise<string> {
    const [answer] = await ask(admin, group, '/community link');
    return /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(answer?.text ?? '')?.[0] ?? '';
  }

  /** `user` presses the button labelled `label` of `message`, from their own private chat. */
  function press(user: string, message: PrivateMessage | undefined, label: string, queryId: string) {
    const data = message?.buttons.find((button) => button.label === label)?.data ?? '';
    const chatId = sandboxUserId(user);
    const messageId = message?.messageId ?? 0;
    return deliverSigned(signPress({ user, chatId, messageId, data, queryId }));
  }

  /** A moderator of `a` issues a code, a moderator of `b` redeems it and presses Join: `b` joins `a`. */
  async function link(a: { admin: string; group: Group }, b: { admin: string; group: Group }) {
    const code = await issueCode(a.admin, a.group);
    const [question] = await ask(b.admin, b.group, `/community link ${code}`);
    const mark = bot().api.requests.length;
    await press(b.admin, question, 'Join', `join-${code}`);
    return { code, question, mark };
  }

  /** The rows of the `today` window of a stats answer: label -> members, messages, replies, reactions, joins. */
  function todayRows(stats: string): Record<string, number[]> {
    const lines = stats.split('\n');
    const start = lines.findIndex((line) => line.trim() === 'today');
    const rows: Record<string, number[]> = {};
    for (const line of lines.slice(start + 1)) {
      const cells = /^ {2}(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
      if (!cells) break;
      rows[cells[1] ?? ''] = cells.slice(2).map(Number);
    }
    return rows;
  }

  /** `admin`'s `/community stats` in `group`, as today's rows. */
  async function statsOf(admin: string, group: Group): Promise<Record<string, number[]>> {
    const answer = (await ask(admin, group, '/community stats')).find((message) =>
      message.text.startsWith('Community stats'),
    );
    return todayRows(answer?.text ?? '');
  }

  /** Every space, community and link code item: what linking changes, and refusals must not. */
  async function communityState(): Promise<string[]> {
    const items = await scanItems(bot().table, (item) =>
      /^(SPACE|COMMUNITY|LINKCODE)#/.test(item.pk?.S ?? ''),
    );
    return items.map((item) => JSON.stringify(item)).sort();
  }

  return {
    chatOf,
    spaceOf,
    say,
    toldPrivately,
    ask,
    answerTo,
    post,
    issueCode,
    press,
    link,
    statsOf,
    communityState,
  };
}
