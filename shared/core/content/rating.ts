/**
 * How good members find an item: the lower bound of the Wilson score interval for the share of "Helpful"
 * among "Helpful" + "Not for me" (95% confidence), where a member who reacted to or replied to one of its
 * posts counts as a "Helpful" (they found it worth their time). One vote does not win: 1 of 1 rates 0.21, 40 of 50 rates
 * 0.67. An item nobody judged yet rates {@link UNJUDGED}, between a poor record and a good one, so new
 * items get their chance.
 */
import type { ContentCounts } from './model.js';

const Z = 1.959964;
/** The rating of an item without votes. */
export const UNJUDGED = 0.3;

export function wilsonLowerBound(positive: number, negative: number): number {
  const n = positive + negative;
  if (n <= 0) return 0;
  const p = positive / n;
  const z2 = Z * Z;
  const centre = p + z2 / (2 * n);
  const margin = Z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  // With no positive vote the bound is 0; rounding could leave it a hair below (read "-0.00").
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** An item's rating from its counts. */
export function ratingOf(counts: Pick<ContentCounts, 'helpful' | 'notForMe' | 'engaged'>): number {
  const positive = counts.helpful + counts.engaged;
  return positive + counts.notForMe === 0 ? UNJUDGED : wilsonLowerBound(positive, counts.notForMe);
}
