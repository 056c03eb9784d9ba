// The judging options of a rule (lookback, test, breaches, warmup, per, baseline, slope) through the real schema.
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { Rule } from '../../src/rules/schema.js';
import { removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

const base = { name: 'r', metric: 'error_rate', severity: 'P1', when: 'value > 0.01' };

const issues0 = (input: object) => Rule.safeParse({ ...base, ...input }).error?.issues.map((i) => i.message) ?? [];

describe('rule options', () => {
  it('defaults: no lookback, no test, 99% confidence, no warm-up, clear after 3 steps, fail open', () => {
    expect(Rule.parse(base)).toMatchObject({ for: 0, test: 'none', confidence: 0.99, tolerance: 0, warmup: 0, clearAfter: 3, failClosed: false });
    expect(Rule.parse(base).lookback).toBeUndefined();
  });

  it('parses durations, N of M, baselines and slope conditions', () => {
    const r = Rule.parse({
      ...base,
      when: 'slope > 0.2',
      lookback: '5m',
      warmup: '90s',
      breaches: '3 of 5',
      baseline: { kind: 'control', duration: '30m' },
      test: 'counts',
    });
    expect(r).toMatchObject({
      lookback: 300,
      warmup: 90,
      breaches: { count: 3, of: 5 },
      baseline: { kind: 'control', duration: 1800, deploys: 3, minPoints: 10 },
    });
    expect(r.when).toEqual({ all: [{ subject: 'slope', op: '>', threshold: 0.2, text: 'slope > 0.2' }] });
  });

  it('slope(5m): the slope over the most recent span; test: requests on throughput', () => {
    const r = Rule.parse({ ...base, when: { all: ['slope > 0.2', 'slope( 5m ) >= 0.1'] }, lookback: '10m' });
    expect(r.when).toEqual({
      all: [
        { subject: 'slope', op: '>', threshold: 0.2, text: 'slope > 0.2' },
        { subject: 'slope', op: '>=', threshold: 0.1, over: 300, text: 'slope(5m) >= 0.1' },
      ],
    });
    expect(Rule.parse({ ...base, metric: 'throughput', when: 'ratio < 0.1', test: 'requests' }).test).toBe('requests');
  });

  it('refuses what cannot be judged, saying how to fix it', () => {
    const bad = (when: string) => JSON.stringify(Rule.safeParse({ ...base, when }).error?.issues);
    expect(bad('slope(soon) > 0.2')).toContain('is not a duration; write e.g.');
    expect(bad('ratio(5m) > 2')).toContain('only slope takes a duration');
    expect(issues0({ metric: 'error_rate', test: 'requests' })).toEqual([
      'test: requests counts the requests served, so it needs metric: throughput and no per',
    ]);
    const issues = (input: object) => Rule.safeParse({ ...base, ...input }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ breaches: '5 of 3' })).toEqual(['"5 of 3" is not N of M; write it like "3 of 5" (1 <= N <= M)']);
    expect(JSON.stringify(Rule.safeParse({ ...base, when: 'slope > 20%' }).error?.issues)).toContain(
      'only \\"change\\" takes a percent; value, ratio, slope and z are plain numbers',
    );
    expect(issues({ test: 'counts', per: 'throughput' })).toEqual(['test: counts already weighs errors by requests; drop per']);
    expect(issues({ confidence: 1 })).toHaveLength(1);
  });

  it('a rule file naming an undeclared per metric is located and explained', async () => {
    const dir = await ruleDir({ 'default.yaml': `rules:\n  - {name: c, metric: cpu, severity: P2, when: change > 20%, per: requests}\n` });
    await expect(loadRules(dir)).rejects.toThrow(/default\.yaml:2:\d+: rules\[0\]\.per: unknown metric "requests" to divide by/);
  });
});
