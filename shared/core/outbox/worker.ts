/**
 * The outbox worker: drains what is due, one run at a time (a lease in the table), within the attention
 * budget (policy.ts) and each platform's limits (pacer.ts), on an injected clock. In AWS a fixed-rate
 * schedule runs it every minute and a message due now wakes it early; `npm run dev` runs it on a timer.
 *
 * A run loops: read what is due, decide each message (send, hold, expire, drop), start every send the
 * limits allow, and when nothing more may go yet, wait (on the clock) until the earliest moment something
 * may, while the sends it started go on. It decides first the messages of the platform limit with the
 * longest queue behind it (Telegram's 30 a second overall before one Slack channel's next post), so every
 * limit is kept busy from the start. It keeps what it read and left waiting for a limit, so a look reads only
 * what is new. It ends at its deadline, or when nothing is due before it, nothing is in flight and nobody
 * woke it meanwhile.
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
import { Pacer, type Reservation } from './pacer.js';
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
/**
 * Messages looked at per look: every channel of a busy slot at once (a message left waiting for a limit is
 * kept by the run, so a later look lists it without reading it again).
 */
const DUE_BATCH = 2000;
/** Situations read ahead of the decisions, at once. */
const READ_AHEAD = 16;
/** What deciding a message led to: settled (held or ended), waiting for a limit, or started. */
type Verdict =
  | { readonly kind: 'settled' }
  | { readonly kind: 'wait'; readonly until: number }
  | { readonly kind: 'start'; readonly budgetSpent: Promise<void>; readonly reservation: Reservation };
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
  /** What the last look read and left as it was (waiting for a limit, or not decided yet), by id. */
  private parked = new Map<string, OutboxMessage>();
  /** Sends started and not settled yet, by message id. */
  private readonly inFlight = new Map<
    string,
    { readonly message: OutboxMessage; readonly running: Promise<void> }
  >();
  /** The first error a send in flight ended with (the run stops with it). */
  private failure: { readonly error: unknown } | undefined;

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
    try {
      await this.loop(initialWakes);
    } finally {
      await Promise.allSettled(this.running());
    }
    if (this.failure) throw this.failure.error;
  }

  private async loop(initialWakes: number): Promise<void> {
    const { clock, outbox, lease } = this.deps;
    let wakes = initialWakes;
    for (;;) {
      if (this.failure) throw this.failure.error;
      const now = clock.now();
      if (now >= this.deadline) {
        await Promise.allSettled(this.running());
        return this.letGo(wakes);
      }
      this.refreshNowAndThen(now);
      // A message in flight is listed until its claim moves it: it is known, and skipped.
      const known = new Map(this.parked);
      for (const [id, { message }] of this.inFlight) known.set(id, message);
      const due = (await outbox.due(now, DUE_BATCH, known)).filter(
        (message) => !this.inFlight.has(message.id),
      );
      if (due.length > 0) {
        const readyAt = await this.wave(due, now);
        if (readyAt !== undefined) await this.sleepUntil(readyAt);
        continue;
      }
      if (this.inFlight.size > 0) {
        await Promise.race(this.running());
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
    const greetings = new Map<string, WaitingWelcome[]>();
    const sendable: { message: OutboxMessage; transport: OutboxTransport }[] = [];
    let readyAt = Number.POSITIVE_INFINITY;
    let changed = false;
    let started = false;
    for (const message of due) {
      if (isWaitingWelcome(message)) {
        const key = greetingChannelKey(message.audience.greetIn);
        greetings.set(key, [...(greetings.get(key) ?? []), message]);
        continue;
      }
      const transport = this.transports.get(platformOf(message));
      if (transport) {
        sendable.push({ message, transport });
        continue;
      }
      await this.deps.outbox.hold(
        message,
        new Date(now.getTime() + 5 * 60_000),
        'no transport for its platform',
      );
      this.deps.logger.error('outbox has no transport for a platform', { platform: platformOf(message) });
      changed = true;
    }
    for (const welcomes of greetings.values()) {
      await this.greet(welcomes, now);
      changed = true;
    }
    const ordered = byPressure(sendable);
    // Each decision needs its message's settings, channel and past sends: read a few ahead at once.
    const warming: Promise<void>[] = [];
    const warm = (index: number) => {
      const next = ordered[index];
      if (next && !warming[index]) {
        warming[index] = this.reader.warm(next.message, now);
        warming[index].catch(() => {});
      }
    };
    // The sends of a more pressed limit leave before the next limit's decisions compete with them.
    let departures: Promise<void>[] = [];
    this.parked = new Map();
    for (const [index, { message, transport, pressure }] of ordered.entries()) {
      if (this.deps.clock.now().getTime() >= readyAt) {
        // A limit has room again: look again at once (its messages come first); the rest stay as read.
        for (const rest of ordered.slice(index)) this.parked.set(rest.message.id, rest.message);
        return undefined;
      }
      if (departures.length > 0 && pressure < (ordered[index - 1]?.pressure ?? pressure)) {
        await Promise.all(departures);
        departures = [];
      }
      for (let ahead = index; ahead < index + READ_AHEAD; ahead += 1) warm(ahead);
      await warming[index];
      const verdict = await this.consider(message, transport, now);
      if (verdict.kind === 'settled') {
        changed = true;
        continue;
      }
      if (verdict.kind === 'wait') {
        this.parked.set(message.id, message);
        readyAt = Math.min(readyAt, verdict.until);
        continue;
      }
      started = true;
      const { budgetSpent, reservation } = verdict;
      let departed = () => {};
      departures.push(
        new Promise<void>((resolve) => {
          departed = resolve;
        }),
      );
      this.start(message, async () => {
        try {
          await budgetSpent;
          await attemptSend(message, transport, {
            ...this.deps,
            pacer: this.pacer,
            reservation,
            tally: this.tally,
            departing: departed,
            onUnreachable: (held) => this.waitForGreeting(held),
          });
        } finally {
          departed();
          // A send that did not leave (its claim lost, or not safe to resend) gives its place back.
          reservation.cancel();
        }
      });
    }
    if (started || changed) return undefined;
    return Number.isFinite(readyAt) ? readyAt : now.getTime() + 1000;
  }

  /** Runs a send in the background; the run waits for it before it ends, and fails with its error. */
  private start(message: OutboxMessage, send: () => Promise<void>): void {
    const running = send()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(message.id));
    this.inFlight.set(message.id, { message, running });
  }

  private running(): Promise<void>[] {
    return [...this.inFlight.values()].map((send) => send.running);
  }

  /** Applies the policy: `start` when the message may go now (its budget counted), `wait` for a limit. */
  private async consider(message: OutboxMessage, transport: OutboxTransport, now: Date): Promise<Verdict> {
    const decision = decide(message, await this.reader.situation(message, now), now);
    if (decision.kind === 'hold') {
      await this.hold(message, decision.until, decision.reason);
      return { kind: 'settled' };
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
      return { kind: 'settled' };
    }
    const rules = transport.paceRules(message.audience);
    const ready = this.pacer.readyAt(rules, now.getTime());
    if (ready > now.getTime()) return { kind: 'wait', until: ready };
    const reservation = this.pacer.reserve(rules, now.getTime());
    const budget = budgetKeyOf(message);
    // Counted at once in the run's view (the next decision sees it); stored before the send starts.
    const budgetSpent = budget
      ? this.reader.spend(budget, { messageId: message.id, at: now }, now)
      : Promise.resolve();
    return { kind: 'start', budgetSpent, reservation };
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
    const until = Math.min(at, this.deadline.getTime());
    const gap = until - this.deps.clock.now().getTime();
    // Sends in flight go on during the wait; they finish in real time, so they are waited for (for at most
    // the gap, in real time) before the clock moves: a simulated clock then never jumps past a send.
    if (gap > 0 && this.inFlight.size > 0) await settledWithin(this.running(), gap);
    await this.deps.clock.sleep(Math.max(until - this.deps.clock.now().getTime(), 0));
  }
}

