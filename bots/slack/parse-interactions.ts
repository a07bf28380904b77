import * as v from 'valibot';
import type { ButtonPressed, CommandInvoked } from '../../shared/core/events.js';
import { ignore, isIgnored, type Parsed } from '../../shared/platform/ignored.js';
import { location, slackTime } from './parse.js';
import { anObject, check, kindOf, loggable, shortName, slackId, slackTs, triggerId } from './schemas.js';

/**
 * Slash commands and interaction payloads -> core events, the same way parse.ts reads events: ignored
 * with a reason when not for us, `unreadable` when a field we read does not have its documented type.
 */

/** A slash command's form fields, the ones we read (a field sent twice arrives as a list: unreadable). */
const slashCommandSchema = v.looseObject({
  team_id: v.optional(slackId),
  channel_id: v.optional(slackId),
  user_id: v.optional(slackId),
  trigger_id: v.optional(triggerId),
  text: v.optional(v.string()),
});

/** A `block_actions` payload, the fields that say who pressed what where. */
const blockActionsSchema = v.looseObject({
  trigger_id: v.optional(triggerId),
  // Null for an org-wide install; the user's team_id says which workspace then.
  team: v.nullish(v.looseObject({ id: v.optional(slackId) })),
  user: v.looseObject({ id: v.optional(slackId), team_id: v.optional(slackId) }),
  channel: v.optional(v.looseObject({ id: v.optional(slackId) })),
  container: v.optional(v.looseObject({ channel_id: v.optional(slackId) })),
  actions: v.pipe(v.array(anObject), v.minLength(1, 'at least one action')),
});

const actionSchema = v.looseObject({ type: v.string() });

const buttonSchema = v.looseObject({
  action_id: shortName,
  value: v.optional(v.string()),
  action_ts: v.optional(slackTs),
});

/**
 * A `/community ...` slash command. Slack does not redeliver slash commands; `trigger_id` is unique per
 * invocation, so it is the event id.
 */
export function parseSlashCommand(fields: unknown, receivedAt: Date): Parsed<CommandInvoked> {
  const checked = check(slashCommandSchema, fields, 'command');
  if (isIgnored(checked)) return checked;
  const { team_id: teamId, channel_id: channelId, user_id: userId, trigger_id: id, text } = checked.value;
  if (!teamId || !channelId || !userId || !id) {
    return ignore('slash command without team_id, channel_id, user_id or trigger_id');
  }
  return {
    kind: 'command_invoked',
    id,
    location: location(teamId, channelId),
    member: { platform: 'slack', id: userId },
    occurredAt: receivedAt,
    args: text ?? '',
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
  };
}
