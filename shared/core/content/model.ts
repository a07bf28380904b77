/**
 * The content library: small, useful pieces (tips, answers, guides, tools, expert sessions, events) a
 * community keeps, that members pull (`tip`, `find`), judge ("Helpful" / "Not for me"), share and add to
 * (`content suggest`), and that the bot offers in channels on a moderator's cadence (`schedule`) through the
 * outbox, at a pace the channel's feedback sets.
 *
 * Everything here is keyed by community (the library, votes, what a member was shown, digests) or by space and
 * channel (schedules, posts): communities are walls. A member is named by their person id (the smallest opaque
 * id of their linked identities, outbox/audience.ts), never by a platform id, except where the bot must write
 * to them or credit them (a digest subscriber, a suggestion's author): those platform identities are erased by
 * `forget`.
 */
import type { Member, Space } from '../events.js';

export const CONTENT_KINDS = ['tip', 'answer', 'guide', 'tool', 'expert-session', 'event'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

/** `draft`: not shown to members (a member's suggestion waits as one); `live`: pulled and posted; `retired`: kept, never shown. */
export const CONTENT_STATUSES = ['draft', 'live', 'retired'] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Bite-sized: read in a chat, passed on. */
export const BODY_MAX_LENGTH = 1500;
export const TITLE_MAX_LENGTH = 120;
export const LINK_MAX_LENGTH = 500;
/** A topic is a short slug: lower-case letters, digits and `-`. */
export const TOPIC_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const MAX_TOPICS = 50;
export const MAX_TOPICS_PER_ITEM = 5;
/** Item ids: 6 lower-case base-36 characters (they ride in button values, Telegram allows 64 bytes). */
export const ITEM_ID_PATTERN = /^[0-9a-z]{6}$/;
/** The language of an item when nobody says: the library's default. */
export const DEFAULT_LANGUAGE = 'en';

/** Who wrote an item. */
export interface ContentAuthor {
  /** `moderator`: added by a moderator; `member`: a member's approved suggestion; `import`: ops' file. */
  readonly kind: 'moderator' | 'member' | 'import';
  /** The author's person id (opaque), absent for an import. */
  readonly person?: string;
  /**
   * The platform identity credited on the item ("suggested by @ana") and told the review's outcome; only for
   * a member's suggestion. Erased by `forget` (the item stays, uncredited).
   */
  readonly member?: Member;
  /** The space the suggestion came from (where its author is told the outcome). */
  readonly space?: Space;
}

/** A member's suggestion under review (`content queue`). */
export interface ContentReview {
  readonly state: 'pending' | 'approved' | 'rejected';
  /** The moderator's note to the author, if any. */
  readonly note?: string;
  /** The reviewing moderator's person id. */
  readonly by?: string;
  readonly at?: string;
}

/** What members did with an item (all kept on the item, so ranking reads nothing more). */
export interface ContentCounts {
  /** Times shown: pulled by a member or posted in a channel. */
  readonly shown: number;
  readonly helpful: number;
  readonly notForMe: number;
  /** Times a member shared it into a channel. */
  readonly shared: number;
  /** Members who reacted to or replied to its posts in channels (read a day after each post). */
  readonly engaged: number;
}

export const NO_COUNTS: ContentCounts = { shown: 0, helpful: 0, notForMe: 0, shared: 0, engaged: 0 };

export interface ContentItem {
  readonly communityId: string;
  /** {@link ITEM_ID_PATTERN}: stable for good (derived from what created it, so a redelivery or re-import writes it once). */
  readonly id: string;
  readonly title: string;
  /** Light format (light-format.ts), at most {@link BODY_MAX_LENGTH} characters. */
  readonly body: string;
  /** From the community's topic list; at most {@link MAX_TOPICS_PER_ITEM}. */
  readonly topics: readonly string[];
  readonly kind: ContentKind;
  readonly link?: string;
  readonly author: ContentAuthor;
  /** BCP 47 tag, `en` by default. */
  readonly language: string;
  /** Promotes the company's offer: at most 1 in 5 channel posts, never more. */
  readonly promotional: boolean;
  readonly status: ContentStatus;
  /** Set on a member's suggestion. */
  readonly review?: ContentReview;
  /** An imported item's key in its file (`content:import` matches on it: re-importing changes nothing). */
  readonly sourceKey?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly counts: ContentCounts;
}

/** The community's library settings: its topics, and a version bumped by every item or topic change. */
export interface LibraryMeta {
  readonly communityId: string;
  readonly topics: readonly string[];
  /** Changes whenever an item's text, topics or status or the topic list changes: a cached index checks it. */
  readonly version: number;
}

/** A member's judgement of an item: one per person and item, changeable. */
export type VoteValue = 'helpful' | 'not_for_me';

export interface ContentVote {
  readonly communityId: string;
  readonly itemId: string;
  readonly person: string;
  readonly value: VoteValue;
  readonly at: string;
}

/** What a vote changed: the counts moved only when the vote is new or changed. */
export type VoteOutcome =
  | { readonly kind: 'new' }
  | { readonly kind: 'changed'; readonly from: VoteValue }
  | { readonly kind: 'same' };

/** The days of a schedule, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A channel's cadence (`/community schedule set`), and the pace its feedback set. */
export interface ChannelSchedule {
  readonly communityId: string;
  readonly space: Space;
  readonly channelId: string;
  readonly days: readonly Weekday[];
  /** `HH:MM` in the community's time zone. */
  readonly time: string;
  /** Only these topics (empty: every topic), in rotation order. */
  readonly topics: readonly string[];
  /** The moderator's person id. */
  readonly setBy: string;
  readonly setAt: string;
  /**
   * The share of slots that post, `1` as set; halved when feedback turns bad, never below one post a
   * fortnight, regained slowly (pace.ts).
   */
  readonly pace: number;
  /** Accumulated pace: a slot posts when it reaches 1 (then 1 is taken off). */
  readonly credit: number;
  /** How many posts were made since the pace last changed (a change waits for fresh feedback). */
  readonly postsSincePaceChange: number;
  /** The next slot (ISO): what the due index sorts by. */
  readonly nextAt: string;
  /** Slots skipped because every eligible item was shown here within 90 days. */
  readonly starvedSlots: number;
  /** When moderators were last told the library needs more for this channel (at most weekly). */
  readonly starvedNoticeAt?: string;
}

/** One item the bot posted (or queued) in a channel on its schedule: the channel's history and feedback. */
export interface ChannelPost {
  readonly communityId: string;
  readonly space: Space;
  readonly channelId: string;
  /** The slot it was chosen for (ISO): with the channel, names the post for good. */
  readonly slotAt: string;
  /** Short (8 base-36 characters) for button values. */
  readonly postId: string;
  readonly itemId: string;
  readonly topics: readonly string[];
  readonly promotional: boolean;
  /** The outbox message carrying it. */
  readonly outboxId: string;
  readonly helpful: number;
  readonly notForMe: number;
  readonly shared: number;
  /** Members who muted the bot in this channel soon after the post. */
  readonly mutes: number;
  /** Members who reacted to the post, once its feedback settled (read from the engagement records). */
  readonly reactions: number;
  /** Members who replied to the post, once its feedback settled. */
  readonly replies: number;
  /** True once reactions and replies were read (a day after it went): later slots do not ask again. */
  readonly settled: boolean;
}

/** What members did with a post in the days after it went, read from the engagement records. */
export interface PostReception {
  readonly reactions: number;
  readonly replies: number;
}

/** A counter of a post a member's action moves. */
export type PostCounter = 'helpful' | 'notForMe' | 'shared' | 'mutes';

/** A member's weekly digest subscription (`/community digest on`). */
export interface DigestSubscription {
  readonly communityId: string;
  readonly person: string;
  /** Where and to whom the digest is written (erased with the subscription). */
  readonly space: Space;
  readonly member: Member;
  readonly since: string;
  /** When the next digest is due (ISO): what the due index sorts by. */
  readonly nextAt: string;
}

/** The library's items (shared/store/content-repository.ts). */
export interface ContentStore {
  meta(communityId: string): Promise<LibraryMeta>;
  /** Adds or removes a topic; `unchanged` when it already was (or was not) there. */
  setTopic(
    communityId: string,
    topic: string,
    on: boolean,
  ): Promise<{ readonly meta: LibraryMeta; readonly changed: boolean }>;
  /** Every item of the community, any status (a 5,000-item library in a few parallel queries). */
  items(communityId: string): Promise<ContentItem[]>;
  get(communityId: string, id: string): Promise<ContentItem | undefined>;
  /**
   * Writes an item whole and bumps the library version, in one transaction. `new`: only if the id is free
   * (`exists` otherwise, nothing written); `replace`: only if its `updatedAt` is still `expectedUpdatedAt`
   * (`conflict` otherwise). Counts are never written by this (they move only through {@link count}).
   */
  save(
    item: ContentItem,
    mode: { readonly kind: 'new' } | { readonly kind: 'replace'; readonly expectedUpdatedAt: string },
  ): Promise<'written' | 'exists' | 'conflict'>;
  /** Adds to an item's counts (atomic). */
  count(communityId: string, id: string, change: Partial<ContentCounts>): Promise<void>;
  /** Pending suggestions, oldest first. */
  queue(communityId: string): Promise<ContentItem[]>;

  /** Records the vote and moves the item's counts (and the post's, when pressed on a post) in one transaction. */
  vote(vote: ContentVote, post?: ChannelPost): Promise<VoteOutcome>;
  /** Ids of the items these persons were shown (pulled). */
  /** Items shown to any of `persons` in the last 180 days (an expired mark TTL has not removed yet is not). */
  shownTo(communityId: string, persons: readonly string[], now: Date): Promise<Set<string>>;
  /** Notes that a person was shown these items (kept 180 days). */
  markShown(communityId: string, person: string, itemIds: readonly string[], now: Date): Promise<void>;

  schedule(space: Space, channelId: string): Promise<ChannelSchedule | undefined>;
  /** The schedules of a space (`schedule show` lists them for moderators). */
  schedules(space: Space): Promise<ChannelSchedule[]>;
  saveSchedule(schedule: ChannelSchedule): Promise<void>;
  deleteSchedule(space: Space, channelId: string): Promise<boolean>;
  /** Schedules whose `nextAt` is at or before `now`, earliest first, at most `limit`. */
  dueSchedules(now: Date, limit: number): Promise<ChannelSchedule[]>;

  /** Stores a post unless one exists for its channel and slot; returns the stored one. */
  addPost(post: ChannelPost): Promise<{ readonly added: boolean; readonly post: ChannelPost }>;
  /** The channel's posts since `since`, newest first, at most `limit`. */
  posts(space: Space, channelId: string, since: Date, limit: number): Promise<ChannelPost[]>;
  /** A post by its short id (from a button). */
  post(space: Space, channelId: string, postId: string): Promise<ChannelPost | undefined>;
  countPost(post: ChannelPost, counter: PostCounter, by: number): Promise<void>;
  /**
   * Stores how many members reacted and replied to a post and marks it settled; `false` when it was settled
   * already (or is gone), so what follows from settling happens once.
   */
  settlePost(post: ChannelPost, feedback: PostReception): Promise<boolean>;

  digest(communityId: string, person: string): Promise<DigestSubscription | undefined>;
  saveDigest(subscription: DigestSubscription): Promise<void>;
  deleteDigest(communityId: string, person: string): Promise<boolean>;
  /** Subscriptions whose `nextAt` is at or before `now`, earliest first, at most `limit`. */
  dueDigests(now: Date, limit: number): Promise<DigestSubscription[]>;

  /**
   * Erases what the library keeps about these persons in the community: votes (taking them off the items'
   * counts), items shown, the digest subscription, pending suggestions (deleted), and the credit on items they
   * wrote (the item stays, uncredited). Safe to run again. Returns how many items it erased or changed.
   */
  eraseMember(communityId: string, persons: readonly string[], now: Date): Promise<number>;
  /** How many of those items exist (for `me`). */
  countMember(communityId: string, persons: readonly string[]): Promise<number>;
}

/** How long a channel's history is kept: longer than the 90 days an item may not repeat in it. */
export const POST_KEPT_DAYS = 100;
/** An item may not be posted again in a channel within this many days. */
export const NO_REPEAT_DAYS = 90;
/** How long "shown to you" is remembered for `tip`. */
export const SHOWN_KEPT_DAYS = 180;
/** At most one promotional post in any run of this many posts in a channel. */
export const PROMOTIONAL_ONE_IN = 5;
/** How many of a channel's last posts its pace listens to. */
export const PACE_WINDOW_POSTS = 10;
