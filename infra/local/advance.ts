/**
 * Simulated time in `npm run dev`: `npm run say -- --advance 7d` moves the dev clock forward an hour at a
 * time and, at each step, runs the outbox worker (which runs the content scheduler first) until nothing
 * more is due, so a week of scheduled posts, digests and their sends happens as it would have, in seconds.
 */
import type { ServerResponse } from 'node:http';
import { CommunityError } from '../../shared/core/errors.js';
import type { WorkerReport } from '../../shared/core/outbox/worker.js';
import { jsonResult } from '../../shared/lambda/http.js';
import type { DevClock } from './dev-clock.js';
import { writeResult } from './http-bridge.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The clock moves this much between two worker runs: scheduled slots are whole minutes of an hour. */
export const ADVANCE_STEP_MS = HOUR_MS;

/** The longest one advance may be: half a year of hourly steps still answers in under a few minutes. */
export const ADVANCE_MAX_MS = 366 * DAY_MS;

const UNITS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** A duration `--advance` cannot use: the sentence says what it expected. */
export class AdvanceDurationError extends CommunityError {
  override readonly name = 'AdvanceDurationError';

  constructor(text: string) {
    super(
      'advance_duration',
      `--advance takes a duration like 90m, 12h, 7d or 2w, from 1 minute to ${ADVANCE_MAX_MS / DAY_MS} days ` +
        `(got "${text}")`,
    );
  }
}

/** Reads `90m`, `12h`, `7d`, `2w` as milliseconds; anything else (or out of range) throws. */
export function parseAdvance(text: string): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? ''] ?? 0) : 0;
  if (ms < MINUTE_MS || ms > ADVANCE_MAX_MS) throw new AdvanceDurationError(text);
  return ms;
}

export interface AdvanceDeps {
  readonly clock: DevClock;
  /** One run of the outbox worker's handler (with the scheduler) on the dev clock. */
  readonly runWorker: () => Promise<WorkerReport>;
  /** Resolves once every invocation the bots or the worker started (wake-ups, later jobs) has finished. */
  readonly settled: () => Promise<void>;
}

/** Runs per step at most: a run that holds the lease drains all that is due, so two suffice unless woken runs interleave. */
const MAX_RUNS_PER_STEP = 20;
/** How long to wait for another run holding the lease (a wake-up's) before trying again. */
const LEASE_RETRY_MS = 25;

/**
 * Moves the clock `totalMs` forward in {@link ADVANCE_STEP_MS} steps, draining the outbox at each, and yields
 * a progress line per simulated day (per hour when less than a day is asked): `day 3 of 7: 2 posts`.
 */
export async function* advanceDevClock(deps: AdvanceDeps, totalMs: number): AsyncGenerator<string> {
  const unit = totalMs >= DAY_MS ? { name: 'day', ms: DAY_MS } : { name: 'hour', ms: HOUR_MS };
  const units = Math.ceil(totalMs / unit.ms);
  let moved = 0;
  for (let index = 1; index <= units; index++) {
    const unitEnd = Math.min(totalMs, index * unit.ms);
    let sent = 0;
    while (moved < unitEnd) {
      const step = Math.min(ADVANCE_STEP_MS, unitEnd - moved);
      deps.clock.advance(step);
      moved += step;
      sent += await drain(deps);
    }
    yield `${unit.name} ${index} of ${units}: ${sent} ${sent === 1 ? 'post' : 'posts'} (now ${shown(deps.clock.now())})`;
  }
}

/** Runs the worker until a run it holds the lease for sends nothing more; returns how many it sent. */
async function drain(deps: AdvanceDeps): Promise<number> {
  let sent = 0;
  for (let run = 0; run < MAX_RUNS_PER_STEP; run++) {
    await deps.settled();
    const report = await deps.runWorker();
    if (!report.leased) {
      await deps.clock.sleep(LEASE_RETRY_MS);
      continue;
    }
    sent += report.sent;
    if (report.sent === 0) break;
  }
  await deps.settled();
  return sent;
}

/** `Wed 2026-12-03 10:00 UTC`: the simulated time as people read it. */
export function shown(at: Date): string {
  const day = at.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' });
  return `${day} ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `POST /sandbox/advance?by=7d` on the dev server: streams the progress lines as plain text. */
export function advanceRoute(deps: AdvanceDeps): (url: URL, response: ServerResponse) => Promise<void> {
  let busy = false;
  return async (url, response) => {
    let totalMs: number;
    try {
      totalMs = parseAdvance(url.searchParams.get('by') ?? '');
    } catch (error) {
      return writeResult(response, jsonResult(400, { error: (error as Error).message }));
    }
    // Two advances at once would each think the other's hours were theirs.
    if (busy) return writeResult(response, jsonResult(409, { error: 'The clock is already advancing' }));
    busy = true;
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    try {
      for await (const line of advanceDevClock(deps, totalMs)) response.write(`${line}\n`);
    } catch (error) {
      response.write(`advance stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      busy = false;
      response.end();
    }
  };
}
