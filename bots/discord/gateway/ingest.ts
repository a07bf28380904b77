/**
 * Gateway dispatches into the core: each one translated (translate.ts), then recorded or applied exactly
 * once by the core. The connection that receives them (the relay, a long-running process) is built on this;
 * nothing here connects to anything, and the interactions handler never imports this folder (its bundle
 * stays as small as it is).
 */
import type { Community, EventOutcome } from '../../../shared/core/community.js';
import type { ChangeOutcome } from '../../../shared/core/engagement.js';
import type { Logger } from '../../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../../shared/platform/descriptor.js';
import { type Ignored, isIgnored, logIgnored } from '../../../shared/platform/ignored.js';
import { createDiscordCommunity, type DiscordCoreConfig } from '../community.js';
import { translateDispatch } from './translate.js';

/** What became of a dispatch: the core's outcome for an event, a space change applied, or why neither. */
export type DispatchResult =
  | { readonly outcome: EventOutcome | 'space_changed' }
  | { readonly outcome: 'changed'; readonly changes: readonly (ChangeOutcome | 'private' | 'not_served')[] }
  | Ignored;

export interface GatewayIngestion {
  /**
   * Hands one dispatch payload (`{op, s, t, d}`) to the core. Throws only when the store fails: the caller
   * may hand the same payload again, since every delivery of an event records it at most once.
   */
  dispatch(payload: unknown): Promise<DispatchResult>;
}

export interface GatewayIngestionDeps {
  readonly community: Pick<Community, 'onEvent' | 'onSpaceChange' | 'onChange'>;
  readonly logger: Logger;
  /** When a dispatch arrived (reactions and leaves carry no time of their own). */
  readonly now?: () => Date;
}

export function createGatewayIngestion({
  community,
  logger,
  now = () => new Date(),
}: GatewayIngestionDeps): GatewayIngestion {
  // Reactions carry no time: they are ordered by arrival. Microseconds of the clock, made strictly increasing
  // in this process, so a burst (a resume replaying a reaction added and removed) keeps its order, and two
  // relays side by side still compare by their clocks.
  let last = 0;
  const arrival = (at: Date) => {
    last = Math.max(at.getTime() * 1000, last + 1);
    return last;
  };
  return {
    async dispatch(payload) {
      const at = now();
      const translated = translateDispatch(payload, at, arrival(at));
      if (isIgnored(translated)) {
        logIgnored(logger, translated, { event: eventName(payload) });
        return translated;
      }
      if ('change' in translated) {
        await community.onSpaceChange(translated.change);
        return { outcome: 'space_changed' };
      }
      if ('edits' in translated) {
        const outcomes: (ChangeOutcome | 'private' | 'not_served')[] = [];
        for (const edit of translated.edits) outcomes.push(await community.onChange(edit));
        return { outcome: 'changed' as const, changes: outcomes };
      }
      const outcome = await community.onEvent(translated.event);
      if (outcome === 'not_served') {
        logger.debug('event in a space not served', { kind: translated.event.kind });
      }
      return { outcome };
    },
  };
}

/**
 * The ingestion on the real core, built from the same settings as the interactions handler (the relay, the
 * tests and `npm run dev` use this): the same table, the same later queue (the registration notice is
 * posted by the interactions function's later job), the same REST client.
 */
export function createDiscordGatewayIngestion(
  config: DiscordCoreConfig,
  deps: HandlerDeps = {},
): GatewayIngestion {
  const { community, logger, now } = createDiscordCommunity(config, deps, 'discord-gateway');
  return createGatewayIngestion({ community, logger, now });
}

/** The dispatch's name for a log line (never its data). */
function eventName(payload: unknown): string | undefined {
  const name = (payload as { t?: unknown } | null)?.t;
  return typeof name === 'string' ? name.slice(0, 64) : undefined;
}
