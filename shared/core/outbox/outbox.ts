/**
 * Enqueuing: how a feature hands over something to say unasked. The message is stored once per key, and a
 * message due now wakes the worker so it leaves within seconds instead of at the next scheduled run.
 */
import type { CoreLogger } from '../feature.js';
import type { MemberStore } from '../members/model.js';
import type {
  AttentionStore,
  Enqueued,
  Outbox,
  OutboxDraft,
  OutboxMessage,
  OutboxStore,
  WakeWorker,
} from './model.js';
import { expectedSend } from './policy.js';
import { SituationReader } from './situation.js';

/** A message's stable id: a digest of its community and key (36 characters, safe in every platform's id fields). */
export async function outboxId(communityId: string, key: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${communityId}\n${key}`));
  return `o${Buffer.from(hash).toString('base64url').slice(0, 35)}`;
}

export interface OutboxDeps {
  readonly store: OutboxStore;
  readonly attention: AttentionStore;
  readonly members: MemberStore;
  readonly wake: WakeWorker;
  readonly logger: CoreLogger;
}

export function createOutbox(deps: OutboxDeps): Outbox {
  return {
    async enqueue(draft: OutboxDraft, now: Date): Promise<Enqueued> {
      const id = await outboxId(draft.communityId, draft.key);
      const queued: OutboxMessage = {
        ...draft,
        id,
        status: 'queued',
        createdAt: now,
        dueAt: draft.notBefore && draft.notBefore > now ? draft.notBefore : now,
        attempts: 0,
      };
      // Only someone waiting for an answer needs a forecast; a welcome does not pay for the reads.
      const forecast = draft.requestedBy
        ? expectedSend(queued, await new SituationReader(deps).situation(queued, now), now)
        : {};
      const message = forecast.at ? { ...queued, promisedAt: forecast.at } : queued;
      const { added, message: stored } = await deps.store.add(message);
      if (added && stored.dueAt <= now) await deps.wake();
      if (!added) deps.logger.info('outbox message already queued', { id, purpose: draft.purpose });
      return {
        message: stored,
        added,
        ...(forecast.at ? { expectedAt: forecast.at } : {}),
        ...(forecast.reason ? { reason: forecast.reason } : {}),
      };
    },
  };
}
