// One rule at one step: the observed value over its lookback, its baseline, the harmful direction and the test.
import type { Direction } from '../rules/schema.js';
import { median, type BaselineSample } from './baseline.js';
import { failsBeforeSlope, theilSenPerHour, whenHolds } from './conditions.js';
import { growingCountsPath, growingShiftPath, sequentialAt, type SequentialPath } from './sequential-check.js';
import { countsIn, errorCountTest, type Counts } from './error-counts.js';
import { mannWhitneyRanked, rankedSample, type Alternative } from './stats/mann-whitney.js';
import { cannotBreach, valueConditionsCannotHold, valueRange } from './clear-bound.js';
import { checkRequests } from './request-check.js';
import {
  baselineAt,
  baselineCenter,
  baselineCounts,
  baselineDispersion,
  derivedOf,
  modelOf,
  usesModel,
  type RuleCache,
  type RuleContext,
} from './rule-context.js';
import { firstAfter, pointsAfter, pointsIn } from './steps.js';
import { breachOutcome, CLEAR, GAP, type StepOutcome } from './outcome.js';
import type { Point, TestEvidence } from './types.js';

export type { StepOutcome } from './outcome.js';

/**
 * Judges one step t, seeing only points up to t:
 * 1. a gap when the metric has no point in (t - interval, t] (a breach instead for `failClosed` rules);
 * 2. observed = median of the points in (t - lookback, t] — a single outlier cannot move a median of three;
 *    without a lookback, the latest point in (t - interval, t]; a lookback of two or more intervals with a
 *    single point in it is a gap;
 * 3. the move from the baseline median must be in the metric's harmful direction;
 * 4. the `when` conditions must hold on observed (ratio and change against the baseline median);
 * 5. the test, if any, must reject "no worse than baseline x (1 + tolerance)" at 1 - confidence; a sequential
 *    test's martingale over the window so far must be at or above its threshold (src/judge/sequential-check.ts).
 * A test that cannot run (`counts` without throughput data, any test without a baseline) falls back to the
 * plain values and demands that every point in the lookback breach (stricter persistence instead of evidence).
 */
export function checkStep(ctx: RuleContext, t: number): StepOutcome {
  const { rule, interval } = ctx;
  if (rule.test === 'requests') return ctx.silence ? checkRequests(ctx, ctx.silence, baselineAt(ctx, t), t) : GAP;
  const series = ctx.series.deploy;
  // The end of (…, t], shared by the latest point and the lookback's points.
  const end = pointsAfter(series, t, ctx.cursors.end);
  const latest = series[end - 1];
  if (latest === undefined || !(latest[0] > t - interval)) {
    return rule.failClosed ? breachOutcome({ observed: null, baseline: null, test: null, points: 0, note: 'no data (fail-closed)' }) : GAP;
  }
  // Without a lookback the step judges the latest point of its interval alone (as `for` rules always have).
  const start = rule.lookback === undefined ? end - 1 : pointsAfter(series, t - rule.lookback, ctx.cursors.start);
  // A lookback of two or more intervals needs two points, or a single outlier would decide alone.
  if (rule.lookback !== undefined && rule.lookback >= 2 * interval && end - start < 2) return GAP;
  // A rule that no value its steps can see could breach (most rules of a healthy deploy) is clear wherever it has data.
  if ((ctx.quiet ??= quietRule(ctx))) return CLEAR;
  // Most steps of most rules are clear: decided here from the lookback's values in a scratch array, allocating nothing.
  const observed = majorityValue(lookbackValues(series, start, end), ctx.direction, end - start);
  const baseline = baselineAt(ctx, t);
  const countsTest = rule.test === 'counts' || rule.test === 'sequential-counts';
  const counts = countsTest ? countsIn(series, start, end, ctx.traffic.deploy, ctx.spacing) : null;
  const baseCounts = counts && baseline ? baselineCounts(ctx, baseline) : null;
  // Error rates: the baseline is the pooled rate (all errors / all requests). The median of per-minute rates
  // of a quiet service is often 0 (most minutes have no error), which would make every error an infinite ratio.
  const center = baselineCenter(baseline, baseCounts);
  if (center !== null && !harmful(ctx.direction, observed, center)) return CLEAR;
  // No test possible (no throughput to count errors, or no baseline to compare with): stricter persistence.
  // A sequential test counts over the whole window, so one step without a throughput point does not stop it.
  const noTraffic = rule.test === 'sequential-counts' ? ctx.traffic.deploy.length === 0 : countsTest && counts === null;
  const fallback = noTraffic || (rule.test !== 'none' && baseline === null);
  const spread = baseline?.evidence.spread ?? null;
  if (!fallback && (ctx.readsSlope ? failsBeforeSlope(rule.when, observed, center, spread) : !whenHolds(rule.when, observed, center, null, spread)))
    return CLEAR;
  return checkHeld(ctx, t, series.slice(start, end), observed, baseline, counts, baseCounts, center, fallback);
}

