// A rule's sequential test over its window: the test martingale after every window point, derived from the data alone.
import type { Direction } from '../rules/schema.js';
import type { BaselineSample } from './baseline.js';
import { conformalLogPath, conformalPValues, dispersion, logMeanExp, poissonMixtureLogE, poissonRateUpper } from './stats/sequential.js';
import { firstAfter, observedAt } from './steps.js';
import type { Point, TestEvidence } from './types.js';

type Sequential = Extract<TestEvidence, { test: 'sequential-counts' | 'sequential-shift' }>;
/** A sequential test's evidence without the martingale's values (added per step). */
type SequentialFacts = Sequential extends infer T ? (T extends Sequential ? Omit<T, 'eValue' | 'pValue' | 'threshold'> : never) : never;

/** The sequential test's state after each window point: times ascending, ln M and its running maximum. */
export interface SequentialPath {
  times: number[];
  logE: number[];
  /** Everything the finding shows, per point (the counts so far, or the number of points). */
  evidence: SequentialFacts[];
  /** The e-value a step must reach: 1/alpha (2/alpha for counts, half the alpha going to the baseline rate's bound). */
  threshold: number;
}

export interface ShiftInput {
  /** Window points after the warm-up, ascending. */
  window: readonly Point[];
  baseline: BaselineSample;
  /** Expected level at a time (the baseline median, or a seasonal / trend model's level). */
  level: (t: number) => number;
  direction: Direction;
  tolerance: number;
  alpha: number;
}

/**
 * Conformal test of "the window is no worse than the baseline": each window point becomes its residual from
 * the expected level, moved by the tolerance (H0: no worse than level ± tolerance·|level|), and is ranked among
 * the baseline's residuals and the window's earlier residuals. `either` averages the two one-sided martingales
 * (an average of test martingales is one), so one threshold 1/alpha covers both directions.
 */
export function shiftPath(input: ShiftInput): SequentialPath {
  const { window, baseline, level, direction, tolerance, alpha } = input;
  const reference = baseline.points.map(([, v]) => v - baseline.evidence.median);
  const side = (sign: 1 | -1): number[] => {
    const values = window.map(([t, v]) => sign * (v - level(t)) - tolerance * Math.abs(level(t)));
    return conformalLogPath(conformalPValues(reference.map((r) => sign * r), values));
  };
  const up = direction === 'decrease' ? null : side(1);
  const down = direction === 'increase' ? null : side(-1);
  const logE = window.map((_, i) => logMeanExp([up?.[i], down?.[i]].filter((x): x is number => x !== undefined)));
  const alternative = direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two-sided';
  return {
    times: window.map((p) => p[0]),
    logE,
    evidence: window.map((_, i) => ({ test: 'sequential-shift' as const, alternative, n: i + 1, baselineN: reference.length })),
    threshold: 1 / alpha,
  };
}

export interface CountsInput {
  window: readonly Point[];
  baseline: BaselineSample;
  /** Throughput of the deploy and of the baseline's scope. */
  traffic: readonly Point[];
  baselineTraffic: readonly Point[];
  spacing: number;
  tolerance: number;
  alpha: number;
}

/**
 * Poisson rate-ratio test of the window's errors against the baseline: errors = rate x req/s x spacing per
 * point. The baseline rate is taken at its exact upper confidence bound at level alpha/2, so its own sampling
 * error is paid for; the martingale gets the other alpha/2. Counts are divided by the baseline's quasi-Poisson
 * dispersion. Null when there is no traffic to count requests with.
 */
export function countsPath(input: CountsInput): SequentialPath | null {
  const { window, baseline, traffic, baselineTraffic, spacing, tolerance, alpha } = input;
  const base = perPoint(baseline.points, baselineTraffic, spacing);
  const own = perPoint(window, traffic, spacing);
  if (base.length === 0 || own.length === 0) return null;
  const phi = dispersion(base);
  const events0 = base.reduce((s, c) => s + c.events, 0);
  const exposure0 = base.reduce((s, c) => s + c.exposure, 0);
  if (exposure0 <= 0) return null;
  const rateBound = poissonRateUpper(events0 / phi, exposure0 / phi, alpha / 2);
  let errors = 0;
  let requests = 0;
  const logE: number[] = [];
  const evidence: SequentialPath['evidence'] = [];
  for (const c of own) {
    errors += c.events;
    requests += c.exposure;
    logE.push(poissonMixtureLogE({ events: errors / phi, expected: (rateBound * requests) / phi, s: 1 + tolerance }));
    evidence.push({ test: 'sequential-counts', errors: round(errors), requests: round(requests), baselineRate: events0 / exposure0, rateBound, dispersion: phi });
  }
  return { times: own.map((c) => c.t), logE, evidence, threshold: 2 / alpha };
}

function perPoint(points: readonly Point[], traffic: readonly Point[], spacing: number): Array<{ t: number; events: number; exposure: number }> {
  const out: Array<{ t: number; events: number; exposure: number }> = [];
  for (const [t, rate] of points) {
    const rps = observedAt(traffic, t, spacing);
    if (rps === null || !(rps >= 0) || !(rate >= 0)) continue;
    out.push({ t, events: rate * rps * spacing, exposure: rps * spacing });
  }
  return out;
}

/** The test as of step t (the last window point at or before t), or null before the first window point. */
export function sequentialAt(path: SequentialPath, t: number): TestEvidence | null {
  const i = firstAfter(path.times.map((x): Point => [x, 0]), t) - 1;
  if (i < 0) return null;
  let best = -Infinity;
  for (let k = 0; k <= i; k++) best = Math.max(best, path.logE[k]!);
  const eValue = Math.exp(path.logE[i]!);
  return { ...path.evidence[i]!, eValue, threshold: path.threshold, pValue: Math.min(1, Math.exp(-best)) } as TestEvidence;
}

function round(x: number): number {
  return Number(x.toFixed(3));
}
