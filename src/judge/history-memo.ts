// What the incremental judge derives from the observations' history and keeps while that history is unchanged.
import { divide } from './evaluate-rule.js';
import type { Point, SeriesSet } from './types.js';

/**
 * Values a tick derives from every point of a series (a day of history at 15 s is 5,760 points a metric) whose
 * part before the deploy stays the same from tick to tick: the session keeps that part here, for one history
 * fingerprint (src/judge/observation-snapshot.ts), and computes only the part after the deploy's start again.
 * Each value is the one the from-scratch code computes over the whole series (the same numbers, not estimates).
 *
 * A series' history is its leading points at or before `startedAt` (what the fingerprint covers); their count is
 * part of the fingerprint, so while it is unchanged the first `n` points are the ones seen when the entry was made.
 */
export class HistoryMemo {
  /** The gaps Silence derives from the history (src/judge/silence.ts silenceGaps). */
  silenceGaps: ReadonlyMap<string, number> | null = null;
  private readonly spacings = new Map<string, { n: number; gaps: Float64Array }>();
  private readonly quotients = new Map<string, { n: number; points: Point[] }>();

  constructor(
    /** The history fingerprint the entries belong to. */
    readonly fingerprint: number,
    private readonly startedAt: number,
  ) {}

  /**
   * pointSpacing(points, interval) (src/judge/step-check.ts): the median positive gap between consecutive points,
   * at most the interval. The history's gaps are kept sorted; the window's few are merged in at each call.
   */
  spacing(metric: string, points: readonly Point[], interval: number): number {
    let kept = this.spacings.get(metric);
    if (!kept) {
      const n = historyLength(points, this.startedAt);
      const gaps: number[] = [];
      for (let i = 1; i < n; i++) {
        const g = points[i]![0] - points[i - 1]![0];
        if (g > 0) gaps.push(g);
      }
      this.spacings.set(metric, (kept = { n, gaps: Float64Array.from(gaps).sort() }));
    }
    // The window's gaps, sorted in a scratch array (no array of them per call).
    if (windowScratch.length < points.length) windowScratch = new Float64Array(points.length);
    let m = 0;
    // Mostly every gap is the same (a source samples at a fixed step): then that gap is the median, nothing to sort.
    const first = kept.gaps.length > 0 ? kept.gaps[0]! : NaN;
    let uniform = first === kept.gaps[kept.gaps.length - 1];
    for (let i = Math.max(1, kept.n); i < points.length; i++) {
      const g = points[i]![0] - points[i - 1]![0];
      if (g > 0) {
        windowScratch[m++] = g;
        uniform &&= g === first;
      }
    }
    if (uniform) return Math.min(interval, first);
    const window = windowScratch.subarray(0, m).sort();
    const count = kept.gaps.length + window.length;
    if (count === 0) return interval;
    const mid = count >> 1;
    const typical = count % 2 === 1 ? kth(kept.gaps, window, mid) : (kth(kept.gaps, window, mid - 1) + kth(kept.gaps, window, mid)) / 2;
    return Math.min(interval, typical);
  }

  /** divide(set[metric], set[per], interval) (src/judge/evaluate-rule.ts), the history's quotients kept. */
  perUnit(scope: 'deploy' | 'control', set: SeriesSet, metric: string, per: string, interval: number): Point[] {
    const points = set[metric] ?? [];
    const divisor = set[per] ?? [];
    const key = JSON.stringify([scope, metric, per]);
    let kept = this.quotients.get(key);
    if (!kept) {
      const n = historyLength(points, this.startedAt);
      this.quotients.set(key, (kept = { n, points: divide(points.slice(0, n), divisor, interval) }));
    }
    // A point at or before the start reads the divisor's points up to it, all in the (unchanged) history.
    return kept.points.concat(divide(points, divisor, interval, kept.n));
  }
}

let windowScratch = new Float64Array(256);

/** The number of leading points at or before `startedAt` (the part of a series the history fingerprint covers). */
function historyLength(points: readonly Point[], startedAt: number): number {
  let n = 0;
  while (n < points.length && points[n]![0] <= startedAt) n++;
  return n;
}

/** The k-th smallest (0-based) of two ascending arrays together, walking the few values of `b` (a sorted merge's k-th). */
function kth(a: Float64Array, b: Float64Array, k: number): number {
  // j values of b and k + 1 - j of a are the k + 1 smallest when each side's last taken is at most the other's next.
  for (let j = Math.max(0, k + 1 - a.length); j <= Math.min(b.length, k + 1); j++) {
    const i = k + 1 - j;
    if ((j === 0 || i === a.length || b[j - 1]! <= a[i]!) && (i === 0 || j === b.length || a[i - 1]! <= b[j]!)) {
      return j === 0 ? a[i - 1]! : i === 0 ? b[j - 1]! : Math.max(a[i - 1]!, b[j - 1]!);
    }
  }
  throw new Error(`kth: no ${k}-th value of ${a.length} + ${b.length}`);
}
