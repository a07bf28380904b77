/**
 * The outbox: the one road everything the bot says unasked travels (welcomes, announcements, notices to
 * moderators, later tips and introductions). A feature never posts unasked through the Messenger: it hands
 * a draft to {@link Outbox.enqueue}, which stores it in the table under a stable id, and the worker
 * (worker.ts) sends it when the attention budget (policy.ts) and the platform's rate limits (pacer.ts) allow.
 *
 * Exactly once: the id is derived from the draft's key, so enqueuing the same thing twice stores it once;
 * each platform's transport makes a resend after an unknown outcome safe in its own way (Discord `nonce` +
 * `enforce_nonce`, Slack message metadata looked up before a resend) or, where nothing can be checked
 * (Telegram), never resends after an unknown outcome and logs it.
 */
import type { Member, Platform, Space } from '../events.js';
import type { ChannelTarget, OutboundMessage } from '../messenger.js';

/** Who a message is for. */
export type Audience = ChannelAudience | MemberAudience;

/** A post in a channel: spends that channel's budget. */
export interface ChannelAudience {
  readonly kind: 'channel';
  readonly target: ChannelTarget;
}

/** A private message to one member. */
export interface MemberAudience {
  readonly kind: 'member';
  readonly space: Space;
  /**
   * The platform identity to write to. Kept only while the message waits: the item keeps the opaque
   * {@link memberId} once it is sent, failed or dropped.
   */
  readonly member: Member;
  /** The opaque id (members/pseudonyms.ts) the member's mute is kept under. */
  readonly memberId: string;
  /** The key of the member's privacy marker: an opted-out member is never messaged unasked. */
  readonly privacyKey: string;
  /**
   * Whose budget a private message spends: one per person, the same for every identity linked with the
   * member in the community (the smallest opaque id of the linked set).
   */
  readonly person: string;
  /**
   * Where the member is greeted instead when the platform will not let the bot write to them first
   * (Telegram before they start the bot): with the other new members of the hour, mentioned, in one post.
   */
  readonly greetIn?: ChannelTarget;
  /** The member's name as the join payload gave it, for a mention in a greeting (kept only while waiting). */
  readonly name?: string;
}

/**
 * Which cap a message counts against.
 * - `unsolicited`: the channel budget (a post) or the member's budget for private messages they did not ask
 *   for (default 1 a week).
 * - `subscribed`: something the member opted into (a digest, introduction rounds, moderators' notes): the cap
 *   they chose at opt-in, per week, for that topic.
 * - `reply`: the result of the person's own action, told later (a link code they issued was used, their
 *   announcement was held): no budget, but still paced, quiet hours and mutes apply.
 */
export type Allowance =
  | { readonly kind: 'unsolicited' }
  | { readonly kind: 'subscribed'; readonly topic: string; readonly perWeek: number }
  | { readonly kind: 'reply' };

/** What a feature hands to the outbox. */
export interface OutboxDraft {
  /**
   * Names the message for good: two drafts with one key are one message (`welcome:<space>:<member id>`).
   * Never holds a platform user id.
   */
  readonly key: string;
  /** The community whose settings and budgets apply, and whose moderators see its failures. */
  readonly communityId: string;
  /** What it is, for logs and `/community audit`: `welcome`, `announcement`, `space_notice`. */
  readonly purpose: string;
  readonly audience: Audience;
  readonly message: OutboundMessage;
  readonly allowance: Allowance;
  /** Not before this instant (default: now). */
  readonly notBefore?: Date;
  /** A time-bound message (a reminder for an event) expires at this instant instead of arriving late. */
  readonly expiresAt?: Date;
  /**
   * The member whose action caused it (a moderator's announcement): told privately, through the outbox, when
   * it is held later than they were promised. Build it with `memberAudience` (audience.ts).
   */
  readonly requestedBy?: MemberAudience;
}

