import * as v from 'valibot';
import type { Logger } from '../../shared/lambda/logger.js';
import { type Ignored, ignore, isIgnored, logIgnored, type Parsed } from '../../shared/platform/ignored.js';
import { anObject, check, loggable, slackId } from './schemas.js';

/**
 * What Bolt assumes about a payload, checked before Bolt sees it.
 *
 * Bolt's `App.processEvent` classifies a body (helpers.js `getTypeAndConversation`) and then reads fields
 * without checking them (`buildSource`, the client pool, `respond`, `complete`), outside the try block
 * that would hand an error to `app.error`: a signed payload with `event: null`, `actions: null` or
 * `user: null` made the receiver answer 500, and Slack retried the same bytes. Each schema below lists
 * exactly the fields Bolt dereferences or uses as an object key for one kind of body; a payload that does
 * not fit is `unreadable` (a logged 200), one Bolt would route nowhere is ignored (a 200).
 */

/** How Bolt routes a body, in the order its `getTypeAndConversation` (and the receiver before it) tries. */
export type SlackRoute =
  | 'ssl_check'
  | 'url_verification'
  | 'event'
  | 'command'
  | 'options'
  | 'action'
  | 'shortcut'
  | 'view';

/** A payload Bolt can take without failing: how it is routed, and a short label for log lines. */
export interface RoutedPayload {
  readonly route: SlackRoute;
  /** `event message`, `command /community`, `action block_actions`: payload-chosen, cut short. */
  readonly label: string;
}

/** A team or enterprise id: Bolt keys its client pool by it. Null where Slack sends null (org installs). */
const poolId = v.nullish(slackId);

/**
 * Read by Bolt on every body: `response_urls[0].response_url` (when there is no `response_url`), and a
 * workflow function's `function_data.execution_id` and `bot_access_token`, which pick the client.
 */
const common = {
  response_urls: v.optional(v.array(anObject)),
  function_data: v.nullish(v.looseObject({ execution_id: v.pipe(v.string(), v.minLength(1)) })),
  bot_access_token: v.optional(v.string()),
};

/** `buildSource` reads `user.id` unconditionally and `team.id`, else `user.team_id`, for the team. */
const interactive = {
  ...common,
  user: v.looseObject({ team_id: v.optional(poolId) }),
  team: v.nullish(v.looseObject({ id: v.optional(poolId), enterprise_id: v.optional(poolId) })),
  enterprise: v.nullish(v.looseObject({ id: v.optional(poolId) })),
  // `channel !== undefined ? channel.id`: null fails; an absent channel is fine (modals, App Home).
  channel: v.optional(anObject),
};

const SCHEMAS = {
  // The receiver echoes `challenge` with JSON.stringify, which overflows on a deeply nested value.
  url_verification: v.looseObject({ challenge: v.string() }),
  event: v.looseObject({
    ...common,
    team_id: v.optional(poolId),
    enterprise_id: v.optional(poolId),
    // Only the first authorization is read: its team, enterprise and enterprise-install flag.
    authorizations: v.optional(
      v.array(v.looseObject({ team_id: v.optional(poolId), enterprise_id: v.optional(poolId) })),
    ),
    event: v.pipe(
      v.looseObject({
        // `matchEventType` calls `type.match(...)`.
        type: v.string(),
        // `'id' in channel`, `'creator' in channel`, `'channel' in item`, `subteam.created_by`, `user.id`.
        channel: v.optional(v.union([v.string(), anObject])),
        channel_id: v.optional(v.string()),
        user: v.optional(v.union([v.string(), anObject])),
        item: v.optional(anObject),
        subteam: v.optional(anObject),
        function_execution_id: v.optional(v.string()),
      }),
      // Bolt builds `complete()` for every function_executed event and throws when it has no execution id.
      v.check(
        (event) => event.type !== 'function_executed' || Boolean(event.function_execution_id),
        'a function_executed event with its function_execution_id',
      ),
    ),
  }),
  // Slash command form fields (each a string, or a list when a field is repeated).
  command: v.looseObject({
    command: v.string(),
    team_id: v.optional(poolId),
    enterprise_id: v.optional(poolId),
    channel_id: v.optional(v.string()),
    user_id: v.optional(v.string()),
  }),
  options: v.looseObject(interactive),
  // `[payload] = actions` needs a list; the listener reads the first action's fields.
  action: v.looseObject({ ...interactive, actions: v.optional(v.array(anObject)) }),
  shortcut: v.looseObject(interactive),
  // `view.app_installed_team_id` is read before anything else.
  view: v.looseObject({ ...interactive, view: v.looseObject({ app_installed_team_id: v.optional(poolId) }) }),
} as const;

/**
 * Routes a signed payload the way Bolt will, and checks the fields Bolt relies on for that route. Returns
 * the route, `unreadable` when Bolt would fail on it, or an ignore when Bolt would route it nowhere.
 */
export function checkBoltShape(body: Readonly<Record<string, unknown>>): Parsed<RoutedPayload> {
  const routed = routeOf(body);
  if (isIgnored(routed)) return routed;
  // The receiver answers ssl_check itself before reading anything else.
  if (routed.route === 'ssl_check') return routed;
  const checked = check(SCHEMAS[routed.route], body, routed.route);
  return isIgnored(checked) ? checked : routed;
}

/** The ids that name a delivery in log lines: `event_id` (Events API) or `trigger_id` (everything else). */
export function payloadIds(body: object): Record<string, string> {
  const { event_id: rawEventId, trigger_id: rawTriggerId } = body as Record<string, unknown>;
  const eventId = loggable(rawEventId);
  const triggerId = loggable(rawTriggerId);
  return { ...(eventId ? { eventId } : {}), ...(triggerId ? { triggerId } : {}) };
}

/** The shared ignored-payload log line (debug, or warn for `unreadable`), with the delivery's ids. */
export function logIgnoredPayload(logger: Logger, result: Ignored, body: object): void {
  logIgnored(logger, result, payloadIds(body));
}

function routeOf(body: Readonly<Record<string, unknown>>): Parsed<RoutedPayload> {
  const type = body.type;
  const routed = (route: SlackRoute, name: unknown = type) => ({
    route,
    label: `${route} ${loggable(name) ?? '(no type)'}`,
  });
  if (body.ssl_check !== undefined && body.ssl_check !== null) return routed('ssl_check', 'ping');
  if (type === 'url_verification') return routed('url_verification');
  if (body.event !== undefined) return routed('event', (body.event as { type?: unknown } | null)?.type);
  if (body.command !== undefined) return routed('command', body.command);
  if (body.name !== undefined || type === 'block_suggestion') return routed('options');
  if (body.actions !== undefined || type === 'dialog_submission') return routed('action');
  if (type === 'shortcut' || type === 'message_action') return routed('shortcut');
  if (type === 'view_submission' || type === 'view_closed') return routed('view');
  // Bolt would log "Could not determine the type of an incoming event" and answer 404.
  return ignore(`payload of type ${loggable(type) ?? '(none)'} is not one Bolt routes`);
}
