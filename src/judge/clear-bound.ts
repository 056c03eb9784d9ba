// Whether a rule can breach at all over a window: a bound from the range of the values its steps can observe.
import type { Condition, Direction, When } from '../rules/schema.js';
import { conditionHolds } from './conditions.js';
import { firstAfter } from './steps.js';
import type { Point } from './types.js';

/**
 * The lowest and highest value of the points after `from`; null without one, or when one is not a finite number of
 * modest size (the bound below reasons about observed values lying between them, which a mean of two values that
 * overflows would not).
 */
export function valueRange(points: readonly Point[], from: number): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = firstAfter(points, from); i < points.length; i++) {
    const v = points[i]![1];
    if (!(Math.abs(v) <= 1e300)) return null;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? { lo, hi } : null;
}

/**
 * Whether no step whose observed value (and, where the rule falls back, whose every lookback point) lies in [lo, hi]
 * can breach, against any of the baseline `centers` a step may be judged with: at each of them, either no value in
 * the range moves in the harmful direction, or the `when` conditions cannot hold anywhere in it.
 *
 * Why the ends of the range suffice: every subject but slope is a monotone function of the observed value (value,
 * ratio, change and z, computed with correctly rounded operations, against a fixed centre and spread), so the values
 * where a condition holds form a ray, which meets [lo, hi] only if it holds at lo or at hi. A slope condition does
 * not depend on the observed value: it may hold.
 */
export function cannotBreach(when: When, direction: Direction, centers: ReadonlyArray<number | null>, spread: number | null, lo: number, hi: number): boolean {
  for (const center of centers) {
    if (center !== null && !harmfulWithin(direction, center, lo, hi)) continue;
    if (!conditionsCannotHold(when, center, spread, lo, hi)) return false;
  }
  return true;
}

/** Whether some value in [lo, hi] moved from center in the harmful direction (see step-check.ts harmful). */
function harmfulWithin(direction: Direction, center: number, lo: number, hi: number): boolean {
  if (direction === 'increase') return hi > center;
  if (direction === 'decrease') return lo < center;
  return !(lo === center && hi === center);
}

/** Whether the conditions hold at no value in [lo, hi]: one of `all` fails throughout, or each of `any` does. */
function conditionsCannotHold(when: When, center: number | null, spread: number | null, lo: number, hi: number): boolean {
  return noneCanHold(when, (c) => c.subject !== 'slope' && !conditionHolds(c, lo, center, null, spread) && !conditionHolds(c, hi, center, null, spread));
}

/**
 * Whether the conditions hold nowhere in [lo, hi] by their `value` conditions alone, whatever the baseline: one `value`
 * condition of `all` fails throughout, or every condition of `any` is one that does. The step check asks first, so a
 * rule clear on its values (an error rate far below its threshold) needs no baseline for the bound.
 */
export function valueConditionsCannotHold(when: When, lo: number, hi: number): boolean {
  return noneCanHold(when, (c) => c.subject === 'value' && !conditionHolds(c, lo, null) && !conditionHolds(c, hi, null));
}

/** Whether `when` cannot hold, given which of its conditions fail throughout: one of `all`, or every one of `any`. */
function noneCanHold(when: When, failsThroughout: (c: Condition) => boolean): boolean {
  const all = 'all' in when;
  const conditions = all ? when.all : when.any;
  for (let i = 0; i < conditions.length; i++) if (failsThroughout(conditions[i]!) === all) return all;
  return !all;
}
