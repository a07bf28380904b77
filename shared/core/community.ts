import { runCommand } from './commands.js';
import {
  type EngagementRecord,
  type EngagementStore,
  type RecordOutcome,
  toEngagementRecord,
} from './engagement.js';
import type { CommandInvoked, InboundEvent } from './events.js';
import type { Reply } from './reply.js';

/** Told about every recording, after the store answered (the dev terminal prints one line per event). */
export type RecordObserver = (record: EngagementRecord, outcome: RecordOutcome) => void;

/** What the core needs from the outside world; adapters pass it in once per cold start. */
export interface CommunityDeps {
  readonly store: EngagementStore;
  /** Who counts as a moderator on the adapter's platform, in words, for refusals. */
  readonly moderatorRule: string;
  /** Injected so tests and the bench can pin time. */
  readonly now?: () => Date;
  readonly onRecorded?: RecordObserver;
}

/** The one entry point adapters call: every platform's events and commands come through here. */
export interface Community {
  /** Records a message, reply, reaction, join or leave exactly once however often it is delivered. */
  onEvent(event: InboundEvent): Promise<RecordOutcome>;
  /**
   * Records the invocation, then runs it. Returns `undefined` for a repeated delivery of an invocation
   * already handled, so a platform's redelivery never makes the bot answer twice.
   */
  onCommand(invocation: CommandInvoked, isModerator: () => Promise<boolean>): Promise<Reply | undefined>;
}

export function createCommunity({
  store,
  moderatorRule,
  now = () => new Date(),
  onRecorded,
}: CommunityDeps): Community {
  // Every delivery of one event maps to the same key and the store writes a key at most once, so
  // replays (sequential or concurrent) never double-count.
  const record = async (event: InboundEvent, receivedAt: Date): Promise<RecordOutcome> => {
    const item = toEngagementRecord(event, receivedAt);
    const outcome = await store.record(item);
    onRecorded?.(item, outcome);
    return outcome;
  };
  return {
    onEvent: (event) => record(event, now()),
    async onCommand(invocation, isModerator) {
      const receivedAt = now();
      if ((await record(invocation, receivedAt)) === 'duplicate') return undefined;
      return runCommand({
        invocation,
        isModerator: memoize(isModerator),
        moderatorRule,
        store,
        now: receivedAt,
      });
    },
  };
}

/** A moderator check asks the platform at most once per command. */
function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load();
    return pending;
  };
}
