/**
 * The one entry point adapters call. Recording an event needs only the store, so that is all this module
 * loads: the dispatcher (commands, presses, forms, later jobs, private replies, with every feature) is
 * imported on the first interaction. The bundles split it into chunks (infra/bundling.ts), so a cold start
 * that only records a message never reads it.
 */
import type { SpaceRecord, SpacesMode } from './communities/model.js';
import { createSpaceGate, type SpaceGate } from './communities/spaces.js';
import {
  ANONYMOUS,
  type ChangeOutcome,
  type EngagementRecord,
  keyInSpace,
  type RecordChange,
  type RecordOutcome,
  sequenceOf,
  TOMBSTONE_DAYS,
  type Tombstone,
  toCountRecord,
  toEngagementRecord,
} from './engagement.js';
import {
  type HomeOpened,
  type InboundEvent,
  type InteractionEvent,
  type Location,
  type Member,
  type MemberJoined,
  type MessageChange,
  type Platform,
  type PrivateText,
  SPACE_WIDE,
  type SpaceChange,
} from './events.js';
import type { CoreLogger, CoreStores, Feature } from './feature.js';
import type { LaterJob, LaterQueue } from './later.js';
import { privacyKeysOf, recordingIds } from './members/privacy.js';
import type { Pseudonyms } from './members/pseudonyms.js';
import { DEFAULT_RETENTION_DAYS } from './members/retention.js';
import type { InteractionResponder, Messenger } from './messenger.js';
import type { WakeWorker } from './outbox/model.js';

/** Told about every recording, after the store answered (the dev terminal prints one line per event). */
export type RecordObserver = (record: EngagementRecord, outcome: RecordOutcome) => void;

/** What the core needs from the outside world; adapters pass it in once per cold start. */
export interface CommunityDeps {
  readonly stores: CoreStores;
  readonly messenger: Messenger;
  /** Who counts as a moderator on the adapter's platform, in words, for refusals. */
  readonly moderatorRule: string;
  readonly later: LaterQueue;
  readonly logger: CoreLogger;
  /** Whether a new space is served at once (`open`) or once linked or approved (`approved`, the default). */
  readonly spacesMode?: SpacesMode;
  /** Injected so tests and the bench can pin time. */
  readonly now?: () => Date;
  readonly onRecorded?: RecordObserver;
  /** The features to route to (all of them unless a test narrows it). */
  readonly features?: readonly Feature[];
  /** Platform ids to opaque ids (shared/lambda/member-key.ts): its key is read on the first event, never at init. */
  readonly pseudonyms: () => Promise<Pseudonyms>;
  /** Wakes the outbox worker when something is due now (shared/lambda/wake.ts). */
  readonly wake: WakeWorker;
}

/** What became of an interaction. */
export type InteractionResult = 'answered' | 'deferred' | 'duplicate' | 'in_progress';

/**
 * What became of an event: recorded once, or not at all because it happened in a private chat (never
 * community engagement), in a space the bot does not serve (approved mode, or the bot was removed), or by a
 * member who opted out (or is being erased).
 */
export type EventOutcome = RecordOutcome | 'private' | 'not_served' | 'opted_out';

export interface Community {
  /** Records a message, reply, reaction, join or leave exactly once however often it is delivered. */
  onEvent(event: InboundEvent): Promise<EventOutcome>;
  /**
   * Applies an edit, a deletion or an anonymous reaction count to what was recorded, in order and at most once
   * in effect, however often and in whatever order the changes are delivered.
   */
  onChange(change: MessageChange): Promise<ChangeOutcome | 'private' | 'not_served'>;
  /** The bot was added to or removed from a space, or a Telegram group moved to a new id. */
  onSpaceChange(change: SpaceChange): Promise<void>;
  /**
   * Records and answers a command, press or form submission, exactly once: the responder is used once
   * (to answer, update, open a form, defer, or only acknowledge a repeated delivery). `isModerator` is the
   * platform's answer when the payload itself carries the member's rights (Discord); otherwise the
   * Messenger is asked.
   */
  onInteraction(
    event: InteractionEvent,
    responder: InteractionResponder,
    isModerator?: () => Promise<boolean>,
  ): Promise<InteractionResult>;
  /** Text sent to the bot in a private chat: a deep link's `/start <token>`, or a guided form's answer. */
  onPrivateText(event: PrivateText): Promise<'handled' | 'duplicate' | 'in_progress' | 'none'>;
  /** Runs a job handed to a later invocation; throws (for a retry) when it could not answer. */
  runLater(job: LaterJob): Promise<void>;
  /** A member opened the bot's home (Slack's App Home): their view is published. */
  onHomeOpened(event: HomeOpened): Promise<void>;
}

