/**
 * The dispatcher: commands, presses and form submissions are routed by name / action id / form id to the
 * handlers features register, answered exactly once (answers.ts), now or from a later invocation
 * (later.ts), always through the Messenger. Loaded on the first interaction (community.ts).
 */
import {
  answerOnce,
  answerPrivately,
  IN_REQUEST_MS,
  LATER_MS,
  type NotRun,
  type PrivateFallback,
} from './answers.js';
import { isProblem, readCommand } from './command-grammar.js';
import { COMMAND_NAME } from './command-table.js';
import type { SpaceRecord } from './communities/model.js';
import { isCommunityModerator } from './communities/rights.js';
import { notEnabledText, SPACE_NOTICE } from './communities/spaces.js';
import type { CommunityDeps, Dispatcher, InteractionResult, SpaceGate } from './community.js';
import { toEngagementRecord } from './engagement.js';
import type { InteractionEvent, Space } from './events.js';
import {
  answer,
  type CommandTurn,
  type CoreServices,
  type Handler,
  type Outcome,
  type Turn,
} from './feature.js';
import { FEATURES, featureRegistry } from './features.js';
import { promptFor } from './forms.js';
import { homeView } from './home/home.js';
import { fromLaterJob, type NoticeJob, toLaterJob } from './later.js';
import type { Pseudonyms } from './members/pseudonyms.js';
import type { InteractionResponder, OutboundMessage } from './messenger.js';
import { createOutbox } from './outbox/outbox.js';
import { answerPrivateText } from './private-chat.js';
import { closeRollups } from './stats/close-days.js';

/** Hands a served space's registration notice to a later job if it was never posted (community.ts). */
export type NoticeHandOver = (space: SpaceRecord, channelId: string) => Promise<void>;

