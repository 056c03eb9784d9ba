// Whether a closed window holds enough evidence to pass a deploy: enough samples and enough traffic.
import type { Rule, RuleSet } from '../rules/schema.js';
import { pointSpacing } from './rule-context.js';
import { pointsIn } from './steps.js';
import { formatNumber } from './summary.js';
import type { SeriesSet } from './types.js';

/**
 * The metrics the rules judge (each enforcing rule's `metric`; shadow rules only when every rule is a shadow;
 * error_rate and latency_p95 for a rule set without rules): without points of at least one of them there is
 * nothing to judge a deploy on, and a blind source on one of them makes the verdict inconclusive.
 */
export function judgedMetrics(rules: Pick<RuleSet, 'rules'>): string[] {
  if (rules.rules.length === 0) return [...REQUEST_METRICS];
  const enforcing = rules.rules.filter((r: Rule) => r.mode !== 'shadow');
  return [...new Set((enforcing.length > 0 ? enforcing : rules.rules).map((r) => r.metric))];
}

/** What a service without rules is judged on: its requests' errors and latency. */
const REQUEST_METRICS = ['error_rate', 'latency_p95'] as const;

export interface EvidenceInput {
  rules: Pick<RuleSet, 'minEvidence' | 'interval' | 'rules'>;
  series: SeriesSet;
  startedAt: number;
  windowEnd: number;
}

/**
 * Why the window's evidence is insufficient, or null if it suffices. Insufficient means: fewer than
 * minEvidence.samples points in (startedAt, windowEnd] for every judged metric alike (judgedMetrics), or (when
 * throughput data exists) mean throughput over the window below minEvidence.throughput, or fewer requests
 * (Σ throughput x interval) than minEvidence.requests.
 */
export function insufficientEvidence(input: EvidenceInput): string | null {
  const { rules, series, startedAt, windowEnd } = input;
  const { samples, throughput } = rules.minEvidence;
  const interval = rules.interval;
  const judged = judgedMetrics(rules);
  const counts = judged.map((m) => pointsIn(series[m] ?? [], startedAt, windowEnd).length);
  if (counts.every((n) => n < samples)) {
    const seen = judged.map((m, i) => `${counts[i]} ${m}`).join(' and ');
    return `not enough evidence: ${seen} points in the window, need ${samples}`;
  }
  const traffic = pointsIn(series.throughput ?? [], startedAt, windowEnd).map((p) => p[1]);
  if (traffic.length > 0) {
    const mean = traffic.reduce((a, b) => a + b, 0) / traffic.length;
    if (mean < throughput) {
      return `not enough traffic: mean ${formatNumber(mean)} req/s < ${formatNumber(throughput)} req/s over the window`;
    }
    // Each throughput point stands for the seconds to its neighbour (one interval at one point a step).
    const requests = traffic.reduce((a, b) => a + b, 0) * pointSpacing(series.throughput ?? [], interval);
    if (requests < rules.minEvidence.requests) {
      return `not enough requests: ${Math.round(requests)} in the window, need ${formatNumber(rules.minEvidence.requests)}`;
    }
  }
  return null;
}