/**
 * `queued`: waiting for its time (held or due). `sending`: an attempt is under way (a worker that died
 * mid-send leaves it so; the next run treats it as an unknown outcome once the attempt's lease is over).
 * `sent`; `failed`: refused for good or out of attempts (moderators see it; an alarm fires in AWS);
 * `expired`: time-bound and too late; `dropped`: the recipient opted out or muted, or the channel is muted;
 * `unconfirmed`: the one attempt's outcome is unknown on a platform where nothing can be checked (Telegram).
 */
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'expired' | 'dropped' | 'unconfirmed';

/** A message as stored. */
export interface OutboxMessage extends OutboxDraft {
  /** Stable: derived from the community and the key (outbox.ts `outboxId`). */
  readonly id: string;
  readonly status: OutboxStatus;
  readonly createdAt: Date;
  /** When the worker looks at it next. */
  readonly dueAt: Date;
  /** What the member who asked for it was told (`requestedBy`): when it would go. */
  readonly promisedAt?: Date;
  /** Attempts made so far (sends that got an answer or none). */
  readonly attempts: number;
  /** When the first attempt started (a Slack lookup searches the channel from there). */
  readonly firstAttemptAt?: Date;
  /** Why it waits or why it ended, in words (no content). */
  readonly reason?: string;
  /** Set once sent: where it went. */
  readonly posted?: { readonly channelId: string; readonly messageId: string };
  /** Set when it ended: sent, failed, expired, dropped or unconfirmed. */
  readonly endedAt?: Date;
}

/** A message as the worker marks an attempt's start: the claim is conditional on what it read. */
export interface AttemptClaim {
  readonly id: string;
  readonly communityId: string;
  /** The attempts the claim read: a concurrent claim fails. */
  readonly attempts: number;
  readonly at: Date;
  /** Until when the attempt may run; past it, another run treats the outcome as unknown. */
  readonly leaseUntil: Date;
}

/** How a message ended. */
export type Ending =
  | { readonly status: 'sent'; readonly posted: { readonly channelId: string; readonly messageId: string } }
  | { readonly status: 'failed' | 'expired' | 'dropped' | 'unconfirmed'; readonly reason: string };

/** The outbox's items (shared/store/outbox-repository.ts). */
export interface OutboxStore {
  /** Stores a message unless its id exists; returns the stored one (the earlier one on a repeat). */
  add(message: OutboxMessage): Promise<{ readonly added: boolean; readonly message: OutboxMessage }>;
  get(communityId: string, id: string): Promise<OutboxMessage | undefined>;
  /**
   * Queued or sending messages due at or before `now`, earliest first, at most `limit` (consistent reads).
   * A message in `known` (by id) that is still listed as due at its `dueAt` is returned as given, not read
   * again: the worker holds what it read and is the only one that moves a message's `dueAt`.
   */
  due(now: Date, limit: number, known?: ReadonlyMap<string, OutboxMessage>): Promise<OutboxMessage[]>;
  /** The earliest `dueAt` of any queued or sending message, if any. */
  nextDue(): Promise<Date | undefined>;
  /** Waits: queued with a new `dueAt` and the reason (and `promisedAt` when given). */
  hold(message: OutboxMessage, until: Date, reason: string, promisedAt?: Date): Promise<void>;
  /** Starts an attempt: `false` when another run changed the message since it was read. */
  claim(claim: AttemptClaim): Promise<boolean>;
  /** Ends an attempt that did not send: queued again at `at`. */
  retry(message: OutboxMessage, at: Date, reason: string): Promise<void>;
  /**
   * Ends the message. The item keeps only what audit needs: the text and any platform user id are removed;
   * it expires after {@link OUTBOX_KEPT_DAYS}.
   */
  end(message: OutboxMessage, ending: Ending, now: Date): Promise<void>;
  /** The community's failed messages, most recent first (settings shows the count, audit the items). */
  failed(communityId: string, limit: number): Promise<OutboxMessage[]>;
  /** Every message still to send that was asked of a member or about them (erasure). */
  eraseMember(communityId: string, memberIds: readonly string[]): Promise<number>;
}

/** How long an ended message's item (without its text) is kept, for audit. */
export const OUTBOX_KEPT_DAYS = 30;

/**
 * One drainer at a time: a lease in the table. A wake-up (something due now) bumps a counter, and a worker
 * lets go only if nobody woke it meanwhile, so nothing waits for the next scheduled run by accident.
 */
