/**
 * The one entry point adapters call. Recording an event needs only the store, so that is all this module
 * loads: the dispatcher (commands, presses, forms, later jobs, private replies, with every feature) is
 * imported on the first interaction. The bundles split it into chunks (infra/bundling.ts), so a cold start
 * that only records a message never reads it.
 */
import { type EngagementRecord, type RecordOutcome, toEngagementRecord } from './engagement.js';
import type { InboundEvent, InteractionEvent, PrivateText } from './events.js';
import type { CoreLogger, CoreStores, Feature } from './feature.js';
import type { LaterJob, LaterQueue } from './later.js';
import type { InteractionResponder, Messenger } from './messenger.js';

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
  /** Injected so tests and the bench can pin time. */
  readonly now?: () => Date;
  readonly onRecorded?: RecordObserver;
  /** The features to route to (all of them unless a test narrows it). */
  readonly features?: readonly Feature[];
}

/** What became of an interaction. */
export type InteractionResult = 'answered' | 'deferred' | 'duplicate' | 'in_progress';

export interface Community {
  /** Records a message, reply, reaction, join or leave exactly once however often it is delivered. */
  onEvent(event: InboundEvent): Promise<RecordOutcome>;
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
  let dispatcher: Promise<Omit<Community, 'onEvent'>> | undefined;
  const load = () => {
    dispatcher ??= import('./dispatcher.js')
      .then(({ createDispatcher }) => createDispatcher(deps))
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
      const item = toEngagementRecord(event, now());
      const outcome = await deps.stores.engagement.record(item);
      deps.onRecorded?.(item, outcome);
      return outcome;
    },
    onInteraction: async (event, responder, isModerator) =>
      (await load()).onInteraction(event, responder, isModerator),
    onPrivateText: async (event) => (await load()).onPrivateText(event),
    runLater: async (job) => (await load()).runLater(job),
  };
}