/** Resolves when every promise has settled or after `ms` of real time, whichever is first. */
async function settledWithin(running: readonly Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(running),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Most pressed first: a message's pressure is the time its busiest limit needs for every message of this look
 * that it limits (300 Telegram messages under 30 a second: 10 s; one Slack channel's post: 1 s). Ties keep
 * the order they came in (earliest due first).
 */
function byPressure<T extends { message: OutboxMessage; transport: OutboxTransport }>(
  sendable: readonly T[],
): (T & { readonly pressure: number })[] {
  const rulesOf = sendable.map(({ message, transport }) => transport.paceRules(message.audience));
  const counts = new Map<string, number>();
  for (const rules of rulesOf) {
    for (const rule of rules) counts.set(rule.key, (counts.get(rule.key) ?? 0) + 1);
  }
  return sendable
    .map((entry, index) => ({
      ...entry,
      index,
      pressure: Math.max(
        0,
        ...(rulesOf[index] ?? []).map((rule) => ((counts.get(rule.key) ?? 0) * rule.windowMs) / rule.limit),
      ),
    }))
    .sort((a, b) => b.pressure - a.pressure || a.index - b.index);
}

function platformOf(message: OutboxMessage): Platform {
  return message.audience.kind === 'channel'
    ? message.audience.target.space.platform
    : message.audience.space.platform;
}
