// What a rule's step checks read and keep: the rule's context, the cache of what it derives from history (its
// baseline and what the tests derive from it), and the baseline at a step.
import type { Baseline, Direction, Rule } from '../rules/schema.js';
import { medianGap, selectBaseline, type BaselineSample } from './baseline.js';
import { fitModelBaseline, modelSampleAt, type ModelBaseline } from './baseline-model.js';
import { countsOf, type Counts } from './error-counts.js';
import type { GrowingPath } from './sequential-check.js';
import { errorDispersion } from './stats/count-test.js';
import type { RankedSample } from './stats/mann-whitney.js';
import type { Silence } from './silence.js';
import { observedAt, type Cursor } from './steps.js';
import type { Point } from './types.js';

/** Everything a rule needs to judge any step; built once per rule by evaluate-rule.ts. */
export interface RuleContext {
  rule: Rule;
  direction: Direction;
  interval: number;
  startedAt: number;
  window: number;
  baseline: Baseline;
  previousDeploys: readonly number[];
  /** The rule's metric per scope, already divided by the `per` metric when the rule has one. */
  series: { deploy: readonly Point[]; control: readonly Point[] };
  /** Throughput per scope, to turn error rates into counts. */
  traffic: { deploy: readonly Point[]; control: readonly Point[] };
  /** Seconds one point of the series stands for: its typical spacing, at most the interval. */
  spacing: number;
  /** Whether the rule's conditions read a slope (usesSlope), so that steps of the others fit none. */
  readsSlope: boolean;
  /** Whether no step of the rule can breach (quietRule); null until a step asks. */
  quiet: boolean | null;
  /** Which series went silent and what the service served (for `test: requests`). */
  silence: Silence | null;
  /** What the checks derive from the rule's history alone; the incremental judge carries it from tick to tick. */
  cache: RuleCache;
  /** Where the last step's points ended and its lookback began in `series.deploy` (see pointsAfter). */
  cursors: { end: Cursor; start: Cursor };
}

export function newCursors(): RuleContext['cursors'] {
  return { end: { t: NaN, i: 0 }, start: { t: NaN, i: 0 } };
}

/**
 * Derived from data before the deploy (and the spacing) only, so valid for as long as that history and the
 * spacing are unchanged (src/judge/session.ts checks both at every tick; the from-scratch judge starts afresh).
 */
export interface RuleCache {
  /** The fixed baseline (any kind but control and the models), once computed. */
  fixedBaseline?: BaselineSample | null;
  /** What the checks derived from the fixed baseline (created at first use: most rules of a watch need none). */
  fixedDerived?: Derived;
  /** The same for baselines that move with the step (control, models), by baseline; created at first use. */
  derived?: WeakMap<BaselineSample, Derived>;
  /**
   * Fixed baselines shared by the rules of one judgement (or session) that read the same metric the same way, by
   * baselineKey: the shipped rules judge five metrics with fifteen rules, each baseline is selected once.
   */
  shared: Map<string, BaselineSample | null>;
  /** The rule's sequential test grown over the window so far (null: it cannot run, no baseline or baseline traffic). */
  sequential?: (GrowingPath & { level?: (t: number) => number; traffic?: readonly Point[] }) | null;
}

export function newRuleCache(shared: Map<string, BaselineSample | null> = new Map()): RuleCache {
  // Every key from the start (undefined: not computed yet), so that all caches keep one shape as they fill.
  return { fixedBaseline: undefined, fixedDerived: undefined, derived: undefined, shared, sequential: undefined };
}

/** What the checks derive from one baseline, each computed once: at every step of the rule, it is the same. */
export interface Derived {
  /** Pooled errors and requests behind the baseline's points (error-count rules; null: no traffic to count with). */
  counts?: Counts | null;
  /** The baseline's points scaled by the tolerance and sorted, for Mann-Whitney at every step. */
  ranked?: RankedSample;
  /** How bursty the baseline's errors were, at this rule's lookback. */
  dispersion?: number;
}

export function derivedOf(cache: RuleCache, baseline: BaselineSample): Derived {
  if (baseline === cache.fixedBaseline) return (cache.fixedDerived ??= newDerived());
  cache.derived ??= new WeakMap();
  let d = cache.derived.get(baseline);
  if (!d) cache.derived.set(baseline, (d = newDerived()));
  return d;
}

