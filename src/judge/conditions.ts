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

/** The operand a condition compares, or null when it needs a baseline and there is none. */
export function subjectValue(subject: Subject, observed: number, baseline: number | null): number | null {
  if (subject === 'value') return observed;
  if (baseline === null) return null;
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

/** Whether one condition holds. Ratio and change conditions never hold without a baseline. */
export function conditionHolds(condition: Condition, observed: number, baseline: number | null): boolean {
  const left = subjectValue(condition.subject, observed, baseline);
  return left !== null && compare(left, condition.op, condition.threshold);
}

/**
 * Whether a rule's `when` holds: `all` needs every condition, `any` one of them.
 * Conditions are evaluated exactly as written; the rule author chooses the harmful direction
 * (the metric's declared `direction` is not applied here).
 */
export function whenHolds(when: When, observed: number, baseline: number | null): boolean {
  return 'all' in when
    ? when.all.every((c) => conditionHolds(c, observed, baseline))
    : when.any.some((c) => conditionHolds(c, observed, baseline));
}

/** The conditions as people read them: "value > 0.01 and ratio > 5", "value > 0.5 or change > 50%". */
export function whenText(when: When): string {
  return 'all' in when ? when.all.map((c) => c.text).join(' and ') : when.any.map((c) => c.text).join(' or ');
}
