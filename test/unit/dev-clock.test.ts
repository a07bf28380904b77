import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvanceDurationError, advanceDevClock, parseAdvance } from '../../infra/local/advance.js';
import { createDevClock } from '../../infra/local/dev-clock.js';
import type { WorkerReport } from '../../shared/core/outbox/worker.js';

const HOUR = 3_600_000;
const IDLE: WorkerReport = {
  leased: true,
  sent: 0,
  held: 0,
  retried: 0,
  failed: 0,
  expired: 0,
  dropped: 0,
  unconfirmed: 0,
};

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('parseAdvance (npm run say -- --advance)', () => {
  it.each([
    ['90m', 90 * 60_000],
    ['12h', 12 * HOUR],
    ['7d', 7 * 24 * HOUR],
    ['2w', 14 * 24 * HOUR],
    [' 1d ', 24 * HOUR],
  ])('reads %j', (text, ms) => {
    expect(parseAdvance(text)).toBe(ms);
  });

  it.each(['', '7', 'd', '7days', '-1d', '1.5d', '0m', '400d', '7 d'])(
    'refuses %j with a sentence showing the expected forms',
    (text) => {
      expect(() => parseAdvance(text)).toThrow(AdvanceDurationError);
      expect(() => parseAdvance(text)).toThrow(/like 90m, 12h, 7d or 2w/);
    },
  );
});

describe('createDevClock', () => {
  it('runs ahead by what it was advanced, never back, and a restart on the same data folder keeps it', () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'dev-clock-'));
    folders.push(dataDir);
    const clock = createDevClock(dataDir);

    // Act
    clock.advance(3 * HOUR);
    clock.advance(-HOUR);
    const restarted = createDevClock(dataDir);

    // Assess
    expect(clock.offsetMs()).toBe(3 * HOUR);
    expect(restarted.offsetMs()).toBe(3 * HOUR);
    expect(restarted.now().getTime() - Date.now()).toBeGreaterThan(3 * HOUR - 60_000);
    expect(createDevClock().offsetMs()).toBe(0);
  });
});

describe('advanceDevClock', () => {
  it('moves an hour per step, drains each step until a run sends nothing, and reports per day', async () => {
    // Prepare: the worker sends 1 at the third and the thirtieth hour; a wake-up holds the lease once.
    const clock = createDevClock();
    const runsAt: number[] = [];
    const sends = new Map([
      [3, 1],
      [30, 1],
    ]);
    let leaseHeldOnce = true;
    const runWorker = async (): Promise<WorkerReport> => {
      const hour = Math.round(clock.offsetMs() / HOUR);
      if (hour === 5 && leaseHeldOnce) {
        leaseHeldOnce = false;
        return { ...IDLE, leased: false };
      }
      runsAt.push(hour);
      const sent = sends.get(hour) ?? 0;
      sends.delete(hour);
      return { ...IDLE, sent };
    };

    // Act
    const lines: string[] = [];
    for await (const line of advanceDevClock({ clock, runWorker, settled: async () => {} }, 2 * 24 * HOUR)) {
      lines.push(line);
    }

    // Assess
    expect(clock.offsetMs()).toBe(48 * HOUR);
    expect(lines.map((line) => line.replace(/ \(now .*\)$/, ''))).toEqual([
      'day 1 of 2: 1 post',
      'day 2 of 2: 1 post',
    ]);
    expect(runsAt.filter((hour) => hour === 3)).toHaveLength(2);
    expect(runsAt.filter((hour) => hour === 5)).toHaveLength(1);
    expect(runsAt.filter((hour) => hour === 4)).toHaveLength(1);
  });

  it('reports per hour under a day, the last step shorter', async () => {
    const clock = createDevClock();
    const lines: string[] = [];
    const deps = { clock, runWorker: async () => IDLE, settled: async () => {} };

    for await (const line of advanceDevClock(deps, 90 * 60_000)) lines.push(line);

    expect(lines.map((line) => line.replace(/ \(now .*\)$/, ''))).toEqual([
      'hour 1 of 2: 0 posts',
      'hour 2 of 2: 0 posts',
    ]);
    expect(clock.offsetMs()).toBe(90 * 60_000);
  });
});
