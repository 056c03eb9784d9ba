// The judge: a pure function of (rules, deploy, observations, now), shared by the live watcher and replay.
import { BUILTIN_METRICS, type RuleSet } from '../rules/schema.js';
import { preDeployBaseline, type BaselineStats } from './baseline.js';
import { blindFindings } from './blind.js';
import { highestSeverity, triggersRollback, windowVerdict } from './classify.js';
import { evaluateRule } from './evaluate-rule.js';
import { stepTimes } from './steps.js';
import type { Deploy, Finding, Judgement, Observations } from './types.js';

/**
 * Judges a deploy as of series time `now`. Walks the steps startedAt + k·interval up to min(now, window end),
 * each step seeing only data up to itself (never the future), so judging at any `now` gives the answer the
 * live watcher gave at that time. No I/O, no clock: `now` is the only notion of time.
 *
 * - A rule finding is established after its condition has held, gap-free, for its `for` duration.
 * - The first step at which a finding whose severity policy says `rollback` is established ends the watch:
 *   done, fail, rollbackAt = that step; later steps are not evaluated.
 * - When the window has closed: fail (a finding's severity fails the verdict), inconclusive (too little
 *   evidence, or blind on error_rate/latency_p95), or pass.
 * - Otherwise: watching, verdict null, with the findings so far.
 *
 * Series must be sorted by time (sources and the recording parser guarantee it). `obs.control` is not used
 * yet; canary-style comparison against it comes with the statistical judge.
 */
export function judge(rules: RuleSet, deploy: Deploy, obs: Observations, now: number): Judgement {
  const { startedAt } = deploy;
  const windowEnd = startedAt + rules.window;
  const steps = stepTimes(startedAt, rules.interval, windowEnd, now);
  const breaches = evaluateRules(rules, obs, startedAt, steps);
  const rollbackAt = firstAt(breaches.filter((f) => triggersRollback(f, rules.severities)));
  const evaluatedAt = rollbackAt ?? steps.at(-1) ?? startedAt;
  const findings = byTime([...breaches.filter((f) => f.at <= evaluatedAt), ...blindFindings(obs.blind ?? [], evaluatedAt)]);
  const severity = highestSeverity(findings);
  const base = { severity, findings, evaluatedAt, windowEnd };
  if (rollbackAt !== null) {
    const trigger = findings.find((f) => f.at === rollbackAt && triggersRollback(f, rules.severities))!;
    const reason = `rollback: ${trigger.rule} (${trigger.severity}): ${trigger.summary}`;
    return { ...base, state: 'done', verdict: 'fail', rollback: true, rollbackAt, reason };
  }
  if (evaluatedAt < windowEnd) {
    return { ...base, state: 'watching', verdict: null, rollback: false, rollbackAt: null, reason: null };
  }
  const { verdict, reason } = windowVerdict({ rules, findings, series: obs.series, startedAt, windowEnd });
  return { ...base, state: 'done', verdict, rollback: false, rollbackAt: null, reason };
}

/** Each rule's first finding over the steps (rules whose metric has no data simply find nothing). */
function evaluateRules(rules: RuleSet, obs: Observations, startedAt: number, steps: readonly number[]): Finding[] {
  const baselines = new Map<string, BaselineStats | null>();
  const findings: Finding[] = [];
  for (const rule of rules.rules) {
    const points = obs.series[rule.metric] ?? [];
    if (!baselines.has(rule.metric)) {
      baselines.set(rule.metric, preDeployBaseline(points, startedAt, rules.baseline.duration));
    }
    const baseline = baselines.get(rule.metric) ?? null;
    const finding = evaluateRule({ rule, points, baseline, steps, interval: rules.interval, unit: unitOf(rules, rule.metric) });
    if (finding) findings.push(finding);
  }
  return findings;
}

function unitOf(rules: RuleSet, metric: string): string {
  const builtin = (BUILTIN_METRICS as Record<string, { unit: string } | undefined>)[metric];
  return rules.metrics[metric]?.unit ?? builtin?.unit ?? '';
}

function firstAt(findings: readonly Finding[]): number | null {
  return findings.reduce<number | null>((min, f) => (min === null || f.at < min ? f.at : min), null);
}

/** Findings in the order they were established (stable: rule order, then blind spots, at equal times). */
function byTime(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.at - b.at);
}