/**
 * Whether no step of the rule can breach, whatever it is asked (clear-bound.ts): its steps observe values between the
 * lowest and highest point after the deploy's start less the lookback, and are judged against its fixed baseline's
 * median or, for error counts, its pooled rate. Not for baselines that move with the step (control, models).
 */
function quietRule(ctx: RuleContext): boolean {
  const { rule } = ctx;
  if (ctx.baseline.kind === 'control' || usesModel(ctx)) return false;
  const range = valueRange(ctx.series.deploy, ctx.startedAt - Math.max(rule.lookback ?? ctx.interval, ctx.interval));
  if (range === null) return false;
  if (valueConditionsCannotHold(rule.when, range.lo, range.hi)) return true;
  const baseline = baselineAt(ctx, ctx.startedAt);
  const centers: Array<number | null> = [baseline?.evidence.median ?? null];
  if (baseline && (rule.test === 'counts' || rule.test === 'sequential-counts')) {
    const pooled = baselineCenter(baseline, baselineCounts(ctx, baseline));
    if (pooled !== centers[0]) centers.push(pooled);
  }
  return cannotBreach(rule.when, ctx.direction, centers, baseline?.evidence.spread ?? null, range.lo, range.hi);
}

let lookbackScratch = new Float64Array(64);

/** The values of series[start, end) in a scratch array (valid until the next call). */
function lookbackValues(series: readonly Point[], start: number, end: number): Float64Array {
  const n = end - start;
  if (n > lookbackScratch.length) lookbackScratch = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) lookbackScratch[i] = series[start + i]![1];
  return lookbackScratch;
}

/**
 * The rest of checkStep, for a step whose observed value moved in the harmful direction (and whose conditions hold,
 * unless it falls back or reads a slope): the conditions on every point or with the slopes, then the test.
 */
function checkHeld(
  ctx: RuleContext,
  t: number,
  recent: readonly Point[],
  observed: number,
  baseline: BaselineSample | null,
  counts: Counts | null,
  baseCounts: Counts | null,
  center: number | null,
  fallback: boolean,
): StepOutcome {
  const { rule } = ctx;
  const values: number[] = [];
  for (let i = 0; i < recent.length; i++) values.push(recent[i]![1]);
  // The lookback's slope, fitted when a condition reads it (a condition before it may already fail) or a breach shows it.
  let slope: number | null | undefined = ctx.readsSlope ? undefined : null;
  const lookbackSlope = (): number | null => (slope === undefined ? (slope = theilSenPerHour(recent)) : slope);
  // slope(5m): fitted over the most recent points only, so growth that has levelled off clears the rule.
  const slopes = (over: number | undefined): number | null =>
    over === undefined ? lookbackSlope() : theilSenPerHour(pointsIn(ctx.series.deploy, t - over, t));
  const spread = baseline?.evidence.spread ?? null;
  const held = fallback ? values.every((v) => whenHolds(rule.when, v, center, slopes, spread)) : whenHolds(rule.when, observed, center, slopes, spread);
  if (!held) return CLEAR;
  const alpha = 1 - rule.confidence;
  let test: TestEvidence | null = null;
  if (rule.test === 'mann-whitney' && baseline) {
    test = mannWhitney(ctx, values, baseline, recent.length);
  } else if (rule.test === 'counts' && counts && baseline) {
    test = errorCountTest(counts, baseCounts, baseline, rule.tolerance, baselineDispersion(ctx, baseline));
  } else if (rule.test.startsWith('sequential-') && !fallback) {
    const path = sequentialPathOf(ctx, t);
    test = path && sequentialAt(path, t);
    if (test?.test === 'sequential-counts' || test?.test === 'sequential-shift') {
      if (!(test.eValue >= test.threshold)) return CLEAR;
    } else {
      return CLEAR;
    }
  }
  if (test && (test.test === 'mann-whitney' || test.test === 'conditional-binomial' || test.test === 'poisson') && !(test.pValue < alpha)) return CLEAR;
  const why = baseline === null ? 'no baseline to test against' : 'no throughput to count errors';
  const note = fallback ? `${why}: every point in the lookback had to breach` : undefined;
  const judgedAgainst = baseline && center !== baseline.evidence.median ? { ...baseline, evidence: { ...baseline.evidence, pooledRate: center! } } : baseline;
  const shown = lookbackSlope();
  return breachOutcome({ observed, baseline: judgedAgainst, test, points: recent.length, slope: shown ?? undefined, note });
}

