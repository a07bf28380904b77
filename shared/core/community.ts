/**
 * The one entry point adapters call. Recording an event needs only the store, so that is all this module
 * loads: the dispatcher (commands, presses, forms, later jobs, private replies, with every feature) is
 * imported on the first interaction. The bundles split it into chunks (infra/bundling.ts), so a cold start
 * that only records a message never reads it.
 */
import type { SpaceRecord, SpacesMode } from './communities/model.js';
import { createSpaceGate, type SpaceGate } from './communities/spaces.js';
import { type EngagementRecord, type RecordOutcome, toEngagementRecord } from './engagement.js';
import {
  type InboundEvent,
  type InteractionEvent,
  type Member,
  type MemberJoined,
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
      const people = { member: event.member, ...toMemberOf(event) };
      const ids = await pseudonyms();
      const keys = privacyKeysOf(ids, people);
      const { record: space, extra: markers } = await gate.resolveAlong(
        event.location,
        at,
        async (toRead) => {
          const { space: found, privacy } = await deps.stores.recording.read(toRead, keys);
          return { ...(found ? { space: found } : {}), extra: privacy };
        },
      );
      if (space.status !== 'active') return 'not_served';
      const allowed = recordingIds(ids, people, keys, markers);
      if (!allowed.record) return 'opted_out';
      const item = toEngagementRecord(event, at, allowed, space.retentionDays ?? DEFAULT_RETENTION_DAYS);
      const outcome = await deps.stores.engagement.record(item);
      deps.onRecorded?.(item, outcome);
      // After the record: handing the notice over never delays or fails what the event is for.
      await noticeIfNew(space, event.location.channelId);
      // A redelivered join runs it again: the features' reactions are idempotent, and a crash between the
      // record and the welcome is healed by the platform's retry.
      if (event.kind === 'member_joined') await (await load()).onJoined(event, space, at);
      return outcome;
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
  };

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

function toMemberOf(event: InboundEvent): { toMember?: Member } {
  return 'toMember' in event && event.toMember ? { toMember: event.toMember } : {};
}

/** The interaction side, loaded on first use (dispatcher.ts). */
export interface Dispatcher extends Omit<Community, 'onEvent' | 'onSpaceChange'> {
  /** Queues a served space's registration notice in the outbox, once, and notes it on the space. */
  notice(space: SpaceRecord, channelId: string): Promise<void>;
  /** Lets every feature react to a member's join (a welcome), after it was recorded. */
  onJoined(event: MemberJoined, space: SpaceRecord, at: Date): Promise<void>;
}

export type { SpaceGate };