export interface WorkerLease {
  /** Takes the lease if free or lapsed. Returns the wake count seen, or `undefined` when another run holds it. */
  acquire(owner: string, now: Date, until: Date): Promise<number | undefined>;
  /** Extends a held lease; returns the wake count, or `undefined` if the lease was lost. */
  renew(owner: string, until: Date): Promise<number | undefined>;
  /** Lets go unless woken since `wakesSeen`: `false` means go on draining (the count is read again). */
  release(owner: string, wakesSeen: number): Promise<boolean>;
  /** Asks for a drain now: bumps the wake count. */
  wake(): Promise<void>;
}

/** Quiet hours, as local times `HH:MM` in the community's zone; `start > end` spans midnight. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** A community's attention settings (`/community settings`). */
export interface AttentionSettings {
  /** IANA zone, e.g. `Europe/Paris`. */
  readonly timeZone: string;
  /** `undefined`: no quiet hours. */
  readonly quietHours?: QuietHours;
  readonly channelPerDay: number;
  readonly channelPerWeek: number;
  /** Unasked private messages per member per week. */
  readonly memberPerWeek: number;
  /** All unasked speech held (`settings pause` / `resume`). */
  readonly paused: boolean;
}

export const DEFAULT_ATTENTION: AttentionSettings = {
  timeZone: 'UTC',
  quietHours: { start: '21:00', end: '08:00' },
  channelPerDay: 2,
  channelPerWeek: 8,
  memberPerWeek: 1,
  paused: false,
};

/** What a space's channel is for (`/community channel announcements`). */
export const CHANNEL_ROLES = ['announcements', 'questions', 'content'] as const;
export type ChannelRole = (typeof CHANNEL_ROLES)[number];

/** A channel the bot knows something about. */
export interface ChannelSettings {
  readonly space: Space;
  readonly channelId: string;
  readonly roles: readonly ChannelRole[];
  /** `/community mute channel`: nothing unasked is posted here. */
  readonly muted: boolean;
}

/** A send that counted against a budget, kept a little over a week. */
export interface Spend {
  readonly messageId: string;
  readonly at: Date;
}

/**
 * What a budget counts against: a channel, a person's cap for one allowance, or a channel's greetings of new
 * members (at most one an hour).
 */
export type BudgetKey =
  | { readonly kind: 'channel' | 'greeting'; readonly space: Space; readonly channelId: string }
  | {
      readonly kind: 'person';
      readonly communityId: string;
      readonly person: string;
      /** `unsolicited`, or the subscribed topic. */
      readonly topic: string;
    };

/** The attention items (shared/store/attention-repository.ts). */
export interface AttentionStore {
  settings(communityId: string): Promise<AttentionSettings>;
  saveSettings(communityId: string, change: Partial<AttentionSettings>): Promise<AttentionSettings>;
  channel(space: Space, channelId: string): Promise<ChannelSettings>;
  /** The space's channels with a role or muted. */
  channels(space: Space): Promise<ChannelSettings[]>;
  setChannelRole(space: Space, channelId: string, role: ChannelRole, on: boolean): Promise<ChannelSettings>;
  setChannelMuted(space: Space, channelId: string, muted: boolean): Promise<ChannelSettings>;
  /** Which of these opaque ids muted the bot in the community. */
  mutedMembers(communityId: string, memberIds: readonly string[]): Promise<Set<string>>;
  setMemberMuted(communityId: string, memberIds: readonly string[], muted: boolean): Promise<void>;
  /** Sends counted against a budget since `since`, oldest first. */
  spends(key: BudgetKey, since: Date): Promise<Spend[]>;
  /** Counts a send (idempotent per message id); kept {@link SPEND_KEPT_DAYS} days. */
  spend(key: BudgetKey, spend: Spend): Promise<void>;
  /** Erases a person's budget entries and mutes (forget). */
  eraseMember(communityId: string, memberIds: readonly string[]): Promise<number>;
}

export const SPEND_KEPT_DAYS = 8;

/** A space's welcome (`/community welcome set`). */
export interface Welcome {
  readonly text: string;
  readonly setAt: string;
}

