/**
 * The outbox worker: drains what is due, one run at a time (a lease in the table), within the attention
 * budget (policy.ts) and each platform's limits (pacer.ts), on an injected clock. In AWS a fixed-rate
 * schedule runs it every minute and a message due now wakes it early; `npm run dev` runs it on a timer.
 *
 * A run loops: read what is due, decide each message (send, hold, expire, drop), start every send the
 * limits allow at once (one per channel), wait for them, and when nothing may go yet, wait (on the clock)
 * until the earliest moment something may. It ends at its deadline, or when nothing is due before it and
 * nobody woke it meanwhile.
 */
import type { Platform } from '../events.js';
import type { CoreLogger } from '../feature.js';
import type { MemberStore } from '../members/model.js';
import { attemptSend } from './attempt.js';
import {
  GREETING_EVERY_MS,
  GREETING_MENTIONS,
  GREETING_REASON,
  greetingChannelKey,
  greetingKey,
  greetingText,
  isWaitingWelcome,
  type WaitingWelcome,
} from './greeting.js';
import type {
  AttentionStore,
  Clock,
  Outbox,
  OutboxMessage,
  OutboxStore,
  OutboxTransport,
  WorkerLease,
} from './model.js';
import { createOutbox, outboxId } from './outbox.js';
import { Pacer } from './pacer.js';
import { decide } from './policy.js';
import { budgetKeyOf, SituationReader } from './situation.js';
import { describeLocal } from './zone.js';

export interface OutboxWorkerDeps {
  readonly outbox: OutboxStore;
  readonly lease: WorkerLease;
  readonly attention: AttentionStore;
  readonly members: MemberStore;
  readonly transports: readonly OutboxTransport[];
  readonly clock: Clock;
  readonly logger: CoreLogger;
}

export interface WorkerReport {
  /** False when another run held the lease: this one did nothing. */
  readonly leased: boolean;
  readonly sent: number;
  readonly held: number;
  readonly retried: number;
  readonly failed: number;
  readonly expired: number;
  readonly dropped: number;
  readonly unconfirmed: number;
}

export type Tally = { -readonly [K in Exclude<keyof WorkerReport, 'leased'>]: number };

export interface OutboxWorker {
  /** Drains until `until` (default: {@link DEFAULT_RUN_MS} from now) or until nothing is left to do. */
  run(options?: { readonly until?: Date }): Promise<WorkerReport>;
}

/** A scheduled run's length: the schedule starts the next one a minute after this one started. */
export const DEFAULT_RUN_MS = 55_000;
/** A run's lease outlives its deadline by this much (a run that died lets the next one in soon after). */
const LEASE_MARGIN_MS = 20_000;
/** Messages read per look. Enough to keep every channel of a busy hour moving at once. */
const DUE_BATCH = 400;
/** A long run reads settings, mutes and past sends again after this much of its clock's time. */
const REFRESH_MS = 60_000;

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const transports = new Map<Platform, OutboxTransport>(deps.transports.map((one) => [one.platform, one]));
  // Limits outlive a run: a warm instance knows what it sent a moment ago.
  const pacer = new Pacer();
  return {
    async run(options = {}) {
      const started = deps.clock.now();
      const deadline = options.until ?? new Date(started.getTime() + DEFAULT_RUN_MS);
      const owner = `worker-${started.getTime()}-${Math.random().toString(36).slice(2, 10)}`;
      const wakes = await deps.lease.acquire(owner, started, leaseUntil(deadline));
      const tally: Tally = {
        sent: 0,
        held: 0,
        retried: 0,
        failed: 0,
        expired: 0,
        dropped: 0,
        unconfirmed: 0,
      };
      if (wakes === undefined) return { leased: false, ...tally };
      const run = new Run(deps, transports, pacer, tally, owner, deadline);
      await run.drain(wakes);
      return { leased: true, ...tally };
    },
  };
}

function leaseUntil(deadline: Date): Date {
  return new Date(deadline.getTime() + LEASE_MARGIN_MS);
}

class Run {
  private readonly reader: SituationReader;
  /** Where notes to a held message's requester go; the worker drains them itself, so no wake. */
  private readonly notes: Outbox;
  private refreshedAt: number;

