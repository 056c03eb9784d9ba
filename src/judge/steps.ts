// The judge's clock: the step times it evaluates and what a series shows at a step, never looking past it.
import type { Point } from './types.js';

/**
 * Step times of a watch: startedAt + k·interval (k = 1, 2, …) up to min(now, windowEnd). When `now` has
 * reached the window end and the window is not a whole number of intervals, windowEnd itself is the last step,
 * so the window is always judged to its end.
 */
export function stepTimes(startedAt: number, interval: number, windowEnd: number, now: number): number[] {
  if (!(interval > 0)) {
    throw new Error(`judge: rule interval must be a positive number of seconds, got ${interval}; fix "interval" in the rule files`);
  }
  const limit = Math.min(now, windowEnd);
  const steps: number[] = [];
  for (let k = 1; startedAt + k * interval <= limit; k++) steps.push(startedAt + k * interval);
  const last = steps.at(-1) ?? startedAt;
  if (now >= windowEnd && last < windowEnd) steps.push(windowEnd);
  return steps;
}

/** Index of the first point with time > t (points sorted by time ascending). */
export function firstAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last answer of pointsAfter for one series: the time asked and the index answered (t NaN: none yet). */
export interface Cursor {
  t: number;
  i: number;
}

/**
 * firstAfter(series, t) for times asked mostly in ascending order (a rule's steps, a series walked point by point):
 * walked on from the cursor's previous answer, searched for the first time or for an earlier one.
 */
export function pointsAfter(series: readonly Point[], t: number, cursor: Cursor): number {
  let i: number;
  if (t >= cursor.t) {
    i = cursor.i;
    while (i < series.length && series[i]![0] <= t) i++;
  } else {
    i = firstAfter(series, t);
  }
  cursor.t = t;
  cursor.i = i;
  return i;
}

/** Index of the first point with time >= t (points sorted by time ascending). */
export function firstAtOrAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The observed value at step t: the latest point with time in (t - interval, t], or null (a gap). */
export function observedAt(points: readonly Point[], t: number, interval: number): number | null {
  const latest = points[firstAfter(points, t) - 1];
  return latest !== undefined && latest[0] > t - interval ? latest[1] : null;
}

/** Points with time in (from, to]. */
export function pointsIn(points: readonly Point[], from: number, to: number): Point[] {
  return points.slice(firstAfter(points, from), firstAfter(points, to));
}

/**
 * Steps of a window that may be extended: the nominal steps up to `nominalEnd` (see stepTimes), then
 * nominalEnd + k·interval up to `maxEnd` (and maxEnd itself), never past `now`.
 */
export function windowSteps(startedAt: number, interval: number, nominalEnd: number, maxEnd: number, now: number): number[] {
  const steps = stepTimes(startedAt, interval, nominalEnd, now);
  if (maxEnd <= nominalEnd || now < nominalEnd) return steps;
  let k = 1;
  for (; nominalEnd + k * interval <= Math.min(now, maxEnd); k++) steps.push(nominalEnd + k * interval);
  const last = steps.at(-1)!;
  if (now >= maxEnd && last < maxEnd) steps.push(maxEnd);
  return steps;
}
