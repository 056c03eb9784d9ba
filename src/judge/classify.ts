// Classification: severity order, which findings roll back or fail, and the verdict when the window closes.
import type { RuleSet } from '../rules/schema.js';
import { JUDGED_METRICS, insufficientEvidence } from './evidence.js';
import type { Finding, SeriesSet, Severity, Verdict } from './types.js';
import { SEVERITIES } from './types.js';

type Policies = RuleSet['severities'];

/** The highest severity among findings (P0 is highest), or null when there are none. */
export function highestSeverity(findings: readonly Finding[]): Severity | null {
  let best: number | null = null;
  for (const f of findings) {
    const rank = SEVERITIES.indexOf(f.severity);
    if (best === null || rank < best) best = rank;
  }
  return best === null ? null : SEVERITIES[best]!;
}

/** Whether a finding fires the rollback hooks: a breach whose severity policy says rollback. Blind never does. */
export function triggersRollback(finding: Finding, severities: Policies): boolean {
  return finding.kind === 'breach' && severities[finding.severity].rollback;
}

/** Whether a finding makes the verdict fail: a breach whose severity policy says failsVerdict. Blind never does. */
export function failsVerdict(finding: Finding, severities: Policies): boolean {
  return finding.kind === 'breach' && severities[finding.severity].failsVerdict;
}

export interface WindowVerdictInput {
  rules: Pick<RuleSet, 'minEvidence' | 'severities' | 'interval'>;
  findings: readonly Finding[];
  series: SeriesSet;
  startedAt: number;
  windowEnd: number;
}

/**
 * The verdict of a closed window, in order: fail if a finding's severity fails the verdict; inconclusive if
 * the evidence is insufficient (see insufficientEvidence), or the sources were blind or error_rate or
 * latency_p95 went silent (a release that stops reporting them cannot be called good); else pass. The reason says why.
 */
export function windowVerdict(input: WindowVerdictInput): { verdict: Verdict; reason: string } {
  const { rules, findings } = input;
  const failing = findings.find((f) => failsVerdict(f, rules.severities));
  if (failing) return { verdict: 'fail', reason: `${failing.rule} (${failing.severity}): ${failing.summary}` };
  const lacking = insufficientEvidence(input);
  if (lacking !== null) return { verdict: 'inconclusive', reason: lacking };
  const judged = (kind: Finding['kind']): Finding[] => findings.filter((f) => f.kind === kind && (JUDGED_METRICS as readonly string[]).includes(f.metric));
  const blind = judged('blind');
  if (blind.length > 0) {
    return { verdict: 'inconclusive', reason: `metric source blind: ${blind.map((f) => f.summary).join('; ')}` };
  }
  const silent = judged('silent');
  if (silent.length > 0) return { verdict: 'inconclusive', reason: silent.map((f) => f.summary).join('; ') };
  const notFailing = findings.length === 0 ? 'no findings' : `${findings.length} finding(s), none failing the verdict`;
  return { verdict: 'pass', reason: `window closed with ${notFailing}` };
}
