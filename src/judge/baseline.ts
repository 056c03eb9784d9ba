// Baselines: which past (or concurrent) points a metric is compared with, and how much they wandered.
import { SEASONAL_DEFAULTS, type Baseline, type BaselineKind } from '../rules/schema.js';
import { firstAtOrAfter } from './steps.js';
import type { BaselineEvidence, Point } from './types.js';

/** One week in seconds, for the week-ago baseline. */
export const WEEK = 7 * 86_400;

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

/** Median of a list of numbers, or of its first n (mean of the middle two for an even count); null when empty. */
export function median(values: ArrayLike<number>, n = values.length): number | null {
  if (n === 0) return null;
  // The judge takes medians at every step (a lookback's few points) and of every baseline: in a scratch array, without
  // allocating, by insertion sort for a few values and by selection (O(n), not a sort) for more.
  const scratch = n <= scratchValues.length ? scratchValues : (scratchValues = new Float64Array(n));
  for (let i = 0; i < n; i++) scratch[i] = values[i]!;
  const mid = n >> 1;
  if (n <= 16) {
    insertionSort(scratch, n);
    return n % 2 === 1 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2;
  }
  const upper = selectNth(scratch, n, mid);
  if (n % 2 === 1) return upper;
  // Everything before `mid` now sorts at or before it: the lower middle value is their largest.
  let lower = scratch[0]!;
  for (let i = 1; i < mid; i++) if (sortsBefore(lower, scratch[i]!)) lower = scratch[i]!;
  return (lower + upper) / 2;
}

let scratchValues = new Float64Array(256);

/**
 * Float64Array's sort order (what median always sorted by): ascending, -0 before +0, NaN last; a total order,
 * so any sorting or selection by it gives the same middle values, sign of zero included.
 */
function sortsBefore(a: number, b: number): boolean {
  if (a < b) return true;
  if (a === b) return a === 0 && Object.is(a, -0) && Object.is(b, 0);
  return b !== b && a === a;
}

function insertionSort(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i;
    for (; j > 0 && sortsBefore(v, a[j - 1]!); j--) a[j] = a[j - 1]!;
    a[j] = v;
  }
}

/** The k-th value (0-based) of a[0, n) in sortsBefore order (Hoare's quickselect); a is left partitioned around it. */
function selectNth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (sortsBefore(a[i]!, pivot)) i++;
      while (sortsBefore(pivot, a[j]!)) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/**
 * The median of the positive gaps between consecutive points of points[from, to) (by time); null without one.
 * Every tick takes it over each series (a day at 15 s is 5,760 points), whose gaps mostly take a few values (the
 * source's step, now and then a missed point): counted by value, the median is read off the counts; with more
 * distinct gaps, selected from a scratch array. The same number as median() of the gaps either way.
 */
export function medianGap(points: readonly Point[], from: number, to: number): number | null {
  if (gapScratch.length < to - from) gapScratch = new Float64Array(to - from);
  let m = 0;
  let kinds = 0;
  for (let i = from + 1; i < to; i++) {
    const g = points[i]![0] - points[i - 1]![0];
    if (!(g > 0)) continue;
    gapScratch[m++] = g;
    if (kinds > GAP_KINDS) continue;
    let k = 0;
    while (k < kinds && gapValues[k] !== g) k++;
    if (k === kinds) {
      if (kinds === GAP_KINDS) {
        kinds++;
        continue;
      }
      gapValues[kinds] = g;
      gapCounts[kinds++] = 0;
    }
    gapCounts[k]!++;
  }
  if (m === 0) return null;
  return kinds <= GAP_KINDS ? countedMedian(kinds, m) : median(gapScratch.subarray(0, m));
}

const GAP_KINDS = 8;
let gapScratch = new Float64Array(256);
const gapValues = new Float64Array(GAP_KINDS);
const gapCounts = new Float64Array(GAP_KINDS);