export interface WelcomeStore {
  welcome(space: Space): Promise<Welcome | undefined>;
  setWelcome(space: Space, welcome: Welcome | undefined): Promise<void>;
  /** Notes that the member was welcomed in the space; `false` when they already were (once, ever). */
  markWelcomed(space: Space, memberId: string, now: Date): Promise<boolean>;
  wasWelcomed(space: Space, memberId: string): Promise<boolean>;
  eraseMember(spaces: readonly Space[], memberIds: readonly string[]): Promise<number>;
}

/** Where a transport sends: the audience resolved for this attempt. */
export interface PaceRule {
  /** `slack:T1:C1`, `telegram:group:-100`, `discord:global`. */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** What a platform's response said about its limits (Discord's buckets, a 429's scope). */
export interface PaceObservation {
  readonly key: string;
  /** Sends left in the current window. */
  readonly remaining: number;
  /** Milliseconds until the window resets. */
  readonly resetAfterMs: number;
}

/** How one attempt went. */
export type SendResult =
  | {
      readonly kind: 'sent';
      readonly posted: { readonly channelId: string; readonly messageId: string };
      readonly observed?: readonly PaceObservation[];
    }
  /** Known not to have been posted: try again after `afterMs` (a 429's `retry_after`) or with backoff. */
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly afterMs?: number;
      readonly observed?: readonly PaceObservation[];
    }
  /** No answer (a timeout, a dropped connection, an ambiguous 5xx): it may or may not have been posted. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /** Refused for good (the channel is gone, the bot was removed). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The member cannot be written to first (private messages only). */
  | { readonly kind: 'unreachable'; readonly reason: string };

/**
 * One platform's side of the outbox (bots/<platform>/outbox.ts): sends with the SDK client, its own retries
 * and waits turned off (the worker paces on its clock), and says what it can prove after an unknown outcome.
 */
export interface OutboxTransport {
  readonly platform: Platform;
  /**
   * After an unknown outcome: `resend` (the platform drops a repeat itself: Discord's nonce), `lookup`
   * (ask {@link find} first: Slack), `give-up` (nothing can be checked: Telegram; at most once).
   */
  readonly onUnknown: 'resend' | 'lookup' | 'give-up';
  /**
   * `resend` only: how long after the first attempt the platform still drops a repeat (Discord keeps a
   * nonce "a few minutes"). Past it, a message whose outcome is unknown is not sent again (unconfirmed).
   */
  readonly resendWithinMs?: number;
  /** The documented limits a send to this audience spends from. */
  paceRules(audience: Audience): readonly PaceRule[];
  send(message: OutboxMessage): Promise<SendResult>;
  /** Whether an earlier attempt of the message was posted (`onUnknown: 'lookup'` only). */
  find?(
    message: OutboxMessage,
  ): Promise<
    | { readonly kind: 'found'; readonly posted: { readonly channelId: string; readonly messageId: string } }
    | { readonly kind: 'absent' }
    | { readonly kind: 'unknown'; readonly reason: string }
  >;
}

/** The clock the worker, the policy and (in tests) the fake platform servers share. */
export interface Clock {
  now(): Date;
  /** Waits `ms` of this clock's time (a simulated clock advances instead of waiting). */
  sleep(ms: number): Promise<void>;
}

/** Where the core hands unasked speech (outbox.ts builds it). */
export interface Outbox {
  /**
   * Stores the draft (once per key) and, when it is due now, wakes the worker. Returns the stored message
   * and when the policy expects it to go (for the answer to the member who caused it).
   */
  enqueue(draft: OutboxDraft, now: Date): Promise<Enqueued>;
}

export interface Enqueued {
  readonly message: OutboxMessage;
  readonly added: boolean;
  /** When it is expected to go, as the policy sees it now; `undefined` when it will not go (muted, expired). */
  readonly expectedAt?: Date;
  /** Why it waits or will not go, in words. */
  readonly reason?: string;
}

/** Asks the worker to drain now (a Lambda async invoke in AWS; the local worker's timer in dev). */
export type WakeWorker = () => Promise<void>;
