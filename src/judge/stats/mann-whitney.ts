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
 * P(U >= u) under H0 for samples of sizes m and n, from the exact distribution (memoized per size pair; see
 * upperTails).
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

/**
 * P(U >= v) for v = 0..m·n, for samples of sizes m <= n. The number of orderings with U = u is the number of
 * partitions of u into at most m parts of at most n each: the coefficient of q^u in the Gaussian binomial
 * [m+n choose m]_q = ∏_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Dividing by each (1 - q^i) is a running sum, multiplying by
 * each (1 - q^(n+i)) a shifted difference: O(m² n) additions, where the recurrence over every smaller pair of sizes
 * (N(u; m, n) = N(u - n; m - 1, n) + N(u; m, n - 1)) took O(m² n²), 145 ms for 10 points against 400 (a first
 * judgement of a watch with a day's baseline). Only the lower half is computed, the distribution being symmetric
 * (N(u) = N(m·n - u)), so the differences never cancel large counts down to the small ones of the far tail. Counts up
 * to 2^53 are exact, and the tail then exactly the recurrence's (test/judge/stats/statistics.test.ts).
 */
export function upperTails(m: number, n: number): Float64Array {
  const max = m * n;
  const half = Math.floor(max / 2);
  const count = new Float64Array(max + 1);
  count[0] = 1;
  // Partitions of u into parts of at most m (equally: into at most m parts)…
  for (let i = 1; i <= m; i++) for (let u = i; u <= half; u++) count[u]! += count[u - i]!;
  // …less those with a part above n.
  for (let i = 1; i <= m; i++) for (let u = half, s = n + i; u >= s; u--) count[u]! -= count[u - s]!;
  for (let u = half + 1; u <= max; u++) count[u] = count[max - u]!;
  let total = 0;
  for (let u = 0; u <= max; u++) total += count[u]!;
  const sf = new Float64Array(max + 1);
  let acc = 0;
  for (let v = max; v >= 0; v--) {
    acc += count[v]!;
    sf[v] = acc / total;
  }
  return sf;
}

function tiesAcross(x: readonly number[], y: readonly number[]): boolean {
  const ys = new Set(y);
  return x.some((v) => ys.has(v));
}