/** The median of m gaps counted in gapValues/gapCounts[0, kinds): the middle value(s) of their sorted order. */
function countedMedian(kinds: number, m: number): number {
  // Insertion sort of the few values, their counts alongside.
  for (let i = 1; i < kinds; i++) {
    const v = gapValues[i]!;
    const c = gapCounts[i]!;
    let j = i;
    for (; j > 0 && v < gapValues[j - 1]!; j--) {
      gapValues[j] = gapValues[j - 1]!;
      gapCounts[j] = gapCounts[j - 1]!;
    }
    gapValues[j] = v;
    gapCounts[j] = c;
  }
  const nth = (n: number): number => {
    let seen = 0;
    for (let k = 0; ; k++) if ((seen += gapCounts[k]!) > n) return gapValues[k]!;
  };
  const mid = m >> 1;
  return m % 2 === 1 ? nth(mid) : (nth(mid - 1) + nth(mid)) / 2;
}

/** Median absolute deviation of values around their median; null when empty. */
export function medianAbsoluteDeviation(values: readonly number[]): number | null {
  return medianAndSpread(values)?.spread ?? null;
}

/**
 * The median of values and their median absolute deviation from it (median and medianAbsoluteDeviation, the same
 * numbers); null when empty. Every baseline takes both: up to SORT_AT_MOST values from one native sort (the order
 * median selects in), longer ones by selection, each without taking the median again for the deviation.
 */
export function medianAndSpread(values: ArrayLike<number>): { median: number; spread: number } | null {
  const n = values.length;
  if (n === 0) return null;
  if (n > SORT_AT_MOST) {
    // A long baseline (a day of 15 s points): selection, linear, beats the sort's n log n.
    const m = median(values)!;
    const deviations = new Float64Array(n);
    for (let i = 0; i < n; i++) deviations[i] = Math.abs(values[i]! - m);
    return { median: m, spread: median(deviations)! };
  }
  const sorted = Float64Array.from(values).sort();
  const m = middleOf(sorted);
  if (Number.isFinite(sorted[0]!) && Number.isFinite(sorted[n - 1]!)) return { median: m, spread: middleDeviation(sorted, m) };
  // Infinities and NaN: the deviations sorted as they are.
  for (let i = 0; i < n; i++) sorted[i] = Math.abs(sorted[i]! - m);
  return { median: m, spread: middleOf(sorted.sort()) };
}

/** Up to this many values medianAndSpread sorts (natively: quick to start, a replay's baselines are an hour's points). */
const SORT_AT_MOST = 256;

/**
 * The median of |v - m| over finite sorted values, without sorting the deviations: they ascend from m outwards on
 * each side (down from the last value below m, up from the first at or above it), so the middle ones are found by
 * merging the two sides, as far as the middle.
 */
function middleDeviation(sorted: Float64Array, m: number): number {
  const n = sorted.length;
  let below = 0;
  while (below < n && sorted[below]! < m) below++;
  let i = below - 1;
  let j = below;
  let previous = 0;
  let current = 0;
  for (let k = 0; k <= n >> 1; k++) {
    previous = current;
    const left = i >= 0 ? Math.abs(sorted[i]! - m) : Infinity;
    const right = j < n ? Math.abs(sorted[j]! - m) : Infinity;
    if (left <= right) {
      current = left;
      i--;
    } else {
      current = right;
      j++;
    }
  }
  return n % 2 === 1 ? current : (previous + current) / 2;
}

