/**
 * What the content library's Discord tests share: a reply read whatever way the handler gave it (at once,
 * or acknowledged and edited in later), the library as the store holds it, items seeded through the real
 * repository, and what the fake Discord API created in a channel or a member's DM.
 */
import { expect } from 'vitest';
import type { DiscordFakeApi } from '../../bots/discord/sandbox-api.js';
import {
  sandboxDmChannel,
  sandboxGuildId,
  sandboxId,
  sandboxUserId,
} from '../../bots/discord/sandbox-cast.js';
import { type ContentItem, NO_COUNTS } from '../../shared/core/content/model.js';
import type { Space } from '../../shared/core/events.js';
import {
  type Answer,
  answerOf,
  buttonsOf,
  commandIn,
  type Delivery,
  type DiscordContext,
  press,
} from './discord-harness.js';

/** What the member saw: the response type, its text and buttons, and whether it was private. */
export interface Reply {
  readonly type: number;
  readonly text: string;
  readonly buttons: { label: string; custom_id: string }[];
  /** Only the member who acted sees it (flags 64, or an edit of an ephemeral deferral). */
  readonly private: boolean;
  /** The interaction response itself (a modal's title, custom_id and fields). */
  readonly answer: Answer;
}

/**
 * Delivers an interaction and reads the answer: a deferral (type 5) is followed by the later job's edit of
 * the original, so a test does not depend on which handlers answer at once.
 */
export async function reply(context: DiscordContext, delivery: Delivery): Promise<Reply> {
  const answer = answerOf(await context.deliver(delivery));
  if (answer.type !== 5) {
    return {
      type: answer.type,
      text: answer.data?.content ?? '',
      // A modal's components are its fields, not buttons.
      buttons: answer.type === 9 ? [] : buttonsOf(answer),
      private: answer.data?.flags === 64,
      answer,
    };
  }
  await context.bot.lambda.idle();
  const edits = context.laterAnswers(delivery.token);
  expect(edits).toHaveLength(1);
  const edited = { type: 4, data: edits[0]?.payload as Answer['data'] };
  return {
    type: 5,
    text: edited.data?.content ?? '',
    buttons: buttonsOf(edited),
    private: answer.data?.flags === 64,
    answer,
  };
}

/** `/community <text>` by `user` in the general channel of sandbox server `space`. */
export const run = (context: DiscordContext, space: string, user: string, text: string) =>
  reply(context, commandIn(space, user, text));

/** Who presses, where. */
export interface PressBy {
  readonly user: string;
  readonly space: string;
}

/** Presses the button with this `custom_id` in the general channel of `space`. */
export const pressId = (context: DiscordContext, customId: string, by: PressBy) =>
  reply(context, press({ user: by.user, channel: 'general', space: by.space, customId }));

/** Presses the button labelled `label` on a reply. */
export function pressLabel(context: DiscordContext, shown: Reply, label: string, by: PressBy) {
  const button = shown.buttons.find((each) => each.label === label);
  expect(button, `no button ${label} in ${JSON.stringify(shown.buttons)}`).toBeDefined();
  return pressId(context, button?.custom_id ?? '', by);
}

/** The Discord space of a sandbox server. */
export const spaceOf = (space: string): Space => ({ platform: 'discord', id: sandboxGuildId(space) });

/** The community a sandbox server belongs to (it registers on its first interaction). */
export async function communityOf(context: DiscordContext, space: string): Promise<string> {
  const record = await context.bot.table.store.core.spaces.find(spaceOf(space));
  expect(record, `server ${space} is not registered yet`).toBeDefined();
  return record?.communityId ?? '';
}

/** Every item of the server's community library, any status, by id. */
export async function libraryOf(context: DiscordContext, space: string): Promise<Map<string, ContentItem>> {
  const items = await context.bot.table.store.core.content.items(await communityOf(context, space));
  return new Map(items.map((item) => [item.id, item]));
}

/** What a seeded item says; the rest is a moderator's live tip. */
export interface Seed {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly topics?: readonly string[];
  readonly createdAt?: string;
  readonly helpful?: number;
}

/** Writes items (and their topics) into the server's library through the real repository. */
export async function seed(context: DiscordContext, space: string, seeds: readonly Seed[]): Promise<void> {
  const communityId = await communityOf(context, space);
  const content = context.bot.table.store.core.content;
  for (const topic of new Set(seeds.flatMap((each) => each.topics ?? []))) {
    await content.setTopic(communityId, topic, true);
  }
  for (const each of seeds) {
    const at = each.createdAt ?? '2026-01-01T00:00:00.000Z';
    const item: ContentItem = {
      communityId,
      id: each.id,
      title: each.title,
      body: each.body,
      topics: each.topics ?? [],
      kind: 'tip',
      author: { kind: 'import' },
      language: 'en',
      promotional: false,
      status: 'live',
      createdAt: at,
      updatedAt: at,
      counts: NO_COUNTS,
    };
    expect(await content.save(item, { kind: 'new' })).toBe('written');
    if (each.helpful) await content.count(communityId, each.id, { helpful: each.helpful });
  }
}

/** The engagement records of one kind, by their keys. */
export async function recordsOf(context: DiscordContext, kind: string): Promise<string[]> {
  const items = await context.bot.table.engagementItems();
  return items.filter((item) => item.kind?.S === kind).map((item) => item.key?.S ?? '');
}

/** The general channel of the sandbox servers (one id: channels are named, not per server). */
export const GENERAL = sandboxId('channel', 'general');

/** What the fake API created in a channel (a nonce repeat creates nothing), once every job finished. */
export async function createdIn(context: DiscordContext, channelId: string) {
  await context.bot.settled();
  await context.bot.outbox.idle();
  return [...((context.bot.api as DiscordFakeApi).delivered.get(channelId) ?? [])];
}

/** What the fake API created in the DM between the bot and a sandbox member. */
export const dmsTo = (context: DiscordContext, name: string) =>
  createdIn(context, sandboxDmChannel(sandboxUserId(name)));

/** The ids a modal asks for, in order. */
export function fieldsOf(form: Reply): string[] {
  const labels = (form.answer.data?.components ?? []) as { component?: { custom_id?: string } }[];
  return labels.map((label) => label.component?.custom_id ?? '');
}
