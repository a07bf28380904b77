import type { AppsManifestCreateArguments } from '@slack/web-api';

/**
 * The Events API subscriptions of the Slack app: every event type parse.ts reads (`parseEventCallback`),
 * under the name the app subscribes to it by, with the bot scopes Slack requires for it. The app manifest
 * (manifest.ts) is generated from this list, and a unit test parses a minimal payload of each type to keep
 * the list and the parser's switch in step.
 */

type SlackManifest = AppsManifestCreateArguments['manifest'];

/** An event name Slack's manifest accepts under `bot_events` (`message.channels`, `reaction_added`). */
export type SlackEventSubscription = NonNullable<
  NonNullable<NonNullable<SlackManifest['settings']>['event_subscriptions']>['bot_events']
>[number];

/** A bot scope Slack's manifest accepts (`chat:write`). */
export type SlackBotScope = NonNullable<
  NonNullable<NonNullable<SlackManifest['oauth_config']>['scopes']>['bot']
>[number];

/** One subscription of the app. */
export interface SlackBotEvent {
  /** The name subscribed to; `message.*` names one kind of conversation. */
  readonly subscription: SlackEventSubscription;
  /** The `event.type` Slack delivers for it: what parse.ts switches on. */
  readonly type: string;
  /**
   * The scopes Slack's event reference lists for it. Where it lists one per kind of channel (public,
   * private), the app asks for each, so it hears the event in both.
   */
  readonly scopes: readonly SlackBotScope[];
  /** What the bot does with it, for people reading the manifest's source. */
  readonly why: string;
}

/**
 * What the bot subscribes to. Edits and deletions (`message_changed`, `message_deleted`) are message
 * subtypes: they come with the `message.*` subscriptions. Direct messages to the bot (`message.im`) are not
 * read: members reach it with `/community`, which works in its Messages tab too.
 */
export const SLACK_BOT_EVENTS = [
  {
    subscription: 'message.channels',
    type: 'message',
    scopes: ['channels:history'],
    why: 'messages, thread replies, edits and deletions in public channels',
  },
  {
    subscription: 'message.groups',
    type: 'message',
    scopes: ['groups:history'],
    why: 'the same in private channels the bot was added to',
  },
  {
    subscription: 'reaction_added',
    type: 'reaction_added',
    scopes: ['reactions:read'],
    why: 'reactions count',
  },
  {
    subscription: 'reaction_removed',
    type: 'reaction_removed',
    scopes: ['reactions:read'],
    why: 'a removed reaction stops counting',
  },
  {
    subscription: 'member_joined_channel',
    type: 'member_joined_channel',
    scopes: ['channels:read', 'groups:read'],
    why: 'joins count, and wake the welcome',
  },
  {
    subscription: 'member_left_channel',
    type: 'member_left_channel',
    scopes: ['channels:read', 'groups:read'],
    why: 'leaves count',
  },
  {
    subscription: 'team_join',
    type: 'team_join',
    scopes: ['users:read'],
    why: 'someone joined the workspace: a join, and a private welcome',
  },
  {
    subscription: 'app_home_opened',
    type: 'app_home_opened',
    scopes: [],
    why: "the App Home tab: a member's own view, or a moderator's",
  },
  {
    subscription: 'app_uninstalled',
    type: 'app_uninstalled',
    scopes: [],
    why: 'the bot left a workspace: its token is forgotten',
  },
  {
    subscription: 'tokens_revoked',
    type: 'tokens_revoked',
    scopes: [],
    why: "the bot's token was revoked: the same",
  },
] as const satisfies readonly SlackBotEvent[];

/** The event types the bot reads, as delivered (`message` once, whatever the subscription). */
export const SLACK_EVENT_TYPES: ReadonlySet<string> = new Set(SLACK_BOT_EVENTS.map((event) => event.type));
