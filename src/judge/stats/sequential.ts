// Anytime-valid sequential tests: test martingales whose false-alarm bound holds however often they are checked.
// Ville's inequality: for a non-negative supermartingale M with M_0 = 1 under H0, P(sup_t M_t >= 1/alpha) <= alpha.
import { gammaP, gammaQ, logGamma } from './special.js';

/** Shape and rate of the Gamma prior on the rate ratio θ (before truncation to θ >= s): mean 2, heavy right tail. */
export const RATIO_PRIOR = { shape: 1, rate: 0.5 } as const;

export interface PoissonMixtureInput {
  /** Events (errors) seen since the start of the test (may be fractional after dispersion scaling). */
  events: number;
  /** Events expected under rate ratio 1: Σ requests x baseline rate. */
  expected: number;
  /** H0: ratio <= s (1 + tolerance). */
  s: number;
}

/**
 * ln M for the Gamma-mixture Poisson martingale against H0: θ <= s (cf. Lindon, Sanden & Shirikian, KDD 2022):
 *
 *   M = ∫_s^∞ (θ/s)^E · e^{−(θ−s)Λ} π(θ) dθ,   π = Gamma(a, b) truncated to [s, ∞)
 *     = s^{−E} e^{sΛ} · b^a Γ(a+E) Q(a+E, (b+Λ)s) / (Γ(a) Q(a, bs) (b+Λ)^{a+E})
 *
 * with E the events and Λ the events expected at ratio 1, Q the regularized upper incomplete gamma. Each
 * likelihood ratio (θ/s)^E e^{−(θ−s)Λ} with θ >= s is a supermartingale under any true ratio <= s, so the
 * mixture is one too. −Infinity when the evidence points far below the null (M underflows to 0).
 */
export function poissonMixtureLogE(input: PoissonMixtureInput, prior: { shape: number; rate: number } = RATIO_PRIOR): number {
  const { events: e, expected: lambda, s } = input;
  const { shape: a, rate: b } = prior;
  const upper = gammaQ(a + e, (b + lambda) * s);
  if (upper <= 0) return -Infinity;
  return (
    -e * Math.log(s) +
    s * lambda +
    a * Math.log(b) +
    logGamma(a + e) +
    Math.log(upper) -
    logGamma(a) -
    Math.log(gammaQ(a, b * s)) -
    (a + e) * Math.log(b + lambda)
  );
}

/**
 * Upper confidence bound of a Poisson rate at level 1 − delta from `events` over `exposure` (Garwood, exact):
 * the x with P(a = events + 1, x) = 1 − delta, divided by the exposure. Bisection to 1e-12 relative.
 */
export function poissonRateUpper(events: number, exposure: number, delta: number): number {
  const a = events + 1;
  let lo = 0;
  let hi = Math.max(10, 2 * a);
  while (gammaP(a, hi) < 1 - delta) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < 1 - delta) lo = mid;
    else hi = mid;
  }
  return hi / exposure;
}

/**
 * Quasi-Poisson dispersion of per-point counts against their pooled rate: Pearson χ² / (k − 1), at least 1.
 * Real error counts wander more than Poisson; dividing counts and expectations by it keeps the test honest.
 */
export function dispersion(counts: ReadonlyArray<{ events: number; exposure: number }>): number {
  const events = counts.reduce((s, c) => s + c.events, 0);
  const exposure = counts.reduce((s, c) => s + c.exposure, 0);
  if (counts.length < 2 || events <= 0 || exposure <= 0) return 1;
  const rate = events / exposure;
  let chi2 = 0;
  for (const c of counts) {
    const mu = c.exposure * rate;
    if (mu > 0) chi2 += (c.events - mu) ** 2 / mu;
  }
  return Math.max(1, chi2 / (counts.length - 1));
}

/**
 * Betting functions f(p) = 1 − w + (w/κ)·1{p <= κ}, each integrating to 1 over p ∈ [0, 1], one component per κ,
 * mixed with equal weights. The stake w is predictable (chosen from the past only, which keeps the product a
 * supermartingale): `low` while nothing unusual is seen, so a healthy stretch before a regression costs little,
 * `high` right after a p-value at or below κ, so a regression that persists is confirmed within a few points.
 */
export const BETS: ReadonlyArray<{ kappa: number; low: number; high: number }> = [0.02, 0.05, 0.2].map((kappa) => ({ kappa, low: 0.2, high: 0.9 }));

/**
 * Conservative conformal p-values of a sequence against a reference sample, for "larger than usual": the i-th
 * value's p = #{z in reference ∪ values[0..i] : z >= values[i]} / (|reference| + i + 1). Under exchangeability of
 * the reference and the values these are stochastically larger than independent uniforms (Vovk et al.,
 * Algorithmic Learning in a Random World, §7 and §8), so products of decreasing betting functions of them are
 * supermartingales. The reference grows with the values already seen (that is what keeps them independent).
 */
export function conformalPValues(reference: readonly number[], values: readonly number[]): number[] {
  const p = new ConformalPValues(reference);
  return values.map((v) => p.next(v));
}

/** conformalPValues one value at a time (the reference sorted once; the values seen so far kept). */
export class ConformalPValues {
  private readonly sorted: number[];
  private readonly seen: number[] = [];

  constructor(reference: readonly number[]) {
    this.sorted = [...reference].sort((a, b) => a - b);
  }

  next(v: number): number {
    const { sorted, seen } = this;
    let seenAbove = 0;
    for (let i = 0; i < seen.length; i++) if (seen[i]! >= v) seenAbove++;
    const above = sorted.length - lowerBound(sorted, v) + seenAbove + 1;
    seen.push(v);
    return above / (sorted.length + seen.length);
  }
}

function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * ln of the conformal test martingale after each p-value: the equal-weight mixture over BETS of
 * Π_i f_i(p_i), the stake of f_i set by p_{i−1}. Large when the values keep landing in the upper tail of
 * everything seen before.
 */
export function conformalLogPath(pValues: readonly number[], bets = BETS): number[] {
  const path = new ConformalBets(bets);
  return pValues.map((p) => path.next(p));
}

/** conformalLogPath one p-value at a time: answers ln M after it. */
export class ConformalBets {
  private readonly logs: number[];
  private readonly hot: boolean[];

  constructor(private readonly bets = BETS) {
    this.logs = bets.map(() => 0);
    this.hot = bets.map(() => false);
  }

  next(p: number): number {
    const { bets, logs, hot } = this;
    for (let k = 0; k < bets.length; k++) {
      const { kappa, low, high } = bets[k]!;
      const w = hot[k] ? high : low;
      logs[k]! += Math.log(1 - w + (p <= kappa ? w / kappa : 0));
      hot[k] = p <= kappa;
    }
    return logMeanExp(logs);
  }
}

/** ln(mean(exp(x))) without overflow. */
export function logMeanExp(xs: readonly number[]): number {
  // Loops, not a spread into Math.max and a reduce: every point of every sequential test passes here.
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) max = Math.max(max, xs[i]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += Math.exp(xs[i]! - max);
  return max + Math.log(sum / xs.length);
}