  constructor(
    private readonly deps: OutboxWorkerDeps,
    private readonly transports: ReadonlyMap<Platform, OutboxTransport>,
    private readonly pacer: Pacer,
    private readonly tally: Tally,
    private readonly owner: string,
    private readonly deadline: Date,
  ) {
    this.reader = new SituationReader(deps);
    this.notes = createOutbox({ ...deps, store: deps.outbox, wake: async () => {} });
    this.refreshedAt = deps.clock.now().getTime();
  }

  async drain(initialWakes: number): Promise<void> {
    const { clock, outbox, lease } = this.deps;
    let wakes = initialWakes;
    for (;;) {
      const now = clock.now();
      if (now >= this.deadline) return this.letGo(wakes);
      this.refreshNowAndThen(now);
      const due = await outbox.due(now, DUE_BATCH);
      if (due.length > 0) {
        const readyAt = await this.wave(due, now);
        if (readyAt !== undefined) await this.sleepUntil(readyAt);
        continue;
      }
      const next = await outbox.nextDue();
      if (next && next < this.deadline) {
        await this.sleepUntil(next.getTime());
        continue;
      }
      if (await lease.release(this.owner, wakes)) return;
      // Woken since the last look: something new is due; the lease is still ours.
      const renewed = await lease.renew(this.owner, leaseUntil(this.deadline));
      if (renewed === undefined) return;
      wakes = renewed;
    }
  }

  /** At the deadline: lets go whatever the wakes, so the next scheduled run (seconds away) takes over. */
  private async letGo(seen: number): Promise<void> {
    let wakes: number | undefined = seen;
    while (wakes !== undefined && !(await this.deps.lease.release(this.owner, wakes))) {
      wakes = await this.deps.lease.renew(this.owner, leaseUntil(this.deadline));
    }
  }

  /**
   * Decides every due message and starts the sends the limits allow now. Returns when to look again if
   * nothing could start (the earliest moment the limits allow one), else `undefined` (look again at once).
   */
  private async wave(due: readonly OutboxMessage[], now: Date): Promise<number | undefined> {
    const sends: Promise<void>[] = [];
    const greetings = new Map<string, WaitingWelcome[]>();
    let readyAt = Number.POSITIVE_INFINITY;
    let changed = false;
    for (const message of due) {
      if (isWaitingWelcome(message)) {
        const key = greetingChannelKey(message.audience.greetIn);
        greetings.set(key, [...(greetings.get(key) ?? []), message]);
        continue;
      }
      const transport = this.transports.get(platformOf(message));
      if (!transport) {
        await this.deps.outbox.hold(
          message,
          new Date(now.getTime() + 5 * 60_000),
          'no transport for its platform',
        );
        this.deps.logger.error('outbox has no transport for a platform', { platform: platformOf(message) });
        changed = true;
        continue;
      }
      const start = await this.consider(message, transport, now);
      if (start === 'settled') {
        changed = true;
        continue;
      }
      if (start !== 'now') {
        readyAt = Math.min(readyAt, start);
        continue;
      }
      sends.push(
        attemptSend(message, transport, {
          ...this.deps,
          pacer: this.pacer,
          decidedAt: now.getTime(),
          tally: this.tally,
          onUnreachable: (held) => this.waitForGreeting(held),
        }),
      );
    }
    for (const welcomes of greetings.values()) {
      await this.greet(welcomes, now);
      changed = true;
    }
    if (sends.length > 0) {
      await Promise.all(sends);
      return undefined;
    }
    return changed ? undefined : Number.isFinite(readyAt) ? readyAt : now.getTime() + 1000;
  }

  /** Applies the policy; `now` when the message may start now (its budget spent), a time when the limits say wait. */
  private async consider(
    message: OutboxMessage,
    transport: OutboxTransport,
    now: Date,
  ): Promise<'now' | 'settled' | number> {
    const decision = decide(message, await this.reader.situation(message, now), now);
    if (decision.kind === 'hold') {
      await this.hold(message, decision.until, decision.reason);
      return 'settled';
    }
    if (decision.kind === 'expire' || decision.kind === 'drop') {
      await this.deps.outbox.end(
        message,
        { status: decision.kind === 'expire' ? 'expired' : 'dropped', reason: decision.reason },
        now,
      );
      this.tally[decision.kind === 'expire' ? 'expired' : 'dropped'] += 1;
      this.deps.logger.info('outbox message not sent', {
        id: message.id,
        purpose: message.purpose,
        reason: decision.reason,
      });
      return 'settled';
    }
    const rules = transport.paceRules(message.audience);
    const ready = this.pacer.readyAt(rules, now.getTime());
    if (ready > now.getTime()) return ready;
    this.pacer.spend(rules, now.getTime());
    const budget = budgetKeyOf(message);
    if (budget) await this.reader.spend(budget, { messageId: message.id, at: now }, now);
    return 'now';
  }

