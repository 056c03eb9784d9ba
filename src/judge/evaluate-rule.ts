// One rule over the steps of a watch: when its condition has held, without a gap, for its `for` duration.
import type { Rule } from '../rules/schema.js';
import type { BaselineStats } from './baseline.js';
import { whenHolds, whenText } from './conditions.js';
import { observedAt } from './steps.js';
import { breachSummary } from './summary.js';
import type { Finding, Point } from './types.js';

export interface RuleInput {
  rule: Rule;
  /** The rule metric's series, sorted by time. */
  points: readonly Point[];
  baseline: BaselineStats | null;
  /** Step times to evaluate, ascending; every step only sees points up to itself. */
  steps: readonly number[];
  interval: number;
  /** The metric's unit, for the summary. */
  unit: string;
}

/**
 * The rule's finding, established at the first step t where the condition has held at every step from the
 * first breaching step t0 through t and t - t0 >= `for`; null if that never happens within the steps.
 * A step with no observed value (a gap) or where the condition does not hold resets the streak.
 */
export function evaluateRule(input: RuleInput): Finding | null {
  const { rule, points, baseline, steps, interval } = input;
  const base = baseline?.median ?? null;
  let streakStart: number | null = null;
  for (const t of steps) {
    const observed = observedAt(points, t, interval);
    if (observed === null || !whenHolds(rule.when, observed, base)) {
      streakStart = null;
      continue;
    }
    streakStart ??= t;
    if (t - streakStart >= rule.for) return breachFinding(input, t, observed, t - streakStart);
  }
  return null;
}

function breachFinding(input: RuleInput, at: number, observed: number, heldFor: number): Finding {
  const { rule, baseline, unit } = input;
  const base = baseline?.median ?? null;
  return {
    rule: rule.name,
    metric: rule.metric,
    severity: rule.severity,
    at,
    observed,
    baseline: base,
    condition: whenText(rule.when),
    kind: 'breach',
    summary: breachSummary({ metric: rule.metric, unit, observed, baseline: base, heldFor }),
  };
}
