// Tests on error COUNTS (errors out of requests), so a 2 req/s service is judged on evidence, not on a ratio of tiny numbers.
import { binomialSf, poissonSf } from './special.js';

export interface CountTestInput {
  /** Errors and requests in the evaluated window (whole numbers). */
  errors: number;
  requests: number;
  /** Baseline errors and requests, when the baseline has traffic data; else only its rate is known. */
  baselineErrors: number | null;
  baselineRequests: number | null;
  /** Baseline error rate (used when baseline counts are unknown). */
  baselineRate: number;
  /** H0: window rate ≤ baseline rate × (1 + tolerance). */
  tolerance: number;
  /** Extra-binomial dispersion of the baseline (see errorDispersion); counts are divided by it. Default 1. */
  dispersion?: number;
}

export interface CountTestResult {
  test: 'conditional-binomial' | 'poisson';
  /** Errors expected in the window under H0. */
  expected: number;
  /** One-sided p-value of seeing at least this many errors under H0. */
  pValue: number;
}

/**
 * One-sided test that the window's error rate exceeds the baseline's by more than the tolerance.
 *
 * - With baseline counts: the exact conditional test for two Poisson rates (Przyborowski & Wilenski, 1940):
 *   given K = E1 + E0 errors in all, E1 ~ Binomial(K, π) under H0 with π = N1·s / (N1·s + N0), s = 1 + tolerance.
 *   It accounts for the baseline's own uncertainty (a quiet hour with 3 errors is not a precise rate).
 * - Without baseline counts: E1 ~ Poisson(N1 · rate0 · s), the baseline rate taken as known.
 * - Overdispersed errors (bursts: a flaky dependency, batch clients) make both tests far too confident; every count
 *   is divided by the baseline's dispersion φ first (quasi-binomial), so bursts the service always had are not
 *   evidence. `expected` is in those effective counts.
 */
export function countTest(input: CountTestInput): CountTestResult {
  const { baselineRate, tolerance } = input;
  // Quasi-likelihood: with errors that come in bursts, n requests carry the evidence of n / φ independent ones.
  const phi = Math.max(1, input.dispersion ?? 1);
  const shrink = (x: number): number => Math.round(x / phi);
  const errors = shrink(input.errors);
  const requests = shrink(input.requests);
  const baselineErrors = input.baselineErrors === null ? null : shrink(input.baselineErrors);
  const baselineRequests = input.baselineRequests === null ? null : shrink(input.baselineRequests);
  const scale = 1 + tolerance;
  if (baselineErrors !== null && baselineRequests !== null && baselineRequests > 0) {
    const k = errors + baselineErrors;
    const pi = (requests * scale) / (requests * scale + baselineRequests);
    return { test: 'conditional-binomial', expected: k * pi, pValue: binomialSf(errors, k, pi) };
  }
  const lambda = requests * baselineRate * scale;
  return { test: 'poisson', expected: lambda, pValue: poissonSf(errors, lambda) };
}

/**
 * Pearson dispersion of per-step error counts around the pooled rate: Σ (e - n·p)² / (n·p·(1 - p)) / (k - 1), at
 * least 1. About 1 when errors are independent (binomial); far above 1 when they come in bursts. 1 with fewer than
 * three steps or no errors.
 */
export function errorDispersion(steps: ReadonlyArray<{ errors: number; requests: number }>, block = 1): number {
  if (block > 1) {
    // Bursts last minutes: sums over the lookback's span carry that persistence, which single steps cannot show.
    const sums = steps.slice(block - 1).map((_, i) => {
      const part = steps.slice(i, i + block);
      return { errors: part.reduce((a, s) => a + s.errors, 0), requests: part.reduce((a, s) => a + s.requests, 0) };
    });
    return Math.max(errorDispersion(steps), errorDispersion(sums));
  }
  const used = steps.filter((s) => s.requests > 0);
  if (used.length < 3) return 1;
  const errors = used.reduce((a, s) => a + s.errors, 0);
  const requests = used.reduce((a, s) => a + s.requests, 0);
  const p = errors / requests;
  if (!(p > 0 && p < 1)) return 1;
  const chi2 = used.reduce((a, s) => a + (s.errors - s.requests * p) ** 2 / (s.requests * p * (1 - p)), 0);
  return Math.max(1, chi2 / (used.length - 1));
}
