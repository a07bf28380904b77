import { readdirSync, readFileSync } from 'node:fs';
import type { Platform } from '../../shared/core/events.js';

/**
 * Real payloads from other projects' test suites and the platforms' docs (test/fixtures/peers/, sources in
 * its SOURCES.md and sources.json): what each platform really sends, for replay and fuzzing.
 */
export interface PeerPayload {
  /** `slack/bp-thread-broadcast.json`. */
  readonly file: string;
  readonly platform: Platform;
  /** The parsed JSON, or the raw text for `slack-raw-form`. */
  readonly payload: unknown;
  /** How Slack delivers it: JSON (Events API), a `payload=` form (interactivity), form fields (a slash command), a raw form. */
  readonly delivery: 'json' | 'slack-interactive' | 'slack-command' | 'slack-raw-form';
  /** The bot identity the handler must be configured with for the payload to mean what its source meant. */
  readonly bot?: { readonly botUserId: string; readonly botId: string };
  /** `verbatim`, or `ADAPTED: ...` naming the change. */
  readonly status: string;
}

const ROOT = new URL('../fixtures/peers/', import.meta.url);

interface SourceEntry {
  readonly file: string;
  readonly platform: Platform;
  readonly status: string;
  readonly delivery?: PeerPayload['delivery'];
  readonly bot?: PeerPayload['bot'];
}

/** Every peer payload of one platform, in sources.json order. */
export function peerPayloads(platform: Platform): PeerPayload[] {
  const sources = JSON.parse(readFileSync(new URL('sources.json', ROOT), 'utf8')) as SourceEntry[];
  return sources
    .filter((entry) => entry.platform === platform)
    .map((entry) => {
      const text = readFileSync(new URL(entry.file, ROOT), 'utf8');
      const delivery = entry.delivery ?? 'json';
      return {
        file: entry.file,
        platform,
        payload: delivery === 'slack-raw-form' ? text : JSON.parse(text),
        delivery,
        ...(entry.bot ? { bot: entry.bot } : {}),
        status: entry.status,
      };
    });
}

/**
 * The project's own fixtures of one platform (test/fixtures/<platform>/*.json), the documented examples:
 * the named ones, or all of them.
 */
export function ownFixtures(
  platform: Platform,
  names?: readonly string[],
): { file: string; payload: unknown }[] {
  const folder = new URL(`../fixtures/${platform}/`, import.meta.url);
  const chosen =
    names ??
    readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort();
  return chosen.map((name) => ({
    file: `${platform}/${name}`,
    payload: JSON.parse(readFileSync(new URL(name, folder), 'utf8')),
  }));
}
