/**
 * Spaces and communities.
 *
 * A space is where the bot is: a Slack workspace, a Discord server, a Telegram group. Every space belongs to
 * exactly one community, named by one space item (`SPACE#<platform>:<id>`); link and unlink change that item
 * and nothing else, so no record ever moves. A community's views read exactly its spaces' keys.
 */
import type { Member, Platform, Space } from '../events.js';

/**
 * `open`: every new space becomes a community of its own. `approved`: a new space waits until a moderator of
 * an existing community links it or ops approve it (`npm run spaces -- approve`); until then nothing is
 * recorded there.
 */
export type SpacesMode = 'open' | 'approved';

export const SPACES_MODES: readonly SpacesMode[] = ['open', 'approved'];

/**
 * `active`: served. `pending`: registered in `approved` mode, not yet served. `inactive`: the bot was removed
 * (its records stay). `moved`: a Telegram group that became a supergroup; the space lives on under the new id.
 */
export type SpaceStatus = 'active' | 'pending' | 'inactive' | 'moved';

/** What the product knows about a space. */
export interface SpaceRecord {
  readonly platform: Platform;
  readonly id: string;
  readonly communityId: string;
  readonly status: SpaceStatus;
  /** The platform's name for it when a payload carried one (a Telegram group title, a Slack team domain). */
  readonly name?: string;
  /** Earlier ids of the same space (a migrated Telegram group): their records are this space's history. */
  readonly formerIds: readonly string[];
  readonly registeredAt: string;
  /** When the registration notice was posted (absent: not yet). */
  readonly noticedAt?: string;
  /** For a `moved` space: the id it lives on under. */
  readonly movedTo?: string;
  /**
   * How many days its raw engagement records are kept (`/community settings retention`), copied onto every
   * space of the community so the recording path reads it with the space. Absent: the default.
   */
  readonly retentionDays?: number;
}

/** A moderator action, kept for `/community audit`. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: Member | { readonly platform: 'ops'; readonly id: string };
  /** What was done, in words: `linked slack:T2 into this community`. */
  readonly action: string;
  /** The space it was done in (`slack:T1`), or `ops`. */
  readonly where: string;
}

/** A one-time link code as stored (the code itself never is: only its digest). */
export interface LinkCode {
  readonly communityId: string;
  /** The space whose moderator asked for it. */
  readonly issuedIn: Space;
  readonly issuedBy: Member;
  readonly expiresAt: string;
  /** The space that used it (`telegram:-100…`), once used. */
  readonly usedBy?: string;
  /** The link it made is complete: not even the space that used it may use it again. */
  readonly done?: boolean;
}

/** The space directory (shared/store/space-repository.ts). */
export interface SpaceStore {
  /** A space as stored now (a strongly consistent read), or undefined when the bot never registered it. */
  find(space: Space): Promise<SpaceRecord | undefined>;
  /**
   * Registers a space in a community of its own (created with it) unless it is registered already; returns
   * what is stored either way. Safe under concurrency: of two first events, one registers.
   */
  register(
    space: Space,
    registration: { readonly status: 'active' | 'pending'; readonly name?: string },
    now: Date,
  ): Promise<{ readonly record: SpaceRecord; readonly created: boolean }>;
  /** Records the platform's current name for a space (a renamed group, a workspace first heard unnamed). */
  rename(space: Space, name: string): Promise<void>;
  /** Marks the registration notice posted. */
  markNoticed(space: Space, now: Date): Promise<void>;
  /** Marks a space inactive and deletes its installation (tokens); records stay. */
  deactivate(space: Space, now: Date): Promise<SpaceRecord | undefined>;
  /** Serves a pending or inactive space again (ops approval, or the bot added back). */
  activate(space: Space, now: Date): Promise<SpaceRecord | undefined>;
  /**
   * A Telegram group became a supergroup: the space continues under `to`, keeping its community, status and
   * history. Undefined when `from` was never registered (and `to` is not either).
   */
  migrate(from: Space, to: Space, now: Date): Promise<SpaceRecord | undefined>;
  /**
   * Moves one space into another community (`communityId`), or into a new community of its own when it is
   * undefined. Only the space item and the two communities' membership items change.
   */
  move(space: Space, communityId: string | undefined, now: Date): Promise<SpaceRecord>;
  /** The spaces of one community (a strongly consistent read of the community's own partition). */
  spacesOf(communityId: string): Promise<SpaceRecord[]>;
  /** Every space the bot was ever in, in any community (the daily rollup; never on a request path). */
  all(): Promise<SpaceRecord[]>;
  /** Sets how long the space's records are kept (the community's setting, copied onto each space). */
  setRetention(space: Space, days: number): Promise<void>;
}

/** What the table holds under one space's keys (shared/store/space-data-repository.ts). */
export interface SpaceDataStore {
  /**
   * Erases the space's engagement records of these UTC days, its rollups, deep-link answers and feedback
   * notes; safe to run again after a failure half-way. The space's directory item stays, and answer claims
   * expire on their own within two days.
   */
  eraseSpace(
    space: Space,
    days: readonly string[],
  ): Promise<{ readonly records: number; readonly other: number }>;
}

/** Community moderators, audit entries and link codes, each in its community's partition. */
export interface CommunityStore {
  moderators(communityId: string): Promise<Member[]>;
  isModerator(communityId: string, member: Member): Promise<boolean>;
  addModerator(communityId: string, member: Member): Promise<void>;
  removeModerator(communityId: string, member: Member): Promise<void>;
  audit(communityId: string, entry: AuditEntry): Promise<void>;
  /** The most recent entries first. */
  auditTrail(communityId: string, limit: number): Promise<AuditEntry[]>;
  /**
   * Erases `member` from the community's own partition: their community moderator entry is deleted, and
   * audit entries they made keep the action but name an erased member instead. Returns how many items changed.
   */
  eraseMember(communityId: string, member: Member): Promise<number>;
  /** Keeps a code's digest (what the code itself is never stored as) until it is used or expires. */
  putLinkCode(digest: string, code: LinkCode, now: Date): Promise<void>;
  /** The code behind a digest, unless expired (a used one says by whom). */
  findLinkCode(digest: string, now: Date): Promise<LinkCode | undefined>;
  /**
   * Uses a code up for the space `usedBy` (`slack:T1`); false when it expired or another space used it (of
   * two confirmations, one wins). The same space may use it again, to finish a confirmation that failed.
   */
  consumeLinkCode(digest: string, usedBy: string, now: Date): Promise<boolean>;
  /** The link the code made is complete: the code is spent for good. */
  finishLinkCode(digest: string, now: Date): Promise<void>;
}

/** The key a space is named by in texts and commands: `telegram:-1001234`. */
export function spaceKey(space: Space): string {
  return `${space.platform}:${space.id}`;
}

/** What an audit entry names instead of a moderator whose data was erased (the action itself is kept). */
export const ERASED_MEMBER_ID = 'erased-member';
