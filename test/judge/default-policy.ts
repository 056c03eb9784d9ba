// Test helper: a RuleSet with the shipped default policy (30m window, 1m steps, 1h baseline), built in code.
import type { RuleSet } from '../../src/rules/schema.js';
import { POLICY, rule, ruleSet } from './rule-set.js';

/** The default rules and policy, as rules/default.yaml states them, independent of that file. */
export function defaultPolicy(): RuleSet {
  return ruleSet(
    [
      rule({ name: 'outage-error-rate', metric: 'error_rate', severity: 'P0', when: 'value >= 0.25', lookback: '2m', test: 'counts', confidence: 0.999 }),
      rule({ name: 'outage-silence', metric: 'throughput', severity: 'P0', when: 'ratio < 0.1', lookback: '2m', test: 'requests', tolerance: 0.9, confidence: 0.999 }),
      rule({ name: 'error-rate-spike', metric: 'error_rate', severity: 'P1', when: { all: ['ratio > 5', 'value > 0.01'] }, lookback: '2m', test: 'counts', confidence: 0.999 }),
      rule({ name: 'latency-regression-severe', metric: 'latency_p95', severity: 'P1', when: 'change > 200%', lookback: '3m', test: 'mann-whitney', confidence: 0.999, warmup: '3m' }),
      rule({ name: 'error-rate-high', metric: 'error_rate', severity: 'P2', when: { all: ['value > 0.01', 'ratio > 1.5'] }, lookback: '5m', test: 'counts', for: '2m' }),
      rule({ name: 'latency-regression', metric: 'latency_p95', severity: 'P2', when: 'change > 20%', lookback: '5m', test: 'mann-whitney', tolerance: 0.1, warmup: '5m', for: '3m' }),
      rule({ name: 'cpu-regression', metric: 'cpu', per: 'throughput', severity: 'P2', when: 'change > 20%', lookback: '5m', test: 'mann-whitney', warmup: '5m', for: '3m' }),
      rule({ name: 'memory-growth', metric: 'memory', severity: 'P2', when: { all: ['change > 5%', 'slope > 0.2', 'slope(5m) > 0.2'] }, lookback: '10m', test: 'mann-whitney', warmup: '10m', breaches: '8 of 12' }),
      rule({ name: 'throughput-drop', metric: 'throughput', severity: 'P2', when: 'change < -50%', lookback: '3m', test: 'mann-whitney', for: '2m' }),
      rule({ name: 'latency-drift', metric: 'latency_p95', severity: 'P3', when: 'change > 10%', lookback: '5m', test: 'mann-whitney', warmup: '5m', for: '5m' }),
    ],
    {
      window: 1800,
      interval: 60,
      baseline: { kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 },
      minEvidence: { throughput: 0.1, samples: 3, requests: 300, extend: 900 },
      severities: POLICY,
    },
  );
}
