import { expect } from 'vitest';
import type { ContentItem } from '../../shared/core/content/model.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { BotUnderTest } from '../support/bot.js';
import {
  ackBody,
  buttonsOf,
  command,
  type Delivery,
  field,
  press,
  received,
  submission,
  TEAM,
} from './slack-deliveries.js';

/**
 * Authoring the content library through the real Slack handler, for the content-*-slack tests: commands
 * and their acknowledged answers, the modals `content add` / `suggest` open and their submissions, the
 * review queue and its buttons, and the library as the table holds it. A Slack answer's `text` is its plain
 * form (no markup), so the tests read words, not formatting.
 */

/** The sandbox workspace's moderator the tests act as. */
export const MOD = 'UMODSAM';
export const SPACE = { platform: 'slack', id: TEAM } as const;

let sequence = 0;

/** A topic name no other test uses (tests run shuffled: each makes its own topics and items). */
export function freshTopic(label: string): string {
  sequence += 1;
  return `${label}-${sequence}`;
}

/** The helpers, on the bot a test file started (read when called, after its `beforeAll`). */
export function contentSlack(botOf: () => BotUnderTest) {
  /** `/community <text>`: the text of the private answer the acknowledgement carried. */
  async function textOf(text: string, user = MOD): Promise<string> {
    const body = ackBody(await botOf().handler(command(text, { user }).event)) as
      | { text?: string }
      | undefined;
    return body?.text ?? '';
  }

  async function library(): Promise<ContentItem[]> {
    const space = await botOf().table.store.core.spaces.find(SPACE);
    // Not registered yet: nothing has been heard from the workspace, so nothing is in its library.
    if (!space) return [];
    return botOf().table.store.core.content.items(space.communityId);
  }

  async function itemById(id: string): Promise<ContentItem | undefined> {
    return (await library()).find((item) => item.id === id);
  }

  /** Sends a command that opens a modal: the views.open request the fake Slack received for it. */
  async function openModal(text: string, user: string): Promise<{ opened: Delivery; view: ReceivedRequest }> {
    const opened = command(text, { user });
    const result = await botOf().handler(opened.event);
    expect(result).toEqual({ statusCode: 200, body: '' });
    const view = received(botOf().api, '/api/views.open').find(
      (request) => field(request, 'trigger_id') === opened.triggerId,
    );
    if (!view) throw new Error(`/community ${text} opened no modal`);
    return { opened, view };
  }

  /** Submits the modal and returns what the member was answered (through the opener's response_url). */
  async function submit(
    opened: Delivery,
    view: ReceivedRequest,
    values: Record<string, string>,
    user: string,
  ): Promise<string> {
    const before = received(botOf().api, opened.hookPath).length;
    const result = await botOf().handler(submission(view, values, { user }).event);
    await botOf().settled();
    expect(result.statusCode).toBe(200);
    const answers = received(botOf().api, opened.hookPath).slice(before);
    expect(answers).toHaveLength(1);
    return field(answers[0], 'text') ?? '';
  }

  /** A moderator adds an item through the modal; its id. */
  async function addItem(values: Record<string, string>): Promise<string> {
    const { opened, view } = await openModal('content add', MOD);
    const answer = await submit(opened, view, values, MOD);
    const id = /Added ([0-9a-z]{6})/.exec(answer)?.[1];
    if (!id) throw new Error(`not added: ${answer}`);
    return id;
  }

  /** A member suggests an item through the modal; the suggestion's id, read from the table. */
  async function suggest(
    user: string,
    title: string,
    topic: string,
  ): Promise<{ id: string; answer: string }> {
    const { opened, view } = await openModal('content suggest', user);
    const answer = await submit(
      opened,
      view,
      { title, body: `${title}: it worked for us.`, topics: topic, kind: 'tip', link: '' },
      user,
    );
    const id = (await library()).find((item) => item.title === title)?.id;
    if (!id) throw new Error(`no suggestion "${title}" stored: ${answer}`);
    return { id, answer };
  }

  /** The queue as a moderator sees it: its text and its buttons. */
  async function queue(user = MOD) {
    const result = await botOf().handler(command('content queue', { user }).event);
    const body = ackBody(result) as { text?: string; blocks?: unknown[] } | undefined;
    const buttons = buttonsOf({
      payload: { blocks: JSON.stringify(body?.blocks ?? []) },
    } as unknown as ReceivedRequest);
    return { text: body?.text ?? '', buttons };
  }

  /** Presses a queue button on the moderator's ephemeral answer: what the press's response_url received. */
  async function pressQueue(actionId: string, value: string, user = MOD) {
    const delivery = press({ actionId, value }, { user, channel: 'CGENERAL', ephemeral: true });
    await botOf().handler(delivery.event);
    await botOf().settled();
    return { delivery, answers: received(botOf().api, delivery.hookPath) };
  }

  function buttonFor(buttons: { action_id: string; value?: string }[], actionId: string, id: string) {
    const button = buttons.find((one) => one.action_id === actionId && one.value === id);
    if (!button?.value) throw new Error(`no ${actionId} button for ${id}`);
    return button.value;
  }

  return { textOf, library, itemById, openModal, submit, addItem, suggest, queue, pressQueue, buttonFor };
}
