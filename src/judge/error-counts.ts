// Error-rate rules judged on counts: the errors and requests behind rate points, and the count test on them.
import type { BaselineSample } from './baseline.js';
import { countTest } from './stats/count-test.js';
import { observedAt } from './steps.js';
import type { Point, TestEvidence } from './types.js';

/** Errors and requests behind rate points (whole numbers for the test, exact sums for rates). */
export interface Counts {
  errors: number;
  requests: number;
  exactErrors: number;
  exactRequests: number;
}

/**
 * Errors and requests behind n rate points (the i-th at timeAt(i), of rateAt(i)): rate x throughput x the seconds
 * each point stands for (`spacing`), rounded to whole numbers; null without traffic.
 */
function sumCounts(n: number, timeAt: (i: number) => number, rateAt: (i: number) => number, traffic: readonly Point[], spacing: number): Counts | null {
  let errors = 0;
  let requests = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const rps = observedAt(traffic, timeAt(i), spacing);
    if (rps === null) continue;
    requests += rps * spacing;
    errors += rateAt(i) * rps * spacing;
    counted++;
  }
  return counted === 0 ? null : { errors: Math.round(errors), requests: Math.round(requests), exactErrors: errors, exactRequests: requests };
}

/** The counts behind rate points (see sumCounts). */
export function windowCounts(points: readonly Point[], traffic: readonly Point[], spacing: number): Counts | null {
  return sumCounts(
    points.length,
    (i) => points[i]![0],
    (i) => points[i]![1],
    traffic,
    spacing,
  );
}

/** windowCounts of points[start, end), without a copy of them (the step check asks at every step of a count rule). */
export function countsIn(points: readonly Point[], start: number, end: number, traffic: readonly Point[], spacing: number): Counts | null {
  return sumCounts(
    end - start,
    (i) => points[start + i]![0],
    (i) => points[start + i]![1],
    traffic,
    spacing,
  );
}

/** windowCounts of points given as times and rates (a baseline's). */
export function countsOf(times: readonly number[], rates: readonly number[], traffic: readonly Point[], spacing: number): Counts | null {
  return sumCounts(
    times.length,
    (i) => times[i]!,
    (i) => rates[i]!,
    traffic,
    spacing,
  );
}

/** The count test of a window's counts against the baseline's (or its mean rate without them), as evidence. */
export function errorCountTest(counts: Counts, base: Counts | null, baseline: BaselineSample, tolerance: number, dispersion: number): TestEvidence {
  const mean = baseline.values.reduce((s, v) => s + v, 0) / baseline.values.length;
  // What the test is given is also what the evidence shows, in this order.
  const counted = { errors: counts.errors, requests: counts.requests, baselineErrors: base?.errors ?? null, baselineRequests: base?.requests ?? null };
  const r = countTest({ ...counted, baselineRate: mean, tolerance, dispersion });
  return { test: r.test, ...counted, expected: r.expected, pValue: r.pValue, ...(dispersion > 1 ? { dispersion: Number(dispersion.toPrecision(4)) } : {}) };
}
