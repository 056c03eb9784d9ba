// Pre-deploy baselines: the typical value of a metric before the deploy, and how much it wandered.
import { firstAtOrAfter } from './steps.js';
import type { Point } from './types.js';

/** A metric's pre-deploy baseline. `spread` (median absolute deviation) is kept for statistical comparison. */
export interface BaselineStats {
  median: number;
  /** Median absolute deviation from the median. */
  spread: number;
  /** Number of points the baseline was computed from. */
  count: number;
  from: number;
  /** Exclusive. */
  to: number;
}

/** Median of a list of numbers (mean of the middle two for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation of values around their median; null when empty. */
export function medianAbsoluteDeviation(values: readonly number[]): number | null {
  const m = median(values);
  return m === null ? null : median(values.map((v) => Math.abs(v - m)));
}

/**
 * The pre-deploy baseline of a series: median and MAD of its points in [startedAt - duration, startedAt).
 * Null when there are no points there: conditions on ratio or change then cannot hold.
 */
export function preDeployBaseline(points: readonly Point[], startedAt: number, duration: number): BaselineStats | null {
  const from = startedAt - duration;
  const values = points.slice(firstAtOrAfter(points, from), firstAtOrAfter(points, startedAt)).map((p) => p[1]);
  const m = median(values);
  if (m === null) return null;
  return { median: m, spread: medianAbsoluteDeviation(values) ?? 0, count: values.length, from, to: startedAt };
}
