/**
 * Answers exactly once, and private means private.
 *
 * Every answer (to a command, a press, a form, a later job, a note to one moderator) is claimed in the
 * {@link AnswerLedger} first. The ledger has states, as Powertools idempotency does: `in progress` with an
 * expiry, then `completed` with an expiry. A concurrent redelivery finds it in progress and says nothing;
 * a redelivery after a failure finds nothing (the claim was released) or an expired claim, and answers; a
 * redelivery after the answer went out finds it completed. Once an answer has gone out, nothing after it
 * may fail the request: the platform would redeliver, and the member would hear it twice.
 */
import type { Member, Space } from './events.js';
import type { Messenger, OutboundMessage, PrivateDelivery } from './messenger.js';

/** What claiming an answer found. */
export type Claim = 'claimed' | 'in_progress' | 'completed';

/** The ledger of answers (shared/store/ledger-repository.ts). Keys are scoped by the space they belong to. */
export interface AnswerLedger {
  /**
   * Claims `key` unless it is completed, or in progress and younger than `inProgressMs`. Safe under
   * concurrency: of two simultaneous claims, one wins.
   */
  begin(space: Space, key: string, now: Date, inProgressMs: number): Promise<Claim>;
  /** Marks the answer given; it stays completed for {@link COMPLETED_FOR_SECONDS}. */
  complete(space: Space, key: string, now: Date): Promise<void>;
  /** Gives the claim up after a failure, so a redelivery answers. */
  release(space: Space, key: string): Promise<void>;
  /** Erases the claims whose key names `member` (a note delivered to them); returns how many. */
  eraseMember(space: Space, member: Member): Promise<number>;
}

/**
 * How long a completed answer is remembered: past every platform's redelivery window (Telegram keeps an
 * update for 24 hours; Slack retries for about an hour; Discord never redelivers).
 */
export const COMPLETED_FOR_SECONDS = 2 * 24 * 3600;

/**
 * How long a claim made inside a request holds: the function's timeout (10 s) plus margin. A request that
 * died mid-answer frees its claim after this, and the platform's next redelivery answers.
 */
export const IN_REQUEST_MS = 15_000;

/**
 * How long a claim handed to a later invocation holds: a Discord interaction token (and so the chance to
 * answer) lives 15 minutes; Lambda's asynchronous retries fit in it.
 */
export const LATER_MS = 15 * 60_000;

/** What claimed work returns when it was not run: another delivery gave, or is giving, the answer. */
export type NotRun = 'duplicate' | 'in_progress';

/** Where {@link answerOnce} notes what it could not: a claim left to expire, an answer not marked given. */
export interface ClaimLogger {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Claims `key` in `space`, runs `work`, and marks it completed; when `work` fails the claim is released
 * (and the error rethrown) so a redelivery answers. Once `work` has answered, a failure to mark it is only
 * logged: failing the request would make the platform redeliver, and the member would hear it twice.
 */
export async function answerOnce<T>(
  ledger: AnswerLedger,
  logger: ClaimLogger,
  claim: {
    readonly space: Space;
    readonly key: string;
    readonly inProgressMs: number;
    readonly now: () => Date;
  },
  work: (at: Date) => Promise<T>,
): Promise<T | NotRun> {
  const { space, key } = claim;
  const at = claim.now();
  const found = await ledger.begin(space, key, at, claim.inProgressMs);
  if (found !== 'claimed') return found === 'completed' ? 'duplicate' : found;
  let result: T;
  try {
    result = await work(at);
  } catch (error) {
    await ledger.release(space, key).catch((releaseError: unknown) => {
      // The claim then expires on its own; a redelivery after that answers.
      logger.warn('answer claim not released', { key, error: releaseError });
    });
    throw error;
  }
  await ledger.complete(space, key, claim.now()).catch((error: unknown) => {
    logger.error('answer given but not marked complete', { key, error });
  });
  return result;
}

/** Pending private answers behind a Telegram deep link (shared/store/pending-repository.ts). */
export interface PendingAnswerStore {
  /** Keeps `message` for `member` and returns a single-use token for a deep link. */
  put(space: Space, member: Member, message: OutboundMessage, now: Date): Promise<string>;
  /** The message behind `token`: only for the member it was kept for, only before it expires, until used. */
  peek(token: string, member: Member, now: Date): Promise<OutboundMessage | undefined>;
  /** Uses the token up, once the message went out (so a failed send can be tried again). */
  consume(token: string, member: Member): Promise<void>;
  /** Erases every answer kept in `space` for `member`; returns how many. */
  eraseMember(space: Space, member: Member): Promise<number>;
}

/** How long a deep link's answer waits for the member to open it. */
export const PENDING_FOR_SECONDS = 24 * 3600;

/** What the rest of the chat sees when a private answer cannot reach a member: a link, never the answer. */
export function deepLinkNote(link: string): OutboundMessage {
  return {
    text: `I have a private answer for you. Open ${link} and press **Start** to read it (the link works once).`,
  };
}

/** What a private answer needs to fall back when the platform refuses it. */
export interface PrivateFallback {
  readonly messenger: Messenger;
  readonly pending: PendingAnswerStore;
  readonly space: Space;
  readonly member: Member;
  readonly now: Date;
  /** Posts the public note where the member asked (the interaction's public answer). */
  readonly postNote: (note: OutboundMessage) => Promise<unknown>;
}

/**
 * Sends a private answer; if the platform refuses it and answers privately only in private chats
 * (`privateAnswers: 'direct'`), keeps it behind a single-use deep link and posts only the link publicly.
 * Anywhere else a refusal stays a refusal: the answer is never posted in a group instead.
 */
export async function answerPrivately(
  send: () => Promise<PrivateDelivery>,
  message: OutboundMessage,
  fallback: PrivateFallback,
): Promise<PrivateDelivery> {
  const delivery = await send();
  if (delivery.kind === 'sent' || fallback.messenger.capabilities.privateAnswers !== 'direct') {
    return delivery;
  }
  const token = await fallback.pending.put(fallback.space, fallback.member, message, fallback.now);
  const link = fallback.messenger.deepLink(token);
  if (link) await fallback.postNote(deepLinkNote(link));
  return delivery;
}
