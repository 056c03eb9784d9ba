// Mann-Whitney U (Wilcoxon rank-sum) with tie correction and continuity correction, as scipy's 'asymptotic' method.
import { normalSf } from './special.js';

/** Which way the test looks: `greater` = x tends to be larger than y. */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the first sample (scipy's `statistic`): pairs (xi, yj) with xi > yj, ties counting one half. */
  u: number;
  /** Standardized statistic used for the p-value (tie- and continuity-corrected). */
  z: number;
  /** p-value for `alternative`; 1 when a sample is empty or every value ties. */
  pValue: number;
}

/** Mid-ranks (1-based) of values, ties sharing the mean of their ranks, and Σ(t³ − t) over tie groups. */
export function midRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * How the p-value is computed. `auto` is exact when the smaller sample has at most 10 values and no value of x
 * equals a value of y: ties inside one sample (a baseline with repeated readings) leave U unchanged, and the
 * untied exact distribution is then used as an approximation; ties across the samples use the normal one.
 */
export type Method = 'auto' | 'exact' | 'asymptotic';

/**
 * Mann-Whitney U test of x against y. `asymptotic`: the normal approximation with tie correction of the
 * variance and continuity correction — scipy.stats.mannwhitneyu(x, y, alternative, method='asymptotic').
 * `exact`: the exact null distribution of U (no ties) — scipy's method='exact'. The default `auto` uses the
 * exact test for a handful of recent points against a baseline, where the normal tail is far too coarse (3
 * points above all of 60 baseline points: exact p = 1/C(63,3) = 2.5e-5, normal approximation 0.002).
 * The statistic is two-sided (U of x); the decision is one-sided when `alternative` is.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative, method: Method = 'auto'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const { ranks, tieTerm } = midRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  return fromRankSum(n1, n2, r1, tieTerm, () => tiesAcross(x, y), alternative, method);
}

/** A sample sorted once for many tests against it (a baseline): its values ascending and its own Σ(t³ − t). */
export interface RankedSample {
  sorted: Float64Array;
  tieTerm: number;
}

export function rankedSample(y: readonly number[]): RankedSample {
  const sorted = Float64Array.from(y).sort();
  let tieTerm = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { sorted, tieTerm };
}

/**
 * mannWhitneyU(x, y) with y given sorted (rankedSample): the same numbers (rank sums and tie terms are exact
 * half-integer and integer arithmetic), in O(|x| log |y|) instead of sorting both samples at every call.
 */
export function mannWhitneyRanked(x: readonly number[], y: RankedSample, alternative: Alternative, method: Method = 'auto'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.sorted.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const xs = sortedCopy(x);
  let r1 = 0;
  let tieTerm = y.tieTerm;
  let across = false;
  for (let i = 0; i < n1;) {
    let j = i;
    while (j + 1 < n1 && xs[j + 1] === xs[i]) j++;
    const cx = j - i + 1;
    const lessY = bound(y.sorted, xs[i]!, false);
    const eqY = bound(y.sorted, xs[i]!, true) - lessY;
    const t = cx + eqY;
    // The group's positions in the combined order start after every smaller value of either sample.
    r1 += cx * (lessY + i + (t + 1) / 2);
    tieTerm += t * t * t - t - (eqY * eqY * eqY - eqY);
    if (eqY > 0) across = true;
    i = j + 1;
  }
  return fromRankSum(n1, n2, r1, tieTerm, () => across, alternative, method);
}

/**
 * x ascending, as the (stable) comparator sort (a, b) => a - b orders it: by stable insertion sort for the few recent
 * points a step tests (no call per comparison); with a NaN, which that comparator leaves in no consistent order, by
 * that sort itself.
 */
function sortedCopy(x: readonly number[]): number[] {
  const xs = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v || x.length > 32) return [...x].sort((a, b) => a - b);
    let j = i;
    for (; j > 0 && v < xs[j - 1]!; j--) xs[j] = xs[j - 1]!;
    xs[j] = v;
  }
  return xs;
}

/** Index of the first value >= v (or > v when `after`) in an ascending array. */
function bound(sorted: Float64Array, v: number, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v || (after && sorted[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function fromRankSum(
  n1: number,
  n2: number,
  r1: number,
  tieTerm: number,
  tiesAcrossSamples: () => boolean,
  alternative: Alternative,
  method: Method,
): MannWhitneyResult {
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u: u1, z: 0, pValue: 1 };
  const [u, factor] = alternative === 'greater' ? [u1, 1] : alternative === 'less' ? [u2, 1] : [Math.max(u1, u2), 2];
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  const small = Math.min(n1, n2) <= EXACT_MAX_SMALL && Math.max(n1, n2) <= EXACT_MAX_LARGE;
  const exact = method === 'exact' || (method === 'auto' && small && (tieTerm === 0 || !tiesAcrossSamples()));
  const tail = exact ? exactUpperTail(n1, n2, u) : normalSf(z);
  return { u: u1, z, pValue: Math.min(1, factor * tail) };
}

const EXACT_MAX_SMALL = 10;
const EXACT_MAX_LARGE = 400;
const tails = new Map<string, Float64Array>();

/**
 * P(U >= u) under H0 for samples of sizes m and n, from the exact distribution (memoized per size pair).
 * Recurrence on the largest value: it belongs to x (U gains n) or to y (U gains 0):
 * N(u; m, n) = N(u - n; m - 1, n) + N(u; m, n - 1).
 */
export function exactUpperTail(m: number, n: number, u: number): number {
  const key = m <= n ? `${m},${n}` : `${n},${m}`;
  let sf = tails.get(key);
  if (!sf) {
    sf = upperTails(Math.min(m, n), Math.max(m, n));
    tails.set(key, sf);
  }
  const k = Math.ceil(u - 1e-9);
  if (k <= 0) return 1;
  return k >= sf.length ? 0 : sf[k]!;
}

function upperTails(m: number, n: number): Float64Array {
  // counts[j][i] = distribution of U for sizes (i, j), as arrays over u = 0..i·j.
  let previous: Float64Array[] = Array.from({ length: m + 1 }, (_, i) => (i === 0 ? Float64Array.of(1) : Float64Array.of(1)));
  for (let j = 1; j <= n; j++) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= m; i++) {
      const dist = new Float64Array(i * j + 1);
      const fromX = current[i - 1]!; // sizes (i - 1, j): shift by j
      const fromY = previous[i]!; // sizes (i, j - 1)
      for (let v = 0; v < fromX.length; v++) dist[v + j]! += fromX[v]!;
      for (let v = 0; v < fromY.length; v++) dist[v]! += fromY[v]!;
      current.push(dist);
    }
    previous = current;
  }
  const dist = previous[m]!;
  const total = dist.reduce((a, b) => a + b, 0);
  const sf = new Float64Array(dist.length);
  let acc = 0;
  for (let v = dist.length - 1; v >= 0; v--) {
    acc += dist[v]!;
    sf[v] = acc / total;
  }
  return sf;
}

function tiesAcross(x: readonly number[], y: readonly number[]): boolean {
  const ys = new Set(y);
  return x.some((v) => ys.has(v));
}
