// What the live watcher must fetch so the judge sees what replay sees: the ranges behind each baseline the rules use.
import type { Rule, RuleSet } from '../rules/schema.js';
import { baselineRanges, WEEK } from './baseline.js';
import type { Deploy } from './types.js';

/** One range of one metric to fetch from the metric source and record for the deploy. */
export interface PlannedQuery {
  scope: 'deploy' | 'control';
  metric: string;
  /** Unix seconds, inclusive. */
  start: number;
  end: number;
}

/** The metrics a rule reads: its own, the one it is divided by, and throughput when it counts errors. */
export function ruleMetrics(rule: Rule): string[] {
  return [rule.metric, ...(rule.per ? [rule.per] : []), ...(rule.test === 'counts' || rule.test === 'sequential-counts' ? ['throughput'] : [])];
}

/** Every metric a watch queries: each rule's metrics, plus throughput (the evidence of traffic). */
export function watchedMetrics(rules: RuleSet): string[] {
  return [...new Set([...rules.rules.flatMap(ruleMetrics), 'throughput'])];
}

/**
 * The queries for one watcher tick covering series time (from, to]. `from` null is the first tick: it also
 * fetches the history the baselines need — the pre-deploy span (the longest baseline duration or lookback),
 * the same span and window one week earlier (week-ago rules), the windows of `previousDeploys` (start times,
 * newest first; previous-deploys rules) and the control group from before the deploy (control rules).
 * Later ticks fetch (from, to] for the deploy and, where a rule uses it, for the control group.
 * Pure: the watcher runs the queries and records what comes back; the judge reads it all from the store.
 */
export function observationPlan(
  rules: RuleSet,
  deploy: Deploy,
  range: { from: number | null; to: number },
  previousDeploys: readonly number[] = [],
): PlannedQuery[] {
  const { startedAt } = deploy;
  const { to } = range;
  const plan: PlannedQuery[] = [];
  const add = (scope: PlannedQuery['scope'], metrics: Iterable<string>, start: number, end: number): void => {
    for (const metric of metrics) plan.push({ scope, metric, start, end });
  };
  const byKind = metricsByBaselineKind(rules);
  const window = rules.window + rules.minEvidence.extend;
  if (range.from === null) {
    const history = Math.max(
      ...[rules.baseline, ...rules.rules.map((r) => r.baseline)].map((b) => b?.duration ?? 0),
      ...rules.rules.map((r) => r.lookback ?? 0),
    );
    add('deploy', watchedMetrics(rules), startedAt - history, to);
    const weekAgo = byKind.get('week-ago');
    if (weekAgo) add('deploy', weekAgo.metrics, startedAt - WEEK - weekAgo.duration, startedAt - WEEK + window);
    const previous = byKind.get('previous-deploys');
    if (previous) {
      for (const s of previousDeploys.filter((p) => p + rules.window <= startedAt).slice(0, previous.deploys))
        add('deploy', previous.metrics, s, s + rules.window);
    }
    const control = byKind.get('control');
    if (control) add('control', control.metrics, startedAt - control.duration, to);
    for (const rule of rules.rules) {
      const baseline = rule.baseline ?? rules.baseline;
      if (baseline.kind !== 'seasonal') continue;
      // The earlier periods' spans through the window (the first range is the pre-deploy span, fetched above).
      const ranges = baselineRanges('seasonal', baseline, { startedAt, window, step: startedAt, previousDeploys: [] }).ranges.slice(1);
      for (const [lo, hi] of ranges) add('deploy', ruleMetrics(rule), lo, hi);
    }
  } else {
    add('deploy', watchedMetrics(rules), range.from, to);
    const control = byKind.get('control');
    if (control) add('control', control.metrics, range.from, to);
  }
  return plan;
}

/** For each baseline kind other than pre-deploy: the metrics its rules read, the longest duration, the most deploys. */
function metricsByBaselineKind(rules: RuleSet): Map<string, { metrics: Set<string>; duration: number; deploys: number }> {
  const out = new Map<string, { metrics: Set<string>; duration: number; deploys: number }>();
  for (const rule of rules.rules) {
    const baseline = rule.baseline ?? rules.baseline;
    if (baseline.kind === 'pre-deploy') continue;
    const entry = out.get(baseline.kind) ?? { metrics: new Set<string>(), duration: 0, deploys: 0 };
    for (const m of ruleMetrics(rule)) entry.metrics.add(m);
    entry.duration = Math.max(entry.duration, baseline.duration);
    entry.deploys = Math.max(entry.deploys, baseline.deploys);
    out.set(baseline.kind, entry);
  }
  return out;
}

/** How many previous deploys the rules' previous-deploys baselines want (0: none, so the store need not be asked). */
export function previousDeploysWanted(rules: RuleSet): number {
  return Math.max(0, ...[rules.baseline, ...rules.rules.map((r) => r.baseline)].map((b) => (b?.kind === 'previous-deploys' ? b.deploys : 0)));
}
