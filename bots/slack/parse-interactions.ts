import * as v from 'valibot';
import type { ButtonPressed, CommandInvoked, FormSubmitted } from '../../shared/core/events.js';
import type { AnswerHandle } from '../../shared/core/messenger.js';
import { ignore, isIgnored, type Parsed } from '../../shared/platform/ignored.js';
import { location, slackTime } from './parse.js';
import { anObject, check, kindOf, loggable, shortName, slackId, slackTs, triggerId } from './schemas.js';

/**
 * Slash commands and interaction payloads (button presses, modal submissions) -> core events, the same way
 * parse.ts reads events: ignored with a reason when not for us, `unreadable` when a field we read does not
 * have its documented type. Each event carries its {@link SlackAnswer}: how to answer it later.
 */

/**
 * What the Slack adapter needs to answer an interaction after its acknowledgement (messenger.ts): the
 * interaction's `response_url` when Slack gave one, and the channel and member for the Web API otherwise.
 * Stored by the core (in a later job) as an {@link AnswerHandle}.
 */
export interface SlackAnswer {
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  /** Checked against Slack's hooks origin before every use (response-url.ts), never trusted blindly. */
  readonly responseUrl?: string;
  /** The message that carried a pressed button, for `chat.update` when there is no `response_url`. */
  readonly messageTs?: string;
}

const answerSchema = v.object({
  teamId: v.string(),
  channelId: v.string(),
  userId: v.string(),
  responseUrl: v.optional(v.string()),
  messageTs: v.optional(v.string()),
});

/** Reads back a handle this adapter made (from a later job); anything else is not ours. */
export function readAnswerHandle(handle: AnswerHandle): SlackAnswer | undefined {
  const result = v.safeParse(answerSchema, handle);
  return result.success ? result.output : undefined;
}

function toAnswerHandle(answer: SlackAnswer): AnswerHandle {
  return Object.fromEntries(
    Object.entries(answer).filter(([, value]) => value !== undefined),
  ) as AnswerHandle;
}

/**
 * What a modal carries in its `private_metadata` (set when it is opened, signed back by Slack with the
 * submission): where it was opened, for whom, and the opening interaction's `response_url`, which stays
 * usable for 30 minutes and answers in that channel even where the bot is not a member.
 */
export interface FormOrigin {
  readonly channelId: string;
  readonly userId: string;
  readonly responseUrl?: string;
  readonly context?: string;
}

const formOriginSchema = v.object({
  channelId: slackId,
  userId: slackId,
  responseUrl: v.optional(v.string()),
  context: v.optional(v.string()),
});

export function formMetadata(origin: FormOrigin): string {
  return JSON.stringify(origin);
}

