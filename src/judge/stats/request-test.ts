// Did requests fall to (near) zero? A lower-tail count test against the baseline, robust to bursty traffic.
import { betaInc, gammaQ } from './special.js';

export interface RequestTestInput {
  /** Requests served in the lookback's known steps (whole or not: rates x seconds). */
  requests: number;
  /** How many steps those requests were counted over. */
  steps: number;
  /** Requests per step in the baseline (throughput x interval for each baseline point). */
  baselineCounts: readonly number[];
  /** H0: the service still serves at least baseline mean x (1 - tolerance) a step. */
  tolerance: number;
}

export interface RequestTestResult {
  /** Requests expected over the steps under H0. */
  expected: number;
  /** Negative-binomial shape r fitted to the baseline; null when the baseline is not overdispersed (Poisson). */
  dispersion: number | null;
  /** P(X <= requests) under H0. */
  pValue: number;
}

/**
 * One-sided test that the service serves less than baseline x (1 - tolerance). Per-step request counts are
 * modelled as negative binomial with the baseline's mean and variance (method of moments), because real traffic is
 * burstier than Poisson: a quiet service whose baseline already had empty minutes cannot be called down by one
 * more. Under H0 each step has mean m0 = mean x (1 - tolerance) and the baseline's shape r, so k steps sum to
 * NB(k·r, p = r / (r + m0)) and P(X <= x) = I_p(k·r, x + 1). Without overdispersion: Poisson, P = Q(x + 1, k·m0).
 * Null when the baseline has no steps.
 */
export function requestTest(input: RequestTestInput): RequestTestResult | null {
  const { baselineCounts, steps, tolerance } = input;
  const n = baselineCounts.length;
  if (n === 0 || steps <= 0) return null;
  const mean = baselineCounts.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? baselineCounts.reduce((a, c) => a + (c - mean) ** 2, 0) / (n - 1) : 0;
  const m0 = mean * Math.max(0, 1 - tolerance);
  const expected = m0 * steps;
  const observed = Math.floor(input.requests);
  if (m0 <= 0) return { expected, dispersion: null, pValue: 1 };
  if (variance <= mean) return { expected, dispersion: null, pValue: gammaQ(observed + 1, expected) };
  const r = (mean * mean) / (variance - mean);
  return { expected, dispersion: r, pValue: betaInc(steps * r, observed + 1, r / (r + m0)) };
}

/**
 * Without throughput data: how unlikely `silent` silent steps out of `steps` are, given the service was silent at
 * `baselineSilent` of `baselineSteps` steps before the deploy (rate estimated with a +1/+2 correction, so a
 * never-silent hour is still not proof of never): P = q^silent when every step is silent, 1 otherwise.
 */
export function silentStepsTest(silent: number, steps: number, baselineSilent: number, baselineSteps: number): number {
  if (steps === 0 || silent < steps) return 1;
  const q = (baselineSilent + 1) / (baselineSteps + 2);
  return q ** silent;
}