/**
 * The value a majority of the lookback points reach in the harmful direction: the median for an odd count;
 * for an even count the less harmful of the two middle values, so that with a gap in the lookback one
 * outlier out of two points still cannot breach.
 */
export function majorityValue(values: ArrayLike<number>, direction: Direction, n = values.length): number {
  if (n % 2 === 1 || direction === 'either') return median(values, n)!;
  // A stable insertion sort in a scratch array orders the values as the (stable) comparator sort (a, b) => a - b
  // does, without a copy and a call per comparison; a NaN, which that comparator leaves in no consistent order,
  // takes the comparator sort itself.
  const sorted = n <= middleScratch.length ? middleScratch : (middleScratch = new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v)
      return middleOfSorted(
        Array.from({ length: n }, (_, k) => values[k]!).sort((a, b) => a - b),
        direction,
      );
    let j = i;
    for (; j > 0 && v < sorted[j - 1]!; j--) sorted[j] = sorted[j - 1]!;
    sorted[j] = v;
  }
  return middleOfSorted(sorted, direction, n);
}

let middleScratch = new Float64Array(16);

/** Of the two middle values of n sorted values: the lower for `increase`, the upper otherwise. */
function middleOfSorted(sorted: ArrayLike<number>, direction: Direction, n = sorted.length): number {
  const mid = n >> 1;
  return direction === 'increase' ? sorted[mid - 1]! : sorted[mid]!;
}

/** Whether observed moved from the baseline in the harmful direction (any move for `either`). */
export function harmful(direction: Direction, observed: number, center: number): boolean {
  if (direction === 'increase') return observed > center;
  if (direction === 'decrease') return observed < center;
  return observed !== center;
}

function mannWhitney(ctx: RuleContext, values: number[], baseline: BaselineSample, n: number): TestEvidence {
  const { direction } = ctx;
  const { tolerance } = ctx.rule;
  const alternative: Alternative = direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two-sided';
  // Kayenta-style effect-size tolerance: the null hypothesis is the baseline shifted by the tolerance.
  const scale = direction === 'increase' ? 1 + tolerance : direction === 'decrease' ? Math.max(0, 1 - tolerance) : 1;
  // Sorted once per baseline (the rule's scale is fixed), not at every step.
  const derived = derivedOf(ctx.cache, baseline);
  const base = (derived.ranked ??= rankedSample(baseline.values.map((v) => v * scale)));
  const r = mannWhitneyRanked(values, base, alternative);
  return { test: 'mann-whitney', alternative, u: r.u, z: r.z, pValue: r.pValue, n, baselineN: base.sorted.length };
}

/**
 * The rule's sequential test over its window points after the warm-up, up to step t (each point's value depends only
 * on the points up to it, so judging at any step gives the live answer). Grown step by step: a later step takes the
 * points that came since, so a watch that rolls back early never computes the rest of its window. The baseline is
 * the one at the deploy: fixed, as the martingale's reference must be (a control baseline's pre-deploy span).
 */
function sequentialPathOf(ctx: RuleContext, t: number): SequentialPath | null {
  const { rule, startedAt } = ctx;
  const fit = usesModel(ctx) ? modelOf(ctx) : null;
  if (ctx.cache.sequential === undefined) {
    // Built once per rule (the incremental judge keeps it between ticks), then grown by the points that arrived.
    const alpha = rule.alpha ?? 1 - rule.confidence;
    const baseline = baselineAt(ctx, startedAt);
    let growing: RuleCache['sequential'] = null;
    if (baseline) {
      const level = fit ? fit.model.level : () => baseline.evidence.median;
      growing =
        rule.test === 'sequential-counts'
          ? growingCountsPath({
              baseline,
              traffic: ctx.traffic.deploy,
              baselineTraffic: ctx.traffic[baseline.scope],
              spacing: ctx.spacing,
              tolerance: rule.tolerance,
              alpha,
            })
          : growingShiftPath({ baseline, level, direction: ctx.direction, tolerance: rule.tolerance, alpha });
    }
    ctx.cache.sequential = growing;
  }
  const growing = ctx.cache.sequential;
  if (!growing) return null;
  const series = ctx.series.deploy;
  const end = firstAfter(series, t);
  const latest = series[end - 1];
  if (latest !== undefined && latest[0] > growing.takenUntil && latest[0] > startedAt + rule.warmup) {
    // The new points are judged with the data as it is now (a model's level reads earlier periods, counts the traffic).
    if (growing.level && fit) growing.level = fit.model.level;
    if (growing.traffic) growing.traffic = ctx.traffic.deploy;
    growing.add(series.slice(firstAfter(series, startedAt + rule.warmup), end));
  }
  return growing.path.times.length > 0 ? growing.path : null;
}
