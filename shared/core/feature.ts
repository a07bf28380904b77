/**
 * What a feature module gives the dispatcher: its commands (declared in the table's shape), its button and
 * form handlers by id. A handler answers by returning an {@link Outcome}; what it says unasked it says
 * through the Messenger in its turn's services.
 */
import type { AnswerLedger, PendingAnswerStore } from './answers.js';
import type { OptionValue, ResolvedCommand, TableEntry } from './command-table.js';
import type { CommunityStore, SpaceDataStore, SpaceRecord, SpaceStore } from './communities/model.js';
import type { ContentStore } from './content/model.js';
import type { EngagementStore } from './engagement.js';
import type {
  ButtonPressed,
  CommandInvoked,
  FormSubmitted,
  InteractionEvent,
  MemberJoined,
} from './events.js';
import type { FeedbackStore } from './feedback/store.js';
import type { FormSessionStore } from './forms.js';
import type { MemberScope, MemberStore, RecordingReads } from './members/model.js';
import type { Pseudonyms } from './members/pseudonyms.js';
import type { Form, Messenger, OutboundMessage } from './messenger.js';
import type { AttentionStore, Outbox, OutboxStore, WelcomeStore } from './outbox/model.js';

/** Every store port the core uses, built once per cold start by shared/store. */
export interface CoreStores {
  readonly engagement: EngagementStore;
  readonly ledger: AnswerLedger;
  readonly pending: PendingAnswerStore;
  readonly forms: FormSessionStore;
  readonly feedback: FeedbackStore;
  readonly spaces: SpaceStore;
  readonly communities: CommunityStore;
  readonly members: MemberStore;
  /** Erasing a whole space's data (`/community spaces forget`). */
  readonly spaceData: SpaceDataStore;
  /** The recording path's one read (space and privacy markers together). */
  readonly recording: RecordingReads;
  /** Unasked speech waiting or sent (outbox/model.ts). */
  readonly outbox: OutboxStore;
  /** Attention settings, channel roles and mutes, member mutes, budget spends. */
  readonly attention: AttentionStore;
  /** Spaces' welcomes and who was welcomed. */
  readonly welcomes: WelcomeStore;
  /** The content library: items, topics, votes, schedules, posts, digests (content/model.ts). */
  readonly content: ContentStore;
}

/** The small logging port the core writes to (shared/lambda/logger.ts satisfies it). */
export interface CoreLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** What handlers work with. */
export interface CoreServices {
  readonly stores: CoreStores;
  readonly messenger: Messenger;
  /** Who counts as a moderator on this platform, in words (from the platform's descriptor). */
  readonly moderatorRule: string;
  readonly logger: CoreLogger;
  /** The command table of the features in use (for `help`). */
  readonly table: readonly TableEntry[];
  /** Platform ids to opaque member ids (members/pseudonyms.ts). */
  readonly pseudonyms: () => Promise<Pseudonyms>;
  /** Every kind of item any feature keeps about a member (what `me` lists and `forget` erases). */
  readonly memberData: readonly MemberDataKind[];
  /** The one way to say something unasked: through the outbox and the attention budget. */
  readonly outbox: Outbox;
}

/**
 * A kind of item a feature keeps about a member. Each feature registers its own, so `me` and `forget` cover
 * what later features add without being edited.
 */
export interface MemberDataKind {
  /** How `me` and an erasure's report name it: `engagement records`. */
  readonly name: string;
  /** What it is kept for, in words. */
  readonly purpose: string;
  /** How long it is kept, in words. */
  readonly keptFor: string;
  /** How many such items hold the member now (for `me`); omitted where counting is as costly as erasing. */
  count?(scope: MemberScope, stores: CoreStores): Promise<number>;
  /** Erases them all; safe to run again after a failure half-way. Returns how many items it erased. */
  erase(scope: MemberScope, stores: CoreStores): Promise<number>;
}

/** One handler call: the event, the clock, the services, and the member's rights (asked lazily, once). */
export interface Turn<E extends InteractionEvent = InteractionEvent> {
  readonly event: E;
  readonly now: Date;
  readonly services: CoreServices;
  /** The space the event happened in, as stored; undefined in a private chat with the bot. */
  readonly space?: SpaceRecord;
  /**
   * Whether the acting member moderates the event's space: the platform says so, or they are one of its
   * community's moderators.
   */
  isModerator(): Promise<boolean>;
  /** Whether the platform itself calls the acting member a moderator of the space (no table read). */
  platformSaysModerator(): Promise<boolean>;
  /**
   * Whether the acting member may act for the whole community (communities/rights.ts): a community moderator,
   * or, while the community has none (a space nobody linked yet), a moderator of the space.
   */
  isCommunityModerator(): Promise<boolean>;
}

export interface CommandTurn extends Turn<CommandInvoked> {
  readonly command: ResolvedCommand;
  readonly values: Readonly<Record<string, OptionValue>>;
}

/** How a handler answers, now. */
export type Outcome =
  /** A private answer to the member who acted. */
  | { readonly kind: 'answer'; readonly message: OutboundMessage }
  /** Replace the message whose button was pressed. */
  | { readonly kind: 'update'; readonly message: OutboundMessage }
  /** Ask for more: a modal, or a guided exchange where the platform has no forms. */
  | { readonly kind: 'form'; readonly form: Form }
  /** Acknowledge now; {@link Handler.later} answers from a separate invocation. */
  | { readonly kind: 'later' };

export interface Handler<T extends Turn = Turn> {
  /** Runs in a space the bot does not serve yet (how a waiting space gets linked); others are refused there. */
  readonly beforeApproval?: boolean;
  /** Runs inside the request: must be quick (well under a second). */
  run(turn: T): Promise<Outcome>;
  /** Runs in a later invocation when `run` returned `later`; its message is the private answer. */
  later?(turn: T): Promise<OutboundMessage>;
}

export interface Feature {
  /** Table entries, in the order `help` lists them. */
  readonly commands: readonly TableEntry[];
  /** Command path (`stats`, `me show`) -> handler. */
  readonly commandHandlers: Readonly<Record<string, Handler<CommandTurn>>>;
  readonly buttonHandlers?: Readonly<Record<string, Handler<Turn<ButtonPressed>>>>;
  readonly formHandlers?: Readonly<Record<string, Handler<Turn<FormSubmitted>>>>;
  /** The kinds of member items the feature stores. */
  readonly memberData?: readonly MemberDataKind[];
  /**
   * Runs when a member joins a served space, after the join is recorded (and again on a redelivery, so it
   * must be idempotent): what it says, it says through the outbox. Never for an opted-out member.
   */
  readonly onMemberJoined?: (turn: JoinTurn) => Promise<void>;
}

/** A member joined a served space. */
export interface JoinTurn {
  readonly event: MemberJoined;
  readonly now: Date;
  readonly services: CoreServices;
  readonly space: SpaceRecord;
}

export function answer(text: string, buttons?: OutboundMessage['buttons']): Outcome {
  return { kind: 'answer', message: buttons ? { text, buttons } : { text } };
}
