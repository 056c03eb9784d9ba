// Test helper: a RuleSet with the shipped default policy (30m window, 1m steps, 1h baseline), built in code.
import type { RuleSet } from '../../src/rules/schema.js';
import { POLICY, rule, ruleSet } from './rule-set.js';

/** The default rules and policy, as rules/default.yaml states them, independent of that file. */
export function defaultPolicy(): RuleSet {
  return ruleSet(
    [
      rule({ name: 'outage-error-rate', metric: 'error_rate', severity: 'P0', when: 'value >= 0.25', for: '1m' }),
      rule({ name: 'error-rate-spike', metric: 'error_rate', severity: 'P1', when: { all: ['value > 0.01', 'ratio > 5'] }, for: '2m' }),
      rule({ name: 'latency-regression-severe', metric: 'latency_p95', severity: 'P1', when: 'change > 200%', for: '2m' }),
      rule({ name: 'latency-regression', metric: 'latency_p95', severity: 'P2', when: 'change > 20%', for: '2m' }),
      rule({ name: 'cpu-high', metric: 'cpu', severity: 'P2', when: 'value > 0.7', for: '5m' }),
      rule({ name: 'memory-high', metric: 'memory', severity: 'P2', when: 'value > 0.8', for: '5m' }),
      rule({ name: 'latency-drift', metric: 'latency_p95', severity: 'P3', when: 'change > 10%', for: '5m' }),
    ],
    { window: 1800, interval: 60, baseline: { kind: 'pre-deploy', duration: 3600 }, minEvidence: { throughput: 0.1, samples: 3 }, severities: POLICY },
  );
}
