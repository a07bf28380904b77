/**
 * The daily closing of rollups. A closed day's totals are written once, the first time anyone reads them;
 * records expire after their community's retention, so a day nobody looked at before then must still be
 * summed while its records exist. A schedule runs this every night (infra/community-stack.ts): the last few
 * closed days of every space get their rollup (a day that has one is only read), so a missed night or two
 * changes nothing.
 */
import type { CoreStores } from '../feature.js';
import { spaceIds } from '../members/model.js';
import { lastDays } from '../time.js';

/** Closed days looked at per run: yesterday and the two before it. */
export const CLOSING_DAYS = 3;

/** Spaces summed at once. */
const CONCURRENCY = 4;

/** Writes every missing rollup of the last closed days; returns how many spaces it went through. */
export async function closeRollups(stores: CoreStores, now: Date): Promise<number> {
  const days = lastDays(now, CLOSING_DAYS + 1).slice(0, CLOSING_DAYS);
  const spaces = (await stores.spaces.all()).flatMap(spaceIds);
  for (let start = 0; start < spaces.length; start += CONCURRENCY) {
    await Promise.all(
      spaces.slice(start, start + CONCURRENCY).map((space) => stores.engagement.dayTotals(space, days, now)),
    );
  }
  return spaces.length;
}