function newDerived(): Derived {
  return { counts: undefined, ranked: undefined, dispersion: undefined };
}

const keys = new WeakMap<Rule, { baseline: Baseline; key: string }>();

/**
 * What a fixed baseline depends on besides the data: the rule's metric, its divisor and the baseline's settings.
 * One string per rule object (the watches of a daemon share their rules), not one per watch.
 */
function baselineKey(ctx: RuleContext): string {
  const known = keys.get(ctx.rule);
  if (known?.baseline === ctx.baseline) return known.key;
  const key = JSON.stringify([ctx.rule.metric, ctx.rule.per ?? null, ctx.baseline]);
  keys.set(ctx.rule, { baseline: ctx.baseline, key });
  return key;
}

/** The centre a step is judged against: an error-count rule's pooled rate when its counts have requests, else the median. */
export function baselineCenter(baseline: BaselineSample | null, counts: Counts | null): number | null {
  if (!baseline) return null;
  if (counts && counts.exactRequests > 0) return counts.exactErrors / counts.exactRequests;
  return baseline.evidence.median;
}

const models = new WeakMap<RuleContext, ModelBaseline | null>();

/** Whether the rule's baseline is a fitted model (seasonal, or trend-aware) rather than a set of points. */
export function usesModel(ctx: RuleContext): boolean {
  return ctx.baseline.kind === 'seasonal' || ctx.baseline.trend === true;
}

/** The rule's fitted model baseline, fitted once per context (null: it could not be fitted). */
export function modelOf(ctx: RuleContext): ModelBaseline | null {
  if (!models.has(ctx)) models.set(ctx, fitModelBaseline(ctx.baseline, ctx.startedAt, ctx.window, ctx.spacing, ctx.series.deploy));
  return models.get(ctx) ?? null;
}

/**
 * The rule's baseline at step t; the control group's and a model's (its level at t) move with the step, the others
 * are computed once.
 */
export function baselineAt(ctx: RuleContext, t: number): BaselineSample | null {
  if (usesModel(ctx)) {
    const fit = modelOf(ctx);
    return fit && modelSampleAt(fit, t);
  }
  const select = (): BaselineSample | null =>
    selectBaseline(ctx.baseline, { startedAt: ctx.startedAt, window: ctx.window, step: t, previousDeploys: ctx.previousDeploys }, (scope) => ctx.series[scope]);
  if (ctx.baseline.kind === 'control') return select();
  if (ctx.cache.fixedBaseline === undefined) {
    const key = baselineKey(ctx);
    if (!ctx.cache.shared.has(key)) ctx.cache.shared.set(key, select());
    ctx.cache.fixedBaseline = ctx.cache.shared.get(key)!;
  }
  return ctx.cache.fixedBaseline;
}

/** windowCounts of a baseline's points, computed once per baseline. */
export function baselineCounts(ctx: RuleContext, baseline: BaselineSample): Counts | null {
  const derived = derivedOf(ctx.cache, baseline);
  if (derived.counts === undefined) derived.counts = countsOf(baseline.times, baseline.values, ctx.traffic[baseline.scope], ctx.spacing);
  return derived.counts;
}

/** How bursty the baseline's errors were (src/judge/stats/count-test.ts errorDispersion), computed once per baseline. */
export function baselineDispersion(ctx: RuleContext, baseline: BaselineSample): number {
  const derived = derivedOf(ctx.cache, baseline);
  let phi = derived.dispersion;
  if (phi === undefined) {
    const traffic = ctx.traffic[baseline.scope];
    const steps = baseline.times.flatMap((t, i) => {
      const rate = baseline.values[i]!;
      const rps = observedAt(traffic, t, ctx.spacing);
      return rps === null ? [] : [{ errors: rate * rps * ctx.spacing, requests: rps * ctx.spacing }];
    });
    phi = errorDispersion(steps, Math.max(1, Math.round((ctx.rule.lookback ?? ctx.interval) / ctx.spacing)));
    derived.dispersion = phi;
  }
  return phi;
}

/** The typical spacing of a series' points (median gap), capped at the interval; the interval when unknown. */
export function pointSpacing(points: readonly Point[], interval: number): number {
  const typical = medianGap(points, 0, points.length);
  return typical === null ? interval : Math.min(interval, typical);
}
