// Rule conditions: what "value > 0.01", "ratio > 5" and "change > 20%" mean for one observed value and its baseline.
import type { Condition, Operator, Subject, When } from '../rules/schema.js';

/**
 * The ratio of observed to baseline. A zero baseline makes any rise infinite (+Infinity) and no rise 1,
 * so "ratio > 5" on a metric that was flat at zero still catches it leaving zero.
 */
export function ratioTo(observed: number, baseline: number): number {
  if (baseline === 0) return observed > 0 ? Infinity : 1;
  return observed / baseline;
}

/** Percent change from baseline: (observed - baseline) / |baseline| · 100; from a zero baseline ±Infinity or 0. */
export function changeFrom(observed: number, baseline: number): number {
  if (baseline === 0) return observed > 0 ? Infinity : observed < 0 ? -Infinity : 0;
  return ((observed - baseline) / Math.abs(baseline)) * 100;
}

/**
 * Slope(s) for slope conditions, per hour: one number (the lookback's), or a function of the condition's `over`
 * (seconds; undefined: the lookback) for rules that fit it over several spans.
 */
export type Slopes = number | null | ((over: number | undefined) => number | null);

/**
 * Robust z-score of observed against a baseline centre and its MAD: (observed − centre) / (1.4826 · MAD); a zero
 * MAD (a flat baseline) makes any move ±Infinity and none 0.
 */
export function robustZ(observed: number, baseline: number, spread: number): number {
  const scale = 1.4826 * spread;
  if (scale === 0) return observed > baseline ? Infinity : observed < baseline ? -Infinity : 0;
  return (observed - baseline) / scale;
}

/** The operand a condition compares, or null when it needs a baseline (or a slope, or a spread) and there is none. */
export function subjectValue(
  subject: Subject,
  observed: number,
  baseline: number | null,
  slope: Slopes = null,
  spread: number | null = null,
  over?: number,
): number | null {
  if (subject === 'value') return observed;
  if (subject === 'slope') return typeof slope === 'function' ? slope(over) : slope;
  if (baseline === null) return null;
  if (subject === 'z') return spread === null ? null : robustZ(observed, baseline, spread);
  return subject === 'ratio' ? ratioTo(observed, baseline) : changeFrom(observed, baseline);
}

function compare(left: number, op: Operator, right: number): boolean {
  switch (op) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

/** Whether one condition holds. Ratio and change conditions never hold without a baseline, slope ones without a slope. */
export function conditionHolds(condition: Condition, observed: number, baseline: number | null, slope: Slopes = null, spread: number | null = null): boolean {
  const left = subjectValue(condition.subject, observed, baseline, slope, spread, condition.over);
  return left !== null && compare(left, condition.op, condition.threshold);
}

/**
 * Whether a rule's `when` holds: `all` needs every condition, `any` one of them.
 * Conditions are evaluated exactly as written; the metric's declared harmful `direction` is applied by the
 * step check (src/judge/step-check.ts) before the conditions.
 */
export function whenHolds(when: When, observed: number, baseline: number | null, slope: Slopes = null, spread: number | null = null): boolean {
  // Plain loops rather than every/some with a closure: the step check asks at almost every step of every rule.
  const all = 'all' in when;
  const conditions = all ? when.all : when.any;
  for (let i = 0; i < conditions.length; i++) {
    if (conditionHolds(conditions[i]!, observed, baseline, slope, spread) !== all) return !all;
  }
  return all;
}

/**
 * Whether an `all` of conditions fails whatever the slopes: one of its other conditions fails (the step check asks
 * before it fits a slope). False for `any`, which a slope alone may satisfy.
 */
export function failsBeforeSlope(when: When, observed: number, baseline: number | null, spread: number | null = null): boolean {
  if (!('all' in when)) return false;
  for (let i = 0; i < when.all.length; i++) {
    const c = when.all[i]!;
    if (c.subject !== 'slope' && !conditionHolds(c, observed, baseline, null, spread)) return true;
  }
  return false;
}

/** The conditions as people read them: "value > 0.01 and ratio > 5", "value > 0.5 or change > 50%". */
export function whenText(when: When): string {
  return 'all' in when ? when.all.map((c) => c.text).join(' and ') : when.any.map((c) => c.text).join(' or ');
}

/** When a `when` needs a slope (a "slope" condition), so the step check computes one only then. */
export function usesSlope(when: When): boolean {
  return ('all' in when ? when.all : when.any).some((c) => c.subject === 'slope');
}

/**
 * Theil-Sen slope of points per hour: the median of the pairwise slopes, robust to a third of the points
 * being outliers; null with fewer than 3 points.
 */
export function theilSenPerHour(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 3) return null;
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dt = points[j]![0] - points[i]![0];
      if (dt > 0) slopes.push(((points[j]![1] - points[i]![1]) / dt) * 3600);
    }
  }
  // At every step of a slope rule: a handful of pairs, which a (stable) insertion sort orders exactly as the (stable)
  // comparator sort it replaces, without a call per comparison (finite points give no NaN slope, the one difference).
  if (slopes.length <= 64) {
    for (let i = 1; i < slopes.length; i++) {
      const v = slopes[i]!;
      let j = i;
      for (; j > 0 && v < slopes[j - 1]!; j--) slopes[j] = slopes[j - 1]!;
      slopes[j] = v;
    }
  } else {
    slopes.sort((a, b) => a - b);
  }
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
}
