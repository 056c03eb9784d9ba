// Error-rate rules judged on counts: the errors and requests behind rate points, and the count test on them.
import type { BaselineSample } from './baseline.js';
import { countTest } from './stats/count-test.js';
import { pointsAfter, type Cursor } from './steps.js';
import type { Point, TestEvidence } from './types.js';

/** Errors and requests behind rate points (whole numbers for the test, exact sums for rates). */
export interface Counts {
  errors: number;
  requests: number;
  exactErrors: number;
  exactRequests: number;
}

/**
 * Errors and requests behind rate points: rate x throughput x the seconds each point stands for (`spacing`), the
 * throughput being the latest point in (t - spacing, t] (observedAt), rounded to whole numbers; null without traffic.
 * The points' times ascend, so the throughput is found by walking on from the previous point's (pointsAfter).
 */
class CountSum {
  private errors = 0;
  private requests = 0;
  private counted = 0;
  private readonly cursor: Cursor = { t: NaN, i: 0 };

  constructor(
    private readonly traffic: readonly Point[],
    private readonly spacing: number,
  ) {}

  add(t: number, rate: number): void {
    const { traffic, spacing } = this;
    const latest = traffic[pointsAfter(traffic, t, this.cursor) - 1];
    if (latest === undefined || !(latest[0] > t - spacing)) return;
    const rps = latest[1];
    this.requests += rps * spacing;
    this.errors += rate * rps * spacing;
    this.counted++;
  }

  counts(): Counts | null {
    const { errors, requests } = this;
    return this.counted === 0 ? null : { errors: Math.round(errors), requests: Math.round(requests), exactErrors: errors, exactRequests: requests };
  }
}

/** The counts behind rate points (see CountSum). */
export function windowCounts(points: readonly Point[], traffic: readonly Point[], spacing: number): Counts | null {
  return countsIn(points, 0, points.length, traffic, spacing);
}

/** windowCounts of points[start, end), without a copy of them (the step check asks at every step of a count rule). */
export function countsIn(points: readonly Point[], start: number, end: number, traffic: readonly Point[], spacing: number): Counts | null {
  const sum = new CountSum(traffic, spacing);
  for (let i = start; i < end; i++) sum.add(points[i]![0], points[i]![1]);
  return sum.counts();
}

/** windowCounts of points given as times and rates (a baseline's). */
export function countsOf(times: readonly number[], rates: readonly number[], traffic: readonly Point[], spacing: number): Counts | null {
  const sum = new CountSum(traffic, spacing);
  for (let i = 0; i < times.length; i++) sum.add(times[i]!, rates[i]!);
  return sum.counts();
}

/** The count test of a window's counts against the baseline's (or its mean rate without them), as evidence. */
export function errorCountTest(counts: Counts, base: Counts | null, baseline: BaselineSample, tolerance: number, dispersion: number): TestEvidence {
  const mean = baseline.values.reduce((s, v) => s + v, 0) / baseline.values.length;
  // What the test is given is also what the evidence shows, in this order.
  const counted = { errors: counts.errors, requests: counts.requests, baselineErrors: base?.errors ?? null, baselineRequests: base?.requests ?? null };
  const r = countTest({ ...counted, baselineRate: mean, tolerance, dispersion });
  return { test: r.test, ...counted, expected: r.expected, pValue: r.pValue, ...(dispersion > 1 ? { dispersion: Number(dispersion.toPrecision(4)) } : {}) };
}
