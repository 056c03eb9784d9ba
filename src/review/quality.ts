// Per-rule quality from stored findings and SRE feedback: how often a rule fired, how often people agreed.
import type { FeedbackRecord, FindingFact } from '../store/records.js';

export interface RuleQuality {
  rule: string;
  /** Deploys on which the rule had a finding. */
  fired: number;
  /** ...of which the deploy was rolled back. */
  rolledBack: number;
  /** Deploys where the rule fired and the latest label is false-alarm naming this rule. */
  falseAlarm: number;
  /** Deploys where the rule fired and the latest label is correct. */
  correct: number;
  /** correct / (correct + falseAlarm), null without feedback. */
  precision: number | null;
  /** Median seconds from the deploy's start to the finding being established, null if it never fired. */
  medianToEstablished: number | null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Quality per rule, rules sorted by name. `feedback` holds the latest label per deploy. */
export function ruleQuality(findings: FindingFact[], feedback: FeedbackRecord[]): RuleQuality[] {
  const labels = new Map(feedback.map((f) => [f.deployId, f]));
  const byRule = new Map<string, FindingFact[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [...byRule.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, facts]) => {
      const falseAlarm = facts.filter((f) => labels.get(f.deployId)?.label === 'false-alarm' && labels.get(f.deployId)?.rule === rule).length;
      const correct = facts.filter((f) => labels.get(f.deployId)?.label === 'correct').length;
      return {
        rule,
        fired: facts.length,
        rolledBack: facts.filter((f) => f.rollback).length,
        falseAlarm,
        correct,
        precision: correct + falseAlarm === 0 ? null : correct / (correct + falseAlarm),
        medianToEstablished: median(facts.map((f) => f.at - f.startedAt)),
      };
    });
}
