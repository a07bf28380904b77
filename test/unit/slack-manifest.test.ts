import { describe, expect, it } from 'vitest';
import { SLACK_BOT_EVENTS } from '../../bots/slack/events.js';
import { manifestOptions, PLACEHOLDER_URL, slackAppManifest } from '../../bots/slack/manifest.js';
import { SLACK_BOT_SCOPES } from '../../bots/slack/oauth/config.js';
import { parseEventCallback } from '../../bots/slack/parse.js';
import { isIgnored } from '../../shared/platform/ignored.js';

/**
 * `npm run slack:manifest`: the app manifest subscribes to exactly what parse.ts reads, asks for the
 * scopes those events need, and points Slack at the paths the Slack handler is served on.
 */

const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const BOT = { botId: 'B0PROBE', botUserId: 'U0PROBEBOT' };

/** Bot event types from Slack's event reference: what the parser is probed with. */
const SLACK_EVENT_TYPES = [
  'app_home_opened',
  'app_mention',
  'app_rate_limited',
  'app_requested',
  'app_uninstalled',
  'call_rejected',
  'channel_archive',
  'channel_created',
  'channel_deleted',
  'channel_history_changed',
  'channel_id_changed',
  'channel_left',
  'channel_rename',
  'channel_shared',
  'channel_unarchive',
  'channel_unshared',
  'dnd_updated_user',
  'email_domain_changed',
  'emoji_changed',
  'file_change',
  'file_created',
  'file_deleted',
  'file_public',
  'file_shared',
  'file_unshared',
  'function_executed',
  'grid_migration_finished',
  'grid_migration_started',
  'group_archive',
  'group_close',
  'group_deleted',
  'group_history_changed',
  'group_left',
  'group_open',
  'group_rename',
  'group_unarchive',
  'im_close',
  'im_created',
  'im_history_changed',
  'im_open',
  'link_shared',
  'member_joined_channel',
  'member_left_channel',
  'message',
  'message_metadata_posted',
  'pin_added',
  'pin_removed',
  'reaction_added',
  'reaction_removed',
  'shared_channel_invite_accepted',
  'star_added',
  'subteam_created',
  'subteam_members_changed',
  'team_access_granted',
  'team_domain_change',
  'team_join',
  'team_rename',
  'tokens_revoked',
  'user_change',
  'user_huddle_changed',
  'user_profile_changed',
  'user_status_changed',
] as const;

/** A minimal Events API delivery of `type`: enough for the parser's switch to route it. */
function probe(type: string) {
  const ts = '1700000000.000100';
  return parseEventCallback(
    {
      type: 'event_callback',
      team_id: 'T0PROBE',
      event_id: 'Ev0PROBE',
      event_time: 1_700_000_000,
      event: { type, user: 'U0PROBE', channel: 'C0PROBE', ts, event_ts: ts, tab: 'home' },
    },
    BOT,
  );
}

/** Whether the parser reads `type` at all (it may still ignore this minimal payload for other reasons). */
function parserReads(type: string): boolean {
  const result = probe(type);
  return !(isIgnored(result) && /^event type .+ is not engagement$/.test(result.ignored));
}

const http = slackAppManifest({ baseUrl: BASE, socketMode: false });
const subscribed = new Set<string>(SLACK_BOT_EVENTS.map((event) => event.type));

describe('the Slack app manifest: events', () => {
  it('subscribes to every event type the parser reads', () => {
    const read = SLACK_EVENT_TYPES.filter(parserReads);

    // The probe tells the two apart: the parser reads messages and passes over emoji changes.
    expect(read).toContain('message');
    expect(read).not.toContain('emoji_changed');
    expect(read.filter((type) => !subscribed.has(type))).toEqual([]);
  });

  it.each(SLACK_BOT_EVENTS.map((event) => [event.subscription, event.type]))(
    'subscribes to %s, whose %s the parser reads',
    (_subscription, type) => {
      expect(parserReads(type)).toBe(true);
    },
  );

  it("lists the subscriptions as bot events, messages by each conversation kind's name", () => {
    expect(http.settings?.event_subscriptions?.bot_events).toEqual([
      'message.channels',
      'message.groups',
      'reaction_added',
      'reaction_removed',
      'member_joined_channel',
      'member_left_channel',
      'team_join',
      'app_home_opened',
      'app_uninstalled',
      'tokens_revoked',
    ]);
  });
});

