import type { Member, Space } from '../events.js';

/** A private note from a member to the moderators of their community. */
export interface FeedbackNote {
  readonly space: Space;
  readonly id: string;
  readonly from: Member;
  /** Kept only until a moderator marks the note read. */
  readonly text: string;
  readonly createdAt: string;
}

/** What marking a note read found. */
export type MarkRead =
  | { readonly kind: 'read'; readonly note: FeedbackNote }
  | { readonly kind: 'already'; readonly readBy: string }
  | { readonly kind: 'missing' };

/** Feedback notes (shared/store/feedback-repository.ts), keyed by their community. */
export interface FeedbackStore {
  /** Keeps a note; adding the same id again changes nothing. */
  add(note: FeedbackNote, now: Date): Promise<void>;
  get(space: Space, id: string): Promise<FeedbackNote | undefined>;
  /** Marks the note read by `by` and erases its text, once; returns the note as it was. */
  markRead(space: Space, id: string, by: Member, now: Date): Promise<MarkRead>;
  /**
   * The space's notes no moderator has marked read, newest first (the moderator's home counts and shows
   * them). Notes past their expiry are left out even while the table has not removed them yet.
   */
  unread(space: Space, now: Date): Promise<FeedbackNote[]>;
  /**
   * Erases what the space's notes hold about `member`: the notes they wrote are deleted, and where they
   * marked a note read, who read it is forgotten. Returns how many notes changed.
   */
  eraseMember(space: Space, member: Member): Promise<number>;
}

/** Unread notes are not kept forever: after this they expire with their text. */
export const FEEDBACK_KEPT_SECONDS = 90 * 24 * 3600;