export function createDispatcher(
  deps: CommunityDeps,
  gate: SpaceGate,
  noticeIfNew: NoticeHandOver,
  pseudonyms: () => Promise<Pseudonyms>,
): Dispatcher {
  const { stores, messenger, later, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const registry = featureRegistry(deps.features ?? FEATURES);
  const outbox = createOutbox({
    store: stores.outbox,
    attention: stores.attention,
    members: stores.members,
    wake: deps.wake,
    logger,
  });
  const services: CoreServices = {
    stores,
    messenger,
    moderatorRule: deps.moderatorRule,
    logger,
    table: registry.table,
    pseudonyms,
    memberData: registry.memberData,
    outbox,
  };
  const joinReactions = (deps.features ?? FEATURES).flatMap((feature) =>
    feature.onMemberJoined ? [feature.onMemberJoined] : [],
  );

  /** A handler's turn: the space as stored now, and the member's rights, each asked at most once. */
  async function turnOf(
    event: InteractionEvent,
    at: Date,
    rights?: () => Promise<boolean>,
    spaceRead: Promise<SpaceRecord | undefined> = gate.resolve(event.location, at, true),
  ): Promise<Turn> {
    const space = await spaceRead;
    return { event, now: at, services, ...(space ? { space } : {}), ...rightsOf(event, space, rights) };
  }

  /** A member's rights in a space, each asked at most once: the platform's word, and the community's. */
  function rightsOf(
    { location, member }: Pick<InteractionEvent, 'location' | 'member'>,
    space: SpaceRecord | undefined,
    rights?: () => Promise<boolean>,
  ): Pick<Turn, 'isModerator' | 'platformSaysModerator' | 'isCommunityModerator'> {
    const platformSays = memoize(rights ?? (() => messenger.isModerator(location.space, member)));
    const isModerator = memoize(async () => {
      // Both asked at once: a member the platform does not call a moderator costs no second round trip.
      const named = space
        ? stores.communities.isModerator(space.communityId, member)
        : Promise.resolve(false);
      named.catch(() => {});
      return (await platformSays()) || (await named);
    });
    return {
      isModerator,
      platformSaysModerator: platformSays,
      isCommunityModerator: memoize(() =>
        isCommunityModerator(stores.communities, space, member, platformSays),
      ),
    };
  }

  /** The handler for an event, or the answer when there is none to run (a refusal, a problem). */
  async function route(
    turn: Turn,
    checkRights = true,
  ): Promise<{ handler: Handler<Turn>; turn: Turn } | Outcome> {
    const { event } = turn;
    switch (event.kind) {
      case 'command_invoked': {
        const call = readCommand(registry.table, event.input, event.location.space.platform);
        if (isProblem(call)) return answer(`${call.problem}\nSee \`/${COMMAND_NAME} help\`.`);
        const { spec, path } = call.command;
        const handler = registry.commands.get(path) as Handler<Turn> | undefined;
        if (!handler) throw new Error(`No handler for /${COMMAND_NAME} ${path}`);
        const unserved = unservedRefusal(turn, handler);
        if (unserved) return unserved;
        if ((spec.moderatorOnly || spec.communityOnly) && checkRights) {
          const refusal = await moderatorRefusal(turn, path, spec.communityOnly === true);
          if (refusal) return refusal;
        }
        const commandTurn: CommandTurn = { ...turn, event, command: call.command, values: call.values };
        return { handler, turn: commandTurn };
      }
      case 'button_pressed': {
        const handler = registry.buttons.get(event.actionId) as Handler<Turn> | undefined;
        if (!handler) return answer('This button is no longer in use.');
        return unservedRefusal(turn, handler) ?? { handler, turn };
      }
      case 'form_submitted': {
        const handler = registry.forms.get(event.formId) as Handler<Turn> | undefined;
        if (!handler) return answer('This form is not handled by this bot.');
        return unservedRefusal(turn, handler) ?? { handler, turn };
      }
    }
  }

  /** In a space the bot does not serve (yet), only what links it runs. */
  function unservedRefusal(turn: Turn, handler: Handler<Turn>): Outcome | undefined {
    if (!turn.space || turn.space.status === 'active' || handler.beforeApproval) return undefined;
    return answer(notEnabledText(turn.space));
  }

  async function moderatorRefusal(
    turn: Turn,
    path: string,
    communityWide: boolean,
  ): Promise<Outcome | undefined> {
    const { location } = turn.event;
    if (location.direct) {
      return answer(
        `\`/${COMMAND_NAME} ${path}\` is for moderators, in their community: send it there, not in a private chat.`,
      );
    }
    if (communityWide) {
      if (await turn.isCommunityModerator()) return undefined;
      return answer(
        `Sorry, \`/${COMMAND_NAME} ${path}\` is for this community's moderators only ` +
          `(\`/${COMMAND_NAME} moderators list\` names them). Try \`/${COMMAND_NAME} help\`.`,
      );
    }
    if (await turn.isModerator()) return undefined;
    return answer(
      `Sorry, \`/${COMMAND_NAME} ${path}\` is for moderators only ` +
        `(on ${location.space.platform}: ${deps.moderatorRule}). Try \`/${COMMAND_NAME} help\`.`,
    );
  }

  function fallbackFor(event: InteractionEvent, at: Date): PrivateFallback {
    return {
      messenger,
      pending: stores.pending,
      space: event.location.space,
      member: event.member,
      now: at,
      postNote: (note) => messenger.respond(event.answer, note, 'public'),
    };
  }

  async function apply(
    outcome: Outcome,
    event: InteractionEvent,
    responder: InteractionResponder,
    at: Date,
  ): Promise<void> {
    const privately = (message: OutboundMessage, options?: { readonly awaitsReply?: boolean }) =>
      answerPrivately(() => responder.answer(message, options), message, fallbackFor(event, at));
    switch (outcome.kind) {
      case 'answer':
        await privately(outcome.message);
        return;
      case 'update':
        await responder.update(outcome.message);
        return;
      case 'form': {
        if (messenger.capabilities.forms === 'modal') {
          await responder.openForm(outcome.form);
          return;
        }
        const session = { form: outcome.form, answers: {}, origin: toLaterJob(event).event };
        await stores.forms.put(event.member, session, at);
        await privately(promptFor(session), { awaitsReply: true });
        return;
      }
      case 'later':
        await later.enqueue(toLaterJob(event));
        await responder.defer();
        return;
    }
  }

  /** Claims `key` in the event's space in the ledger, runs `work` once (answers.ts). */
  const once = <T>(
    event: { readonly location: InteractionEvent['location'] },
    key: string,
    inProgressMs: number,
    work: (at: Date) => Promise<T>,
  ): Promise<T | NotRun> =>
    answerOnce(stores.ledger, logger, { space: event.location.space, key, inProgressMs, now }, work);

  async function onInteraction(
    event: InteractionEvent,
    responder: InteractionResponder,
    rights?: () => Promise<boolean>,
  ): Promise<InteractionResult> {
    const at = now();
    // A command is using the bot, not taking part: its record is only the answer's claim (two days), under
    // the member's first pseudonym, which every erasure looks for.
    const item = toEngagementRecord(event, at, { memberId: (await pseudonyms()).memberId(event.member, 0) });
    // An answer carried in the acknowledgement cannot fail once decided: it is claimed as given at once.
    const atOnce = responder.answersInAcknowledgement === true;
    // The space is read while the claim is written: neither waits for the other (cold start).
    const spaceRead = gate.resolve(event.location, at, true);
    spaceRead.catch(() => {});
    const { outcome, claim } = await stores.engagement.recordInteraction(item, at, IN_REQUEST_MS, atOnce);
    deps.onRecorded?.(item, outcome);
    if (claim !== 'claimed') {
      await responder.acknowledge();
      return claim === 'completed' ? 'duplicate' : 'in_progress';
    }
    let result: InteractionResult;
    let space: SpaceRecord | undefined;
    try {
      const turn = await turnOf(event, at, rights, spaceRead);
      space = turn.space;
      const routed = await route(turn);
      const answer = 'handler' in routed ? await routed.handler.run(routed.turn) : routed;
      await apply(answer, event, responder, at);
      result = answer.kind === 'later' ? 'deferred' : 'answered';
    } catch (error) {
      await stores.engagement.releaseInteraction(item.key).catch((releaseError: unknown) => {
        logger.warn('answer claim not released', { key: item.key, error: releaseError });
      });
      throw error;
    }
    if (!atOnce) {
      // The answer is out: a failure to note it must not fail the request (a redelivery would repeat it).
      await stores.engagement.completeInteraction(item.key).catch((error: unknown) => {
        logger.error('answer given but not marked complete', { key: item.key, error });
      });
    }
    // A space first heard from through a command (Discord has no other way yet) gets its notice too.
    if (space) await noticeIfNew(space, event.location.channelId);
    return result;
  }

  return {
    onInteraction,
    notice: (space, channelId) =>
      queueNotice({ platform: space.platform, id: space.id }, space.communityId, channelId),
    async onJoined(event, space, at) {
      for (const react of joinReactions) await react({ event, now: at, services, space });
    },
    onPrivateText: (event) =>
      once(event, `private_text:${event.id}`, IN_REQUEST_MS, (at) =>
        answerPrivateText(
          { stores, messenger, table: registry.table, submit: (form, answer) => onInteraction(form, answer) },
          event,
          at,
        ),
      ),
    async onHomeOpened(event) {
      if (!messenger.publishHome) {
        logger.info('home opened on a platform without a home', { platform: event.location.space.platform });
        return;
      }
      // The home is the space's (a Slack workspace), though opened in the member's private chat with the bot.
      const space = await stores.spaces.find(event.location.space);
      const { isModerator } = rightsOf(event, space);
      const view = await homeView({ event, now: now(), services, ...(space ? { space } : {}), isModerator });
      await messenger.publishHome(event.location.space, event.member, view);
    },
    async runLater(job) {
      if ('notice' in job) return postNotice(job);
      if ('rollup' in job) {
        const spaces = await closeRollups(stores, now());
        logger.info('rollups closed', { spaces });
        return;
      }
      const event = fromLaterJob(job);
      const result = await once(event, `later:${event.kind}:${event.id}`, LATER_MS, async (at) => {
        // Rights were checked in the request that handed this job over; asking again could only disagree.
        const routed = await route(await turnOf(event, at), false);
        const message =
          'handler' in routed && routed.handler.later
            ? await routed.handler.later(routed.turn)
            : { text: 'That could not be finished. Please try again.' };
        await answerPrivately(
          () => messenger.respond(event.answer, message),
          message,
          fallbackFor(event, at),
        );
      });
      if (result === 'duplicate' || result === 'in_progress') {
        logger.info('later job already answered', { eventId: event.id, result });
      }
    },
  };

  /**
   * The registration notice goes through the outbox like everything said unasked: one message per space
   * (its key), within the channel's budget. Queued is as good as posted, so the space is noted at once.
   */
  async function queueNotice(space: Space, communityId: string, channelId: string): Promise<void> {
    await outbox.enqueue(
      {
        key: 'space-notice',
        communityId,
        purpose: 'space_notice',
        audience: { kind: 'channel', target: { space, channelId } },
        allowance: { kind: 'unsolicited' },
        message: SPACE_NOTICE,
      },
      now(),
    );
    await stores.spaces.markNoticed(space, now()).catch((error: unknown) => {
      logger.warn('space notice queued but not noted', { space: `${space.platform}:${space.id}`, error });
    });
  }

  /** A notice handed to a later job before the outbox existed (a deploy in between): queued now. */
  async function postNotice({ notice }: NoticeJob): Promise<void> {
    const record = await stores.spaces.find(notice.space);
    if (record) await queueNotice(notice.space, record.communityId, notice.channelId);
  }
}

/** A moderator check asks the platform at most once per turn. */
function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load();
    return pending;
  };
}
