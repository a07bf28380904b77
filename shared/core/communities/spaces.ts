/**
 * Where the bot is, and whether it serves there. Every event and interaction outside a private chat passes
 * through {@link SpaceGate}: the first one from a space registers it (a community of its own, served at once
 * in `open` mode, waiting for a link or ops in `approved` mode); the bot's own arrival, removal and a Telegram
 * group's migration come as {@link SpaceChange}s.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { Location, Space, SpaceChange } from '../events.js';
import type { OutboundMessage } from '../messenger.js';
import { type SpaceRecord, type SpaceStore, type SpacesMode, spaceKey } from './model.js';

/** How long an instance trusts what it read about a space on the recording path. */
export const SPACE_CACHE_MS = 60_000;

/** The one notice the bot posts when it starts serving a space. */
export const SPACE_NOTICE: OutboundMessage = {
  text:
    '**Hello! I am this community’s bot.** I keep a record of who takes part and how: ids, times and ' +
    'sizes (how long a message is, who replied to whom, which reaction), never the text of a message. ' +
    `Moderators see totals with \`/${COMMAND_NAME} stats\`. \`/${COMMAND_NAME} me\` shows you what I hold ` +
    `about you; \`/${COMMAND_NAME} me optout\` stops it and \`/${COMMAND_NAME} me forget\` erases it. ` +
    `\`/${COMMAND_NAME} help\` lists everything I can do.`,
};

/** What a member hears in a space the bot does not serve yet (approved mode). */
export function notEnabledText(record: SpaceRecord): string {
  return (
    `This bot is not enabled in this space yet: a moderator of a community that uses it can link it ` +
    `(\`/${COMMAND_NAME} link\` there, then \`/${COMMAND_NAME} link <code>\` here), or ops can approve it ` +
    `(\`npm run spaces -- approve ${spaceKey(record)}\`).`
  );
}

export interface SpaceGate {
  /**
   * The space an event happened in, registered on first sight; undefined in a private chat (never a space).
   * `fresh` reads the table (interactions); otherwise an instance trusts its last read for a minute.
   */
  resolve(location: Location, now: Date, fresh?: boolean): Promise<SpaceRecord | undefined>;
  /**
   * The recording path's resolve: on a cache miss the space's read travels with `alongside`'s reads (one
   * round trip), which gets the space to read, or undefined when the instance trusts its cached record.
   * Not for private chats (the caller checks `direct` first).
   */
  resolveAlong<T>(
    location: Location,
    now: Date,
    alongside: (space: Space | undefined) => Promise<{ readonly space?: SpaceRecord; readonly extra: T }>,
  ): Promise<{ readonly record: SpaceRecord; readonly extra: T }>;
  /** Applies a change of the bot's own place; returns the space's record afterwards. */
  change(change: SpaceChange, now: Date): Promise<SpaceRecord | undefined>;
  /** Whether this instance should hand the registration notice to a later job now (once per instance). */
  takeNotice(record: SpaceRecord): boolean;
  /** The notice could not be handed over: the next event tries again. */
  noticeFailed(record: SpaceRecord): void;
}

export function createSpaceGate(spaces: SpaceStore, mode: SpacesMode): SpaceGate {
  const cache = new Map<string, { record: SpaceRecord; until: number }>();
  const noticeQueued = new Set<string>();
  // Only a served space is remembered: one that waits or was removed is read again at its next event, so
  // a Join or an approval (which another instance may handle) takes effect at once.
  const remember = (record: SpaceRecord | undefined, now: Date) => {
    if (record?.status === 'active') {
      cache.set(spaceKey(record), { record, until: now.getTime() + SPACE_CACHE_MS });
    } else if (record) {
      cache.delete(spaceKey(record));
    }
    return record;
  };
  const register = async (location: Location, now: Date) => {
    const { record } = await spaces.register(
      location.space,
      { status: mode === 'open' ? 'active' : 'pending', ...nameOf(location.spaceName) },
      now,
    );
    return record;
  };

  return {
    async resolve(location, now, fresh = false) {
      if (location.direct) return undefined;
      const key = spaceKey(location.space);
      const cached = cache.get(key);
      if (!fresh && cached && cached.until > now.getTime()) return cached.record;
      const found = (await spaces.find(location.space)) ?? (await register(location, now));
      // A space first heard from through a payload without its name (a Slack message, a Discord command)
      // takes the first name an interaction carries: one write, on the interaction path only. A name the
      // space has is kept (a Slack installation's team name beats a command's team domain).
      if (fresh && location.spaceName && !found.name) {
        await spaces.rename(location.space, location.spaceName);
        return remember({ ...found, name: location.spaceName }, now);
      }
      return remember(found, now);
    },
    async resolveAlong(location, now, alongside) {
      const cached = cache.get(spaceKey(location.space));
      const trusted = cached && cached.until > now.getTime() ? cached.record : undefined;
      const { space, extra } = await alongside(trusted ? undefined : location.space);
      if (trusted) return { record: trusted, extra };
      const record = remember(space ?? (await register(location, now)), now) as SpaceRecord;
      return { record, extra };
    },
    async change(change, now) {
      switch (change.kind) {
        case 'bot_added': {
          const location = { space: change.space, channelId: change.channelId, spaceName: change.name };
          const found = (await spaces.find(change.space)) ?? (await register(location, now));
          // Added back after a removal: it was served before, so it is again.
          const record = found.status === 'inactive' ? await spaces.activate(change.space, now) : found;
          return remember(record, now);
        }
        case 'bot_removed':
          cache.delete(spaceKey(change.space));
          return spaces.deactivate(change.space, now);
        case 'space_migrated': {
          cache.delete(spaceKey(change.from));
          const moved = await spaces.migrate(change.from, change.to, now);
          // An old group the bot never registered: the new one registers as any new space does (its mode).
          return remember(moved ?? (await register({ space: change.to, channelId: change.to.id }, now)), now);
        }
      }
    },
    takeNotice(record) {
      if (record.status !== 'active' || record.noticedAt) return false;
      const key = spaceKey(record);
      if (noticeQueued.has(key)) return false;
      noticeQueued.add(key);
      return true;
    },
    noticeFailed(record) {
      noticeQueued.delete(spaceKey(record));
    },
  };
}

function nameOf(name: string | undefined): { name?: string } {
  return name ? { name } : {};
}