export function createCommunity(deps: CommunityDeps): Community {
  const now = deps.now ?? (() => new Date());
  const gate = createSpaceGate(deps.stores.spaces, deps.spacesMode ?? 'approved');
  const { pseudonyms } = deps;
  let dispatcher: Promise<Dispatcher> | undefined;
  const load = () => {
    dispatcher ??= import('./dispatcher.js')
      .then(({ createDispatcher }) => createDispatcher(deps, gate, noticeIfNew, pseudonyms))
      .catch((error: unknown) => {
        dispatcher = undefined;
        throw error;
      });
    return dispatcher;
  };
  return {
    // Every delivery of one event maps to the same key and the store writes a key at most once, so
    // replays (sequential or concurrent) never double-count.
    async onEvent(event) {
      const at = now();
      if (event.location.direct) return 'private';
      const ids = await pseudonyms();
      const people = { member: event.member, ...toMemberOf(event) };
      // What is done in the space's name is nobody's: no privacy state to read, no opaque id.
      const keys = event.anonymous ? [] : privacyKeysOf(ids, people);
      const space = await served(event.location, keys);
      if (!space) return 'not_served';
      const allowed = event.anonymous
        ? { record: true as const, memberId: ANONYMOUS }
        : recordingIds(ids, people, keys, space.markers);
      if (!allowed.record) return 'opted_out';
      const keepDays = space.record.retentionDays ?? DEFAULT_RETENTION_DAYS;
      const item = toEngagementRecord(event, at, allowed, keepDays);
      const outcome = await recordOrChange(event, item, at);
      deps.onRecorded?.(item, outcome);
      // After the record: handing the notice over never delays or fails what the event is for.
      await noticeIfNew(space.record, event.location.channelId);
      // A redelivered join runs it again: the features' reactions are idempotent, and a crash between the
      // record and the welcome is healed by the platform's retry.
      if (event.kind === 'member_joined') await (await load()).onJoined(event, space.record, at);
      return outcome;
    },
    async onChange(change) {
      const at = now();
      if (change.location.direct) return 'private';
      const space = await served(change.location, []);
      if (!space) return 'not_served';
      const keepDays = space.record.retentionDays ?? DEFAULT_RETENTION_DAYS;
      return deps.stores.engagement.change(toRecordChange(change, at, keepDays), at);
    },
    async onSpaceChange(change) {
      const record = await gate.change(change, now());
      deps.logger.info('space changed', { kind: change.kind, status: record?.status });
      if (record && change.kind === 'bot_added') await noticeIfNew(record, change.channelId);
    },
    onInteraction: async (event, responder, isModerator) =>
      (await load()).onInteraction(event, responder, isModerator),
    onPrivateText: async (event) => (await load()).onPrivateText(event),
    runLater: async (job) => (await load()).runLater(job),
    onHomeOpened: async (event) => (await load()).onHomeOpened(event),
  };

  /** The space of an event when the bot serves it, with the privacy markers of `keys` read along. */
  async function served(location: Location, keys: readonly string[]) {
    const { record, extra: markers } = await gate.resolveAlong(location, now(), async (toRead) => {
      const { space: found, privacy } = await deps.stores.recording.read(toRead, keys);
      return { ...(found ? { space: found } : {}), extra: privacy };
    });
    return record.status === 'active' ? { record, markers } : undefined;
  }

  /**
   * A reaction is a state (on or taken back), applied in order; everything else is one act, written once.
   * A removal reports `recorded` when it took a counted reaction back.
   */
  async function recordOrChange(
    event: InboundEvent,
    item: EngagementRecord,
    at: Date,
  ): Promise<RecordOutcome> {
    if (event.kind !== 'reaction_added' && event.kind !== 'reaction_removed') {
      return deps.stores.engagement.record(item);
    }
    const sequence = sequenceOf(event);
    const change: RecordChange =
      event.kind === 'reaction_added'
        ? { type: 'react', record: item, sequence }
        : { type: 'withdraw', key: item.key, sequence, tombstone: tombstoneOf(item, at) };
    return (await deps.stores.engagement.change(change, at)) === 'applied' ? 'recorded' : 'duplicate';
  }

  /** The first activity a served space shows queues its registration notice in the outbox (posted once). */
  async function noticeIfNew(space: SpaceRecord, channelId: string): Promise<void> {
    // A space-wide event (a Slack workspace join) has no channel to post in: a later event will.
    if (channelId === SPACE_WIDE || !gate.takeNotice(space)) return;
    // The notice must not cost the event its record: another event (or instance) queues it again.
    await (await load()).notice(space, channelId).catch((error: unknown) => {
      gate.noticeFailed(space);
      deps.logger.warn('space notice not queued', { space: `${space.platform}:${space.id}`, error });
    });
  }
}

/** A message change as the store applies it. */
function toRecordChange(change: MessageChange, at: Date, keepDays: number): RecordChange {
  const { space } = change.location;
  const key = keyInSpace(space, change.targetId);
  const sequence = sequenceOf(change);
  switch (change.kind) {
    case 'message_edited':
      return { type: 'amend', key, sequence, textLength: change.textLength };
    case 'message_deleted':
      return {
        type: 'withdraw',
        key,
        sequence,
        tombstone: tombstoneOf({ platform: space.platform, spaceId: space.id }, at),
      };
    case 'reactions_counted':
      return { type: 'count', record: toCountRecord(change, at, keepDays), sequence, count: change.count };
  }
}

/** What stands in for a withdrawn record that was never stored (its member, when known, for `forget`). */
function tombstoneOf(
  of: { readonly platform: Platform; readonly spaceId: string; readonly memberId?: string },
  at: Date,
): Tombstone {
  return {
    platform: of.platform,
    spaceId: of.spaceId,
    ...(of.memberId ? { memberId: of.memberId } : {}),
    expiresAt: new Date(at.getTime() + TOMBSTONE_DAYS * 24 * 3600 * 1000).toISOString(),
  };
}

function toMemberOf(event: InboundEvent): { toMember?: Member } {
  return 'toMember' in event && event.toMember ? { toMember: event.toMember } : {};
}

/** The interaction side, loaded on first use (dispatcher.ts). */
export interface Dispatcher extends Omit<Community, 'onEvent' | 'onSpaceChange' | 'onChange'> {
  /** Queues a served space's registration notice in the outbox, once, and notes it on the space. */
  notice(space: SpaceRecord, channelId: string): Promise<void>;
  /** Lets every feature react to a member's join (a welcome), after it was recorded. */
  onJoined(event: MemberJoined, space: SpaceRecord, at: Date): Promise<void>;
}

export type { SpaceGate };
