import { runCommand } from './commands.js';
import { type EngagementStore, type RecordOutcome, recordEngagement } from './engagement.js';
import type { CommandInvoked, InboundEvent } from './events.js';
import type { Reply } from './reply.js';

/** What the core needs from the outside world; adapters pass it in once per cold start. */
export interface CommunityDeps {
  readonly store: EngagementStore;
  /** Injected so tests and the bench can pin time. */
  readonly now?: () => Date;
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

export function createCommunity({ store, now = () => new Date() }: CommunityDeps): Community {
  return {
    onEvent: (event) => recordEngagement(event, store, now()),
    async onCommand(invocation, isModerator) {
      const receivedAt = now();
      if ((await recordEngagement(invocation, store, receivedAt)) === 'duplicate') return undefined;
      return runCommand({ invocation, isModerator: memoize(isModerator), store, now: receivedAt });
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