function readFormOrigin(metadata: string | undefined): FormOrigin | undefined {
  if (!metadata) return undefined;
  try {
    const result = v.safeParse(formOriginSchema, JSON.parse(metadata));
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}

/** A slash command's form fields, the ones we read (a field sent twice arrives as a list: unreadable). */
const slashCommandSchema = v.looseObject({
  team_id: v.optional(slackId),
  // The workspace's name in its URL (`sandbox` for sandbox.slack.com): the space's name for people.
  team_domain: v.optional(v.pipe(v.string(), v.maxLength(255))),
  channel_id: v.optional(slackId),
  user_id: v.optional(slackId),
  trigger_id: v.optional(triggerId),
  text: v.optional(v.string()),
  response_url: v.optional(v.string()),
});

/** A `block_actions` payload, the fields that say who pressed what where. */
const blockActionsSchema = v.looseObject({
  trigger_id: v.optional(triggerId),
  // Null for an org-wide install; the user's team_id says which workspace then.
  team: v.nullish(v.looseObject({ id: v.optional(slackId) })),
  user: v.looseObject({ id: v.optional(slackId), team_id: v.optional(slackId) }),
  channel: v.optional(v.looseObject({ id: v.optional(slackId) })),
  container: v.optional(v.looseObject({ channel_id: v.optional(slackId), message_ts: v.optional(slackTs) })),
  response_url: v.optional(v.string()),
  actions: v.pipe(v.array(anObject), v.minLength(1, 'at least one action')),
});

const actionSchema = v.looseObject({ type: v.string() });

const buttonSchema = v.looseObject({
  action_id: shortName,
  value: v.optional(v.string()),
  action_ts: v.optional(slackTs),
});

/** A `view_submission` payload: who submitted which modal, and what its inputs hold. */
const viewSubmissionSchema = v.looseObject({
  team: v.nullish(v.looseObject({ id: v.optional(slackId) })),
  user: v.looseObject({ id: v.optional(slackId), team_id: v.optional(slackId) }),
  view: v.looseObject({
    // The workspace that installed the app, when the modal was opened from a Slack Connect channel.
    app_installed_team_id: v.nullish(slackId),
    id: v.optional(slackId),
    callback_id: v.optional(v.string()),
    private_metadata: v.optional(v.string()),
    state: v.optional(
      v.looseObject({
        values: v.record(v.string(), v.record(v.string(), anObject)),
      }),
    ),
  }),
});

/** One input's state; only plain text inputs are read (the bot's forms have no others). */
const inputStateSchema = v.looseObject({ type: v.string(), value: v.nullish(v.string()) });

/**
 * A `/community ...` command. Slack does not redeliver slash commands; `trigger_id` is unique per
 * invocation, so it is the event id.
 */
export function parseSlashCommand(fields: unknown, receivedAt: Date): Parsed<CommandInvoked> {
  const checked = check(slashCommandSchema, fields, 'command');
  if (isIgnored(checked)) return checked;
  const { team_id: teamId, channel_id: channelId, user_id: userId, trigger_id: id } = checked.value;
  if (!teamId || !channelId || !userId || !id) {
    return ignore('slash command without team_id, channel_id, user_id or trigger_id');
  }
  const { text, response_url: responseUrl, team_domain: teamDomain } = checked.value;
  return {
    kind: 'command_invoked',
    id,
    location: location(teamId, channelId, teamDomain),
    member: { platform: 'slack', id: userId },
    occurredAt: receivedAt,
    input: { text: text ?? '' },
    answer: toAnswerHandle({ teamId, channelId, userId, responseUrl }),
  };
}

/** A press on one of our Block Kit buttons (`block_actions` with a `button` action). */
export function parseButtonPress(body: unknown): Parsed<ButtonPressed> {
  const type = (body as { type?: unknown } | null)?.type;
  if (type !== 'block_actions') {
    return ignore(`interaction ${loggable(type) ?? kindOf(type)} is not a button press`);
  }
  const checked = check(blockActionsSchema, body, 'block_actions');
  if (isIgnored(checked)) return checked;
  const payload = checked.value;
  const action = check(actionSchema, payload.actions[0], 'block_actions.actions.0');
  if (isIgnored(action)) return action;
  if (action.value.type !== 'button')
    return ignore(`action ${action.value.type.slice(0, 80)} is not a button`);
  const button = check(buttonSchema, payload.actions[0], 'block_actions.actions.0');
  if (isIgnored(button)) return button;
  const teamId = payload.team?.id ?? payload.user.team_id;
  const channelId = payload.channel?.id ?? payload.container?.channel_id;
  const userId = payload.user.id;
  if (!teamId || !channelId || !userId || !payload.trigger_id) {
    return ignore('button press without team, channel, user or trigger_id');
  }
  const { action_id: actionId, value, action_ts: actionTs } = button.value;
  return {
    kind: 'button_pressed',
    // Slack does not redeliver interactions; trigger_id is unique per press.
    id: payload.trigger_id,
    location: location(teamId, channelId),
    member: { platform: 'slack', id: userId },
    occurredAt: slackTime(actionTs),
    actionId,
    ...(value !== undefined ? { value } : {}),
    answer: toAnswerHandle({
      teamId,
      channelId,
      userId,
      responseUrl: payload.response_url,
      messageTs: payload.container?.message_ts,
    }),
  };
}

/**
 * A modal this bot opened, submitted. Its id is the view's: a modal is submitted once (the bot always
 * closes it), so a repeated delivery of the same submission is answered once. The channel is the one the
 * modal was opened from (its `private_metadata`); a modal without our metadata is not ours.
 */
export function parseViewSubmission(body: unknown, receivedAt: Date): Parsed<FormSubmitted> {
  const checked = check(viewSubmissionSchema, body, 'view_submission');
  if (isIgnored(checked)) return checked;
  const { team, user, view } = checked.value;
  // Bolt authorizes a submission with the same team (App.ts `buildSource`).
  const teamId = view.app_installed_team_id ?? team?.id ?? user.team_id;
  if (!teamId || !user.id || !view.id || !view.callback_id) {
    return ignore('view_submission without team, user, view id or callback_id');
  }
  const origin = readFormOrigin(view.private_metadata);
  if (!origin) return ignore('view_submission of a modal this bot did not open');
  if (origin.userId !== user.id) return ignore('view_submission by another member than it was opened for');
  const values = readValues(view.state?.values ?? {});
  if (isIgnored(values)) return values;
  return {
    kind: 'form_submitted',
    id: view.id,
    location: location(teamId, origin.channelId),
    member: { platform: 'slack', id: user.id },
    occurredAt: receivedAt,
    formId: view.callback_id,
    ...(origin.context !== undefined ? { context: origin.context } : {}),
    values: values.value,
    answer: toAnswerHandle({
      teamId,
      channelId: origin.channelId,
      userId: user.id,
      responseUrl: origin.responseUrl,
    }),
  };
}

/** `state.values` (block id -> action id -> state) -> field id -> text, plain text inputs only. */
function readValues(
  state: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): Parsed<{ value: Record<string, string> }> {
  const entries: [string, string][] = [];
  for (const [blockId, actions] of Object.entries(state)) {
    for (const [actionId, raw] of Object.entries(actions)) {
      const input = check(inputStateSchema, raw, `view_submission.view.state.values.${loggable(blockId)}`);
      if (isIgnored(input)) return input;
      if (input.value.type === 'plain_text_input') entries.push([actionId, input.value.value ?? '']);
    }
  }
  // fromEntries defines own properties: a field id such as `__proto__` cannot change the object's prototype.
  return { value: Object.fromEntries(entries) };
}