describe('the Slack app manifest: scopes', () => {
  const requested = new Set<string>(http.oauth_config?.scopes?.bot ?? []);

  it.each(SLACK_BOT_EVENTS.map((event) => [event.subscription, event.scopes]))(
    '%s: asks for the scopes it needs',
    (_subscription, scopes) => {
      expect(scopes.filter((scope) => !requested.has(scope))).toEqual([]);
    },
  );

  it('asks for the scopes the installation flow asks for, and the ones the bot speaks with', () => {
    expect([...requested].sort()).toEqual([...SLACK_BOT_SCOPES].sort());
    expect([...requested]).toEqual(
      expect.arrayContaining(['chat:write', 'commands', 'im:write', 'users:read']),
    );
  });
});

describe('the Slack app manifest: URLs and settings', () => {
  it("sends events, /community and interactivity to the Slack handler's path", () => {
    expect(http.features?.slash_commands).toEqual([
      expect.objectContaining({ command: '/community', url: `${BASE}/slack/events` }),
    ]);
    expect(http.settings?.event_subscriptions?.request_url).toBe(`${BASE}/slack/events`);
    expect(http.settings?.interactivity).toEqual({ is_enabled: true, request_url: `${BASE}/slack/events` });
    expect(http.oauth_config?.redirect_urls).toEqual([`${BASE}/slack/oauth_redirect`]);
  });

  it('gives /community a usage hint naming its subcommands', () => {
    expect(http.features?.slash_commands?.[0]?.usage_hint).toMatch(/^help \| feedback \| stats\b/);
  });

  it('turns on the Home and Messages tabs, and off Socket Mode, org deploys and token rotation', () => {
    expect(http.features?.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(http.settings).toMatchObject({
      socket_mode_enabled: false,
      org_deploy_enabled: false,
      token_rotation_enabled: false,
    });
  });

  it('with --socket: Socket Mode on and no request URL anywhere', () => {
    const socket = slackAppManifest(manifestOptions(['--socket'], {}));

    expect(socket.settings?.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('https://');
    expect(socket.settings?.event_subscriptions?.bot_events).toEqual(
      http.settings?.event_subscriptions?.bot_events,
    );
  });
});

describe('npm run slack:manifest options', () => {
  it('takes the URL from the argument before PUBLIC_URL', () => {
    expect(manifestOptions([BASE], { PUBLIC_URL: 'https://other.example' }).baseUrl).toBe(BASE);
    expect(manifestOptions([], { PUBLIC_URL: `${BASE}/` }).baseUrl).toBe(`${BASE}/`);
  });

  it('falls back to a placeholder that says to replace it', () => {
    expect(manifestOptions([], {})).toEqual({ baseUrl: PLACEHOLDER_URL, socketMode: false });
    expect(PLACEHOLDER_URL).toMatch(/replace/);
  });

  it('joins a URL with a trailing slash without doubling it', () => {
    const manifest = slackAppManifest(manifestOptions([`${BASE}/`], {}));

    expect(manifest.settings?.event_subscriptions?.request_url).toBe(`${BASE}/slack/events`);
  });

  it("takes the stack's SlackEventsUrl output as well as the API's root", () => {
    expect(manifestOptions([`${BASE}/slack/events`], {}).baseUrl).toBe(BASE);
  });

  it('refuses a URL Slack would not post to', () => {
    expect(() => manifestOptions(['http://127.0.0.1:3000'], {})).toThrow(/https/);
    expect(() => manifestOptions(['not a url'], {})).toThrow(/Not a URL/);
  });
});
