// The comparison judge of the benchmark: the seeds' thresholds as plain rules, acting at the first breaching point.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A rule directory's default.yaml for a fixed-threshold judge (Argo Rollouts / Flagger style): the same
 * thresholds release-guard's defaults use, but no statistics, no lookback, no persistence and no warm-up.
 */
export const FIXED_THRESHOLD_RULES = `# Fixed-threshold judge: the seeds' thresholds, rollback at the first breaching point.
version: 1
window: 30m
interval: 1m
baseline: { kind: pre-deploy, duration: 1h }
minEvidence: { throughput: 0.1, samples: 3 }
severities:
  P0: { rollback: true, failsVerdict: true }
  P1: { rollback: true, failsVerdict: true }
  P2: { rollback: false, failsVerdict: true }
  P3: { rollback: false, failsVerdict: false }
rules:
  - { name: outage-error-rate, metric: error_rate, severity: P0, when: value >= 0.25 }              # seeds/004 critical
  - { name: error-rate-spike, metric: error_rate, severity: P1, when: { all: [ratio > 5, value > 0.01] } }  # seeds/002, seeds/003
  - { name: latency-regression-severe, metric: latency_p95, severity: P1, when: change > 200% }    # seeds/003
  - { name: error-rate-high, metric: error_rate, severity: P2, when: value > 0.01 }                 # seeds/004 alert
  - { name: latency-regression, metric: latency_p95, severity: P2, when: change > 20% }            # seeds/002
  - { name: latency-slow, metric: latency_p95, severity: P2, when: value > 1000 }                  # seeds/004
  - { name: cpu-high, metric: cpu, severity: P2, when: value > 0.7 }                               # seeds/004
  - { name: memory-high, metric: memory, severity: P2, when: value > 0.8 }                         # seeds/004
`;

/**
 * The benchmark's three rule sets as [name, directory]: the shipped rules and the v1 rules of the checkout at `root`,
 * and the fixed-threshold judge (its default.yaml written into a new temporary directory).
 */
export function benchmarkRuleDirs(root: string): Array<readonly [name: string, dir: string]> {
  const fixed = mkdtempSync(join(tmpdir(), 'rg-fixed-rules-'));
  writeFileSync(join(fixed, 'default.yaml'), FIXED_THRESHOLD_RULES);
  return [
    ['rules/', join(root, 'rules')],
    ['bench/rules-v1', join(root, 'bench/rules-v1')],
    ['fixed-threshold', fixed],
  ];
}
