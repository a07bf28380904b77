/**
 * Work answered later. A handler that may take more than about a second returns `later`: the dispatcher
 * acknowledges the interaction at once and hands a {@link LaterJob} to the {@link LaterQueue}. On Lambda the
 * function is frozen once it has replied, so "later" is a separate invocation: the webhook invokes its own
 * function asynchronously (InvocationType `Event`: Lambda queues it, retries a failed run twice, and the
 * job's ledger claim makes every retry or duplicate run answer at most once). `npm run dev` and the tests
 * run the same path against a local Lambda Invoke endpoint (infra/local/fake-lambda.ts).
 */
import type { InteractionEvent, Space } from './events.js';

/** Marks an invocation as a job rather than an HTTP request. */
export const LATER_JOB_SOURCE = 'community.later';

/** An interaction event as JSON: its date as an ISO string. */
export type SerializedInteraction = Omit<InteractionEvent, 'occurredAt'> & { readonly occurredAt: string };

/** An interaction whose answer is given later. */
export interface InteractionJob {
  readonly source: typeof LATER_JOB_SOURCE;
  readonly event: SerializedInteraction;
}

/** The one notice a space gets when the bot starts serving it, posted where the bot first heard activity. */
export interface NoticeJob {
  readonly source: typeof LATER_JOB_SOURCE;
  readonly notice: { readonly space: Space; readonly channelId: string };
}

/**
 * The daily closing of rollups (a schedule invokes it): every space's last closed days get their final
 * totals, so records can expire after their retention without stats changing.
 */
export interface RollupJob {
  readonly source: typeof LATER_JOB_SOURCE;
  readonly rollup: Readonly<Record<string, never>>;
}

/** The payload of a later invocation. */
export type LaterJob = InteractionJob | NoticeJob | RollupJob;

/** Hands a job to a later invocation (shared/lambda/later-queue.ts). */
export interface LaterQueue {
  enqueue(job: LaterJob): Promise<void>;
}

/** The job the daily schedule sends (infra/community-stack.ts). */
export const ROLLUP_JOB: RollupJob = { source: LATER_JOB_SOURCE, rollup: {} };

export function toLaterJob(event: InteractionEvent): InteractionJob {
  return { source: LATER_JOB_SOURCE, event: { ...event, occurredAt: event.occurredAt.toISOString() } };
}

/** Whether an invocation's payload is a job (an HTTP event never has this `source`). */
export function isLaterJob(payload: unknown): payload is LaterJob {
  if (typeof payload !== 'object' || payload === null) return false;
  const { source, event, notice, rollup } = payload as Record<string, unknown>;
  const isObject = (value: unknown) => typeof value === 'object' && value !== null;
  return source === LATER_JOB_SOURCE && (isObject(event) || isObject(notice) || isObject(rollup));
}

/** The ids a job is logged with (never its content). */
export function describeLaterJob(job: LaterJob): Readonly<Record<string, string>> {
  if ('event' in job) return { eventId: job.event.id, kind: job.event.kind };
  if ('rollup' in job) return { kind: 'rollup' };
  return { kind: 'space_notice', space: `${job.notice.space.platform}:${job.notice.space.id}` };
}

export function fromLaterJob(job: InteractionJob): InteractionEvent {
  return { ...job.event, occurredAt: new Date(job.event.occurredAt) } as InteractionEvent;
}
