// One rule over the steps of a watch: per-step checks, then persistence, warm-up and hysteresis, then the finding.
import type { Baseline, Direction, Rule } from '../rules/schema.js';
import { usesSlope, whenText } from './conditions.js';
import { track, type Track } from './persistence.js';
import { newCursors, newRuleCache, pointSpacing, type RuleCache, type RuleContext } from './rule-context.js';
import { checkStep } from './step-check.js';
import { pointsAfter } from './steps.js';
import { breachSummary } from './summary.js';
import type { Silence } from './silence.js';
import type { Finding, Observations, Point } from './types.js';

export interface RuleInput {
  rule: Rule;
  obs: Observations;
  /** The metric's harmful direction and unit, from its declaration. */
  direction: Direction;
  unit: string;
  /** The baseline the rule file sets (the rule's own `baseline` overrides it). */
  baseline: Baseline;
  startedAt: number;
  window: number;
  interval: number;
  /** Step times to evaluate, ascending; every step only sees points up to itself. */
  steps: readonly number[];
  /** Silence of the deploy's series (required by `test: requests` rules, which otherwise find nothing). */
  silence?: Silence;
}

/** The rule's finding as of the last step, or null if it was never established within the steps. */
export function evaluateRule(input: RuleInput, cache?: RuleCache): Finding | null {
  const ctx = ruleContext(input, cache);
  const outcomes = input.steps.map((t) => ({ t, outcome: checkStep(ctx, t) }));
  const tracked = track(input.rule, input.startedAt, outcomes);
  const at = tracked.established?.at;
  const streak = at === undefined ? NaN : streakStart(input.steps, (k) => outcomes[k]!.outcome.kind === 'breach', input.steps.indexOf(at));
  return ruleFinding(input, tracked, streak);
}

/**
 * The finding of a rule from its persistence track over the steps judged and the first step of the breach streak
 * that established it (streakStart); shared by the from-scratch judge and the incremental one (src/judge/session.ts).
 */
export function ruleFinding(input: Pick<RuleInput, 'rule' | 'unit' | 'interval'>, { established, clearedAt }: Track, streak: number): Finding | null {
  if (!established) return null;
  const { at, outcome, persistence } = established;
  const { rule, unit } = input;
  const base = outcome.baseline?.evidence.pooledRate ?? outcome.baseline?.evidence.median ?? null;
  const heldFor = rule.breaches ? 0 : at - streak;
  const failClosed = outcome.observed === null;
  return {
    rule: rule.name,
    metric: rule.metric,
    severity: rule.severity,
    at,
    observed: outcome.observed,
    baseline: base,
    condition: failClosed ? `${whenText(rule.when)} (fail-closed: no data counts as a breach)` : whenText(rule.when),
    kind: 'breach',
    summary: outcome.summary
      ? outcome.summary
      : failClosed
        ? `${rule.metric} has no data and ${rule.name} fails closed`
        : breachSummary({
            metric: rule.per ? `${rule.metric} per ${rule.per}` : rule.metric,
            unit: rule.per ? '' : unit,
            observed: outcome.observed!,
            baseline: base,
            heldFor,
          }),
    clearedAt,
    ...(rule.mode === 'shadow' ? { shadow: true } : {}),
    evidence: {
      baseline: outcome.baseline?.evidence ?? null,
      test: outcome.test,
      alpha: outcome.test ? Number((rule.alpha ?? 1 - rule.confidence).toPrecision(6)) : null,
      lookback: rule.lookback ?? input.interval,
      points: outcome.points,
      ...(outcome.slope !== undefined ? { slope: outcome.slope } : {}),
      persistence,
      ...(outcome.note ? { note: outcome.note } : {}),
    },
  };
}

/** The first step of the consecutive breach streak ending at step `i` (warm-up steps included); steps[i] itself if it is not a breach. */
export function streakStart(steps: readonly number[], breached: (k: number) => boolean, i: number): number {
  let start = steps[i]!;
  for (let k = i; k >= 0 && breached(k); k--) start = steps[k]!;
  return start;
}

/** Everything the rule's step checks read, built from the observations as they are now. */
export function ruleContext(input: RuleInput, cache?: RuleCache, spacing?: number): RuleContext {
  const { rule, obs, interval } = input;
  const control = obs.control ?? {};
  const perUnit = (set: Record<string, Point[]>): Point[] => {
    const points = set[rule.metric] ?? [];
    return rule.per ? divide(points, set[rule.per] ?? [], interval) : points;
  };
  return {
    rule,
    direction: input.direction,
    interval,
    startedAt: input.startedAt,
    window: input.window,
    baseline: rule.baseline ?? input.baseline,
    previousDeploys: obs.previousDeploys ?? [],
    series: { deploy: perUnit(obs.series), control: perUnit(control) },
    traffic: { deploy: obs.series.throughput ?? [], control: control.throughput ?? [] },
    spacing: spacing ?? pointSpacing(obs.series[rule.metric] ?? [], interval),
    readsSlope: usesSlope(rule.when),
    quiet: null,
    silence: input.silence ?? null,
    cache: cache ?? newRuleCache(),
    cursors: newCursors(),
  };
}

/**
 * Points of `metric` divided by the `per` metric's point in the same interval (observedAt); points without a positive
 * divisor are dropped. One walk along both series (sorted by time), not a search per point.
 */
export function divide(points: readonly Point[], per: readonly Point[], interval: number): Point[] {
  const out: Point[] = [];
  const cursor = { t: NaN, i: 0 };
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const t = p[0];
    const latest = per[pointsAfter(per, t, cursor) - 1];
    if (latest !== undefined && latest[0] > t - interval && latest[1] > 0) out.push([t, p[1] / latest[1]]);
  }
  return out;
}
