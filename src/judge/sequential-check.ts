// A rule's sequential test over its window: the test martingale after every window point, derived from the data alone.
import type { Direction } from '../rules/schema.js';
import type { BaselineSample } from './baseline.js';
import { ConformalBets, ConformalPValues, dispersion, logMeanExp, poissonMixtureLogE, poissonRateUpper } from './stats/sequential.js';
import { observedAt } from './steps.js';
import type { Point, TestEvidence } from './types.js';

type Sequential = Extract<TestEvidence, { test: 'sequential-counts' | 'sequential-shift' }>;
/** A sequential test's evidence without the martingale's values (added per step). */
type SequentialFacts = Sequential extends infer T ? (T extends Sequential ? Omit<T, 'eValue' | 'pValue' | 'threshold'> : never) : never;

/** The sequential test's state after each window point: times ascending, ln M and its running maximum. */
export interface SequentialPath {
  times: number[];
  logE: number[];
  /** The maximum of logE up to each point (the anytime p-value is 1 / exp of it). */
  best: number[];
  /** Everything the finding shows, per point (the counts so far, or the number of points). */
  evidence: SequentialFacts[];
  /** The e-value a step must reach: 1/alpha (2/alpha for counts, half the alpha going to the baseline rate's bound). */
  threshold: number;
}

/**
 * A path that grows: `add` appends window points later than its last one. Each point's value depends only on the
 * points up to it, so a path grown tick by tick equals the path computed at once (the incremental judge keeps one
 * per rule between ticks instead of recomputing it over the whole window at every tick).
 */
export interface GrowingPath {
  path: SequentialPath;
  /** Takes the window's points after those taken before (the window so far, whose earlier points must be unchanged). */
  add(window: readonly Point[]): void;
  /** Time of the last window point taken (-Infinity: none): a change in the data at or before it invalidates the path. */
  readonly takenUntil: number;
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
  const growing = growingShiftPath(input);
  growing.add(input.window);
  return growing.path;
}

/** shiftPath, growing (`level` may be replaced by the caller's current one before each add). */
export function growingShiftPath(input: Omit<ShiftInput, 'window'>): GrowingPath & { level: (t: number) => number } {
  const { baseline, direction, tolerance, alpha } = input;
  const reference = baseline.values.map((v) => v - baseline.evidence.median);
  const side = (sign: 1 | -1): { p: ConformalPValues; bets: ConformalBets } => ({
    p: new ConformalPValues(reference.map((r) => sign * r)),
    bets: new ConformalBets(),
  });
  const up = direction === 'decrease' ? null : side(1);
  const down = direction === 'increase' ? null : side(-1);
  const alternative = direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two-sided';
  const path: SequentialPath = { times: [], logE: [], best: [], evidence: [], threshold: 1 / alpha };
  let taken = 0;
  const growing = {
    path,
    level: input.level,
    takenUntil: -Infinity,
    add(window: readonly Point[]): void {
      for (let i = taken; i < window.length; i++) {
        const t = window[i]![0];
        const v = window[i]![1];
        const level = growing.level(t);
        // Each side's residual: the point's move from the level (up, or down), less the tolerance.
        const logs: number[] = [];
        if (up) logs.push(up.bets.next(up.p.next(v - level - tolerance * Math.abs(level))));
        if (down) logs.push(down.bets.next(down.p.next(-(v - level) - tolerance * Math.abs(level))));
        push(path, t, logMeanExp(logs), { test: 'sequential-shift' as const, alternative, n: path.times.length + 1, baselineN: reference.length });
      }
      taken = window.length;
      growing.takenUntil = window.at(-1)?.[0] ?? growing.takenUntil;
    },
  };
  return growing;
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
  const growing = growingCountsPath(input);
  growing?.add(input.window);
  return growing && growing.path.times.length > 0 ? growing.path : null;
}

/** countsPath, growing (`traffic` may be replaced by the caller's current series before each add); null without baseline traffic. */
export function growingCountsPath(input: Omit<CountsInput, 'window'>): (GrowingPath & { traffic: readonly Point[] }) | null {
  const { baseline, baselineTraffic, spacing, tolerance, alpha } = input;
  const base = perPoint(baseline.times, baseline.values, baselineTraffic, spacing);
  if (base.length === 0) return null;
  const phi = dispersion(base);
  const events0 = base.reduce((s, c) => s + c.events, 0);
  const exposure0 = base.reduce((s, c) => s + c.exposure, 0);
  if (exposure0 <= 0) return null;
  const rateBound = poissonRateUpper(events0 / phi, exposure0 / phi, alpha / 2);
  let errors = 0;
  let requests = 0;
  const path: SequentialPath = { times: [], logE: [], best: [], evidence: [], threshold: 2 / alpha };
  let taken = 0;
  const growing = {
    path,
    traffic: input.traffic,
    takenUntil: -Infinity,
    add(window: readonly Point[]): void {
      const added = window.slice(taken);
      const points = perPoint(
        added.map((p) => p[0]),
        added.map((p) => p[1]),
        growing.traffic,
        spacing,
      );
      for (const c of points) {
        errors += c.events;
        requests += c.exposure;
        const logE = poissonMixtureLogE({ events: errors / phi, expected: (rateBound * requests) / phi, s: 1 + tolerance });
        push(path, c.t, logE, {
          test: 'sequential-counts',
          errors: round(errors),
          requests: round(requests),
          baselineRate: events0 / exposure0,
          rateBound,
          dispersion: phi,
        });
      }
      taken = window.length;
      growing.takenUntil = window.at(-1)?.[0] ?? growing.takenUntil;
    },
  };
  return growing;
}

function push(path: SequentialPath, t: number, logE: number, evidence: SequentialFacts): void {
  path.times.push(t);
  path.logE.push(logE);
  path.best.push(Math.max(path.best.at(-1) ?? -Infinity, logE));
  path.evidence.push(evidence);
}

function perPoint(
  times: readonly number[],
  rates: readonly number[],
  traffic: readonly Point[],
  spacing: number,
): Array<{ t: number; events: number; exposure: number }> {
  const out: Array<{ t: number; events: number; exposure: number }> = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const rate = rates[i]!;
    const rps = observedAt(traffic, t, spacing);
    if (rps === null || !(rps >= 0) || !(rate >= 0)) continue;
    out.push({ t, events: rate * rps * spacing, exposure: rps * spacing });
  }
  return out;
}

/** The test as of step t (the last window point at or before t), or null before the first window point. */
export function sequentialAt(path: SequentialPath, t: number): TestEvidence | null {
  let lo = 0;
  let hi = path.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (path.times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0) return null;
  const eValue = Math.exp(path.logE[i]!);
  return { ...path.evidence[i]!, eValue, threshold: path.threshold, pValue: Math.min(1, Math.exp(-path.best[i]!)) } as TestEvidence;
}

function round(x: number): number {
  return Number(x.toFixed(3));
}