/** The median of sorted values (n > 0). */
function middleOf(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Points with lo <= t < hi. */
export function pointsBetween(points: readonly Point[], lo: number, hi: number): Point[] {
  return points.slice(firstAtOrAfter(points, lo), firstAtOrAfter(points, hi));
}

/**
 * The pre-deploy baseline of a series: median and MAD of its points in [startedAt - duration, startedAt).
 * Null when there are no points there: conditions on ratio or change then cannot hold.
 */
export function preDeployBaseline(points: readonly Point[], startedAt: number, duration: number): BaselineStats | null {
  const from = startedAt - duration;
  const values = pointsBetween(points, from, startedAt).map((p) => p[1]);
  const stats = medianAndSpread(values);
  if (stats === null) return null;
  return { median: stats.median, spread: stats.spread, count: values.length, from, to: startedAt };
}

/** Where a baseline's points come from: which scope, which time ranges [lo, hi). */
export interface BaselineRanges {
  kind: BaselineKind;
  scope: 'deploy' | 'control';
  ranges: Array<[lo: number, hi: number]>;
}

export interface BaselineContext {
  startedAt: number;
  /** The rules' nominal window, seconds. */
  window: number;
  /** The step being judged (only the control baseline moves with it). */
  step: number;
  previousDeploys: readonly number[];
}

/**
 * The time ranges of a baseline kind at a step. pre-deploy: [startedAt - duration, startedAt); week-ago: the same
 * span plus the window, one week earlier (the same time of day and week, for diurnal services); control: the
 * control group over [step - duration, step]; previous-deploys: the windows (s, s + window] of the last N deploys.
 * Every range lies at or before the step: a baseline never looks into the future.
 */
export function baselineRanges(kind: BaselineKind, config: Baseline, ctx: BaselineContext): BaselineRanges {
  const { startedAt, window, step } = ctx;
  switch (kind) {
    case 'pre-deploy':
      return { kind, scope: 'deploy', ranges: [[startedAt - config.duration, startedAt]] };
    case 'week-ago':
      return { kind, scope: 'deploy', ranges: [[startedAt - WEEK - config.duration, startedAt - WEEK + window]] };
    case 'control':
      return { kind, scope: 'control', ranges: [[step - config.duration, step + 1e-6]] };
    case 'seasonal': {
      // The pre-deploy span and, in each earlier period, the same span through the window (src/judge/baseline-model.ts).
      const periods = config.periods ?? SEASONAL_DEFAULTS.periods;
      const period = config.period ?? SEASONAL_DEFAULTS.period;
      const earlier = Array.from({ length: periods }, (_, i): [number, number] => [
        startedAt - (i + 1) * period - config.duration,
        startedAt - (i + 1) * period + window,
      ]);
      return { kind, scope: 'deploy', ranges: [[startedAt - config.duration, startedAt], ...earlier] };
    }
    case 'previous-deploys': {
      const starts = ctx.previousDeploys.filter((s) => s + window <= startedAt).slice(0, config.deploys);
      return { kind, scope: 'deploy', ranges: starts.map((s): [number, number] => [s + 1e-6, s + window + 1e-6]) };
    }
  }
}

/**
 * A chosen baseline: its points (ready for tests) and the evidence to show. The points are kept as two plain number
 * arrays (times, values) rather than [t, v] pairs: a watch keeps its baselines for its whole window, and a pair costs
 * five times the memory of its two numbers.
 */
export interface BaselineSample {
  times: readonly number[];
  values: readonly number[];
  scope: 'deploy' | 'control';
  evidence: BaselineEvidence;
}

/**
 * The baseline a rule compares with at a step: the configured kind if it has at least `minPoints` points,
 * else the pre-deploy baseline (recorded as a fallback); null when even that has no points.
 * `pointsOf(scope)` gives the (possibly per-unit) series of the rule's metric in that scope.
 */
export function selectBaseline(config: Baseline, ctx: BaselineContext, pointsOf: (scope: 'deploy' | 'control') => readonly Point[]): BaselineSample | null {
  const wanted = collect(baselineRanges(config.kind, config, ctx), pointsOf);
  if (wanted.points.length >= config.minPoints || config.kind === 'pre-deploy') return sample(wanted, null);
  const fallback = collect(baselineRanges('pre-deploy', config, ctx), pointsOf);
  return sample(fallback, config.kind);
}

function collect(
  r: BaselineRanges,
  pointsOf: (scope: 'deploy' | 'control') => readonly Point[],
): { kind: BaselineKind; scope: 'deploy' | 'control'; points: Point[] } {
  const series = pointsOf(r.scope);
  // A loop rather than flatMap, which V8 runs several times slower (every rule's baseline passes here).
  let points: Point[] = [];
  for (const [lo, hi] of r.ranges) points = points.length === 0 ? pointsBetween(series, lo, hi) : points.concat(pointsBetween(series, lo, hi));
  return { kind: r.kind, scope: r.scope, points };
}

function sample(c: { kind: BaselineKind; scope: 'deploy' | 'control'; points: Point[] }, fellBackFrom: BaselineKind | null): BaselineSample | null {
  const values = c.points.map((p) => p[1]);
  const stats = medianAndSpread(values);
  if (stats === null) return null;
  const times = c.points.map((p) => p[0]);
  let from = Infinity;
  let to = -Infinity;
  for (const t of times) {
    from = Math.min(from, t);
    to = Math.max(to, t);
  }
  return {
    times,
    values,
    scope: c.scope,
    evidence: {
      kind: c.kind,
      fellBackFrom,
      median: stats.median,
      spread: stats.spread,
      count: values.length,
      from,
      to,
    },
  };
}
