// Classification: severity order, which findings roll back or fail, and the verdict when the window closes.
import type { RuleSet } from '../rules/schema.js';
import { insufficientEvidence, judgedMetrics } from './evidence.js';
import type { Finding, SeriesSet, Severity, Verdict } from './types.js';
import { SEVERITIES } from './types.js';

type Policies = RuleSet['severities'];

/** The highest severity among findings (P0 is highest), or null when there are none; shadow findings do not count. */
export function highestSeverity(findings: readonly Finding[]): Severity | null {
  let best: number | null = null;
  for (const f of findings) {
    if (f.shadow) continue;
    const rank = SEVERITIES.indexOf(f.severity);
    if (best === null || rank < best) best = rank;
  }
  return best === null ? null : SEVERITIES[best]!;
}

/** Whether a finding fires the rollback hooks: a breach whose severity policy says rollback. Blind and shadow never do. */
export function triggersRollback(finding: Finding, severities: Policies): boolean {
  return finding.kind === 'breach' && !finding.shadow && severities[finding.severity].rollback;
}

/** Whether a finding makes the verdict fail: a breach whose severity policy says failsVerdict. Blind and shadow never do. */
export function failsVerdict(finding: Finding, severities: Policies): boolean {
  return finding.kind === 'breach' && !finding.shadow && severities[finding.severity].failsVerdict;
}

export interface WindowVerdictInput {
  rules: Pick<RuleSet, 'minEvidence' | 'severities' | 'interval' | 'rules'>;
  findings: readonly Finding[];
  series: SeriesSet;
  startedAt: number;
  windowEnd: number;
}

/**
 * The verdict of a closed window, in order: fail if a finding's severity fails the verdict; inconclusive if
 * the sources were blind for a judged metric (judgedMetrics), or a judged metric went silent (a release that stops
 * reporting it cannot be called good), or the evidence is insufficient (see insufficientEvidence); else pass.
 * The reason says why.
 */
export function windowVerdict(input: WindowVerdictInput): { verdict: Verdict; reason: string } {
  const { rules, findings } = input;
  const failing = findings.find((f) => failsVerdict(f, rules.severities));
  if (failing) return { verdict: 'fail', reason: `${failing.rule} (${failing.severity}): ${failing.summary}` };
  // Blind first: "the source failed" explains missing points better than "not enough points"; likewise silence.
  const judged = judgedMetrics(rules);
  const ofKind = (kind: Finding['kind']): Finding[] => findings.filter((f) => f.kind === kind && judged.includes(f.metric));
  const blind = ofKind('blind');
  if (blind.length > 0) {
    return { verdict: 'inconclusive', reason: `metric source blind: ${blind.map((f) => f.summary).join('; ')}` };
  }
  const silent = ofKind('silent');
  if (silent.length > 0) return { verdict: 'inconclusive', reason: silent.map((f) => f.summary).join('; ') };
  const lacking = insufficientEvidence(input);
  if (lacking !== null) return { verdict: 'inconclusive', reason: lacking };
  const notFailing = findings.length === 0 ? 'no findings' : `${findings.length} finding(s), none failing the verdict`;
  return { verdict: 'pass', reason: `window closed with ${notFailing}` };
}
