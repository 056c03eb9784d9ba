// Per-rule quality from stored findings and SRE feedback: how often a rule fired, how often people agreed. Findings
// of shadow rules (judged, never acted on) are reported on their own, so they never count as the rule's real record.
import type { FeedbackRecord, FindingFact } from '../store/records.js';

export interface RuleQuality {
  rule: string;
  /** Deploys on which the rule had a finding. */
  fired: number;
  /** ...of which the deploy was rolled back (for a shadow rule: by the enforced rules, since it never acts). */
  rolledBack: number;
  /**
   * Deploys where the rule fired and the team disagreed: the latest label is false-alarm naming this rule — or, for a
   * shadow rule, `correct` on a deploy that passed (the team confirmed it healthy; the shadow rule would have failed it).
   */
  falseAlarm: number;
  /**
   * Deploys where the rule fired and the team agreed: the latest label is `correct` — for a shadow rule, `correct` on a
   * deploy that failed, or `missed-regression` (the shadow rule caught what the enforced rules missed).
   */
  correct: number;
  /** correct / (correct + falseAlarm), null without feedback. */
  precision: number | null;
  /** Median seconds from the deploy's start to the finding being established, null if it never fired. */
  medianToEstablished: number | null;
}

/** Quality of the enforced rules (`rules`) and, apart, of the shadow rules (`shadow`), each sorted by name. */
export interface QualityReport {
  rules: RuleQuality[];
  shadow: RuleQuality[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

type Agreement = 'agreed' | 'disagreed' | null;

/** Whether the latest label agrees with the rule firing on that deploy. */
function agreement(rule: string, fact: FindingFact, label: FeedbackRecord | undefined): Agreement {
  if (!label) return null;
  if (label.label === 'false-alarm') return label.rule === rule ? 'disagreed' : null;
  if (!fact.shadow) return label.label === 'correct' ? 'agreed' : null;
  if (label.label === 'missed-regression') return 'agreed';
  if (fact.verdict === null) return null;
  return fact.verdict === 'fail' ? 'agreed' : 'disagreed';
}

function qualityOf(facts: FindingFact[], labels: Map<string, FeedbackRecord>): RuleQuality[] {
  const byRule = new Map<string, FindingFact[]>();
  for (const f of facts) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [...byRule.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, list]) => {
      const verdicts = list.map((f) => agreement(rule, f, labels.get(f.deployId)));
      const falseAlarm = verdicts.filter((a) => a === 'disagreed').length;
      const correct = verdicts.filter((a) => a === 'agreed').length;
      return {
        rule,
        fired: list.length,
        rolledBack: list.filter((f) => f.rollback).length,
        falseAlarm,
        correct,
        precision: correct + falseAlarm === 0 ? null : correct / (correct + falseAlarm),
        medianToEstablished: median(list.map((f) => f.at - f.startedAt)),
      };
    });
}

/** Quality per rule. `feedback` holds the latest label per deploy. */
export function ruleQuality(findings: FindingFact[], feedback: FeedbackRecord[]): QualityReport {
  const labels = new Map(feedback.map((f) => [f.deployId, f]));
  return {
    rules: qualityOf(
      findings.filter((f) => !f.shadow),
      labels,
    ),
    shadow: qualityOf(
      findings.filter((f) => f.shadow),
      labels,
    ),
  };
}