  /** Holds a message; the member who caused it hears when it will go if that is later than promised. */
  private async hold(message: OutboxMessage, until: Date, reason: string): Promise<void> {
    const promised = message.promisedAt?.getTime();
    const later = message.requestedBy && (promised === undefined || until.getTime() > promised + 60_000);
    if (later && message.requestedBy) {
      const settings = await this.reader.settings(message.communityId);
      await this.notes.enqueue(
        {
          key: `held:${message.id}:${until.toISOString()}`,
          communityId: message.communityId,
          purpose: 'held_notice',
          audience: message.requestedBy,
          allowance: { kind: 'reply' },
          message: {
            text: `Your ${message.purpose.replace(/_/g, ' ')} will now go ${describeLocal(until, settings.timeZone)} (${reason}).`,
          },
        },
        this.deps.clock.now(),
      );
    }
    await this.deps.outbox.hold(message, until, reason, later ? until : undefined);
    this.tally.held += 1;
  }

  /** A welcome that could not be sent privately waits for its channel's next greeting. */
  private async waitForGreeting(message: OutboxMessage): Promise<void> {
    await this.deps.outbox.hold(message, this.deps.clock.now(), GREETING_REASON);
  }

  /** One greeting post for a channel's waiting welcomes, when the channel's greeting hour allows. */
  private async greet(candidates: readonly WaitingWelcome[], now: Date): Promise<void> {
    // Someone who opted out or muted the bot since they joined is not named either.
    const waiting: WaitingWelcome[] = [];
    for (const welcome of candidates) {
      const { blocked } = await this.reader.situation(welcome, now);
      if (!blocked) {
        waiting.push(welcome);
        continue;
      }
      await this.deps.outbox.end(welcome, { status: 'dropped', reason: blocked }, now);
      this.tally.dropped += 1;
    }
    const first = waiting[0];
    if (!first) return;
    const target = first.audience.greetIn;
    const key = { kind: 'greeting', space: target.space, channelId: target.channelId } as const;
    const last = (await this.reader.spends(key, now)).at(-1)?.at.getTime();
    if (last !== undefined && now.getTime() - last < GREETING_EVERY_MS) {
      for (const welcome of waiting) {
        await this.deps.outbox.hold(welcome, new Date(last + GREETING_EVERY_MS), GREETING_REASON);
      }
      return;
    }
    const welcomes = [...waiting].sort((a, b) => a.id.localeCompare(b.id)).slice(0, GREETING_MENTIONS);
    const postKey = greetingKey(target, welcomes);
    const id = await outboxId(first.communityId, postKey);
    await this.deps.outbox.add({
      key: postKey,
      id,
      communityId: first.communityId,
      purpose: 'welcome_greeting',
      audience: { kind: 'channel', target },
      allowance: { kind: 'unsolicited' },
      message: greetingText(welcomes),
      status: 'queued',
      createdAt: now,
      dueAt: now,
      attempts: 0,
    });
    await this.reader.spend(key, { messageId: id, at: now }, now);
    for (const welcome of welcomes) {
      await this.deps.outbox.end(
        welcome,
        { status: 'sent', posted: { channelId: target.channelId, messageId: `greeting:${id}` } },
        now,
      );
    }
  }

  private refreshNowAndThen(now: Date): void {
    if (now.getTime() - this.refreshedAt < REFRESH_MS) return;
    this.reader.refresh();
    this.refreshedAt = now.getTime();
  }

  private async sleepUntil(at: number): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const until = Math.min(at, this.deadline.getTime());
    await this.deps.clock.sleep(Math.max(until - now, 0));
  }
}

function platformOf(message: OutboxMessage): Platform {
  return message.audience.kind === 'channel'
    ? message.audience.target.space.platform
    : message.audience.space.platform;
}
