// observationPlan: the ranges the live watcher fetches so the judge sees what replay sees.
import { describe, expect, it } from 'vitest';
import { WEEK } from '../../src/judge/baseline.js';
import { observationPlan, previousDeploysWanted, watchedMetrics } from '../../src/judge/plan.js';
import { DEPLOY, T0, rule, ruleSet } from './rule-set.js';

const errors = rule({ name: 'err', metric: 'error_rate', severity: 'P1', when: 'value > 0.01', lookback: '2m', test: 'counts' });
const cpu = rule({ name: 'cpu', metric: 'cpu', per: 'throughput', severity: 'P2', when: 'change > 20%' });

describe('observationPlan', () => {
  it('first tick: the pre-deploy history of every watched metric through the due step', () => {
    const plan = observationPlan(ruleSet([errors, cpu]), DEPLOY, { from: null, to: T0 + 60 });
    expect(plan).toEqual([
      { scope: 'deploy', metric: 'error_rate', start: T0 - 600, end: T0 + 60 },
      { scope: 'deploy', metric: 'throughput', start: T0 - 600, end: T0 + 60 },
      { scope: 'deploy', metric: 'cpu', start: T0 - 600, end: T0 + 60 },
    ]);
  });

  it('seasonal rules add the same span through the window in each earlier period, once', () => {
    const kpi = rule({
      name: 'k',
      metric: 'orders',
      severity: 'P2',
      when: 'change < -20%',
      baseline: { kind: 'seasonal', period: '1d', periods: 2, duration: '10m' },
    });
    const plan = observationPlan(ruleSet([kpi]), DEPLOY, { from: null, to: T0 + 60 });
    expect(plan.filter((q) => q.metric === 'orders')).toEqual([
      { scope: 'deploy', metric: 'orders', start: T0 - 600, end: T0 + 60 },
      { scope: 'deploy', metric: 'orders', start: T0 - 86_400 - 600, end: T0 - 86_400 + 600 },
      { scope: 'deploy', metric: 'orders', start: T0 - 2 * 86_400 - 600, end: T0 - 2 * 86_400 + 600 },
    ]);
    expect(observationPlan(ruleSet([kpi]), DEPLOY, { from: T0 + 60, to: T0 + 120 }).filter((q) => q.metric === 'orders')).toHaveLength(1);
  });

  it('later ticks: only the new steps', () => {
    const plan = observationPlan(ruleSet([errors]), DEPLOY, { from: T0 + 60, to: T0 + 120 });
    expect(plan.map((q) => [q.metric, q.start, q.end])).toEqual([
      ['error_rate', T0 + 60, T0 + 120],
      ['throughput', T0 + 60, T0 + 120],
    ]);
  });

  it('week-ago, previous-deploys and control rules add their history once, control every tick', () => {
    const weekAgo = rule({ name: 'w', metric: 'latency_p95', severity: 'P2', when: 'change > 20%', baseline: { kind: 'week-ago', duration: '10m' } });
    const previous = rule({ name: 'p', metric: 'memory', severity: 'P2', when: 'change > 20%', baseline: { kind: 'previous-deploys', deploys: 1 } });
    const control = rule({
      name: 'c',
      metric: 'error_rate',
      severity: 'P2',
      when: 'ratio > 2',
      test: 'counts',
      baseline: { kind: 'control', duration: '10m' },
    });
    const rules = ruleSet([weekAgo, previous, control]);
    expect(previousDeploysWanted(rules)).toBe(1);
    const first = observationPlan(rules, DEPLOY, { from: null, to: T0 + 60 }, [T0 - 7200, T0 - 9000]);
    expect(first.filter((q) => q.end < T0 || q.scope === 'control')).toEqual([
      { scope: 'deploy', metric: 'latency_p95', start: T0 - WEEK - 600, end: T0 - WEEK + 600 },
      { scope: 'deploy', metric: 'memory', start: T0 - 7200, end: T0 - 7200 + 600 },
      { scope: 'control', metric: 'error_rate', start: T0 - 600, end: T0 + 60 },
      { scope: 'control', metric: 'throughput', start: T0 - 600, end: T0 + 60 },
    ]);
    // the pre-deploy history reaches back as far as the longest baseline duration (previous-deploys: 1h default)
    expect(first.filter((q) => q.scope === 'deploy' && q.end === T0 + 60).map((q) => q.start)).toEqual([T0 - 3600, T0 - 3600, T0 - 3600, T0 - 3600]);
    const later = observationPlan(rules, DEPLOY, { from: T0 + 60, to: T0 + 120 });
    expect(later.filter((q) => q.scope === 'control').map((q) => [q.metric, q.start])).toEqual([
      ['error_rate', T0 + 60],
      ['throughput', T0 + 60],
    ]);
  });

  it('watches throughput always, and the per metric of a rule', () => {
    expect(watchedMetrics(ruleSet([rule({ name: 'l', metric: 'latency_p95', severity: 'P2', when: 'value > 1', per: 'queue' })]))).toEqual([
      'latency_p95',
      'queue',
      'throughput',
    ]);
    expect(previousDeploysWanted(ruleSet([errors]))).toBe(0);
  });
});
