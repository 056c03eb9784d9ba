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
 */
export function countTest(input: CountTestInput): CountTestResult {
  const { errors, requests, baselineErrors, baselineRequests, baselineRate, tolerance } = input;
  const scale = 1 + tolerance;
  if (baselineErrors !== null && baselineRequests !== null && baselineRequests > 0) {
    const k = errors + baselineErrors;
    const pi = (requests * scale) / (requests * scale + baselineRequests);
    return { test: 'conditional-binomial', expected: k * pi, pValue: binomialSf(errors, k, pi) };
  }
  const lambda = requests * baselineRate * scale;
  return { test: 'poisson', expected: lambda, pValue: poissonSf(errors, lambda) };
}
