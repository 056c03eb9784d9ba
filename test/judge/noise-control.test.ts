// Each noise-control behaviour of the judge on small hand-made series (T0 = deploy start, 1-minute steps).
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import type { Observations, Point } from '../../src/judge/types.js';
import type { Rule, RuleSet } from '../../src/rules/schema.js';
import { DEPLOY, T0, history, minutes, rule, ruleSet } from './rule-set.js';

const P1 = (over: Record<string, unknown> & { when: unknown }): Rule => rule({ name: 'r', metric: 'error_rate', severity: 'P1', ...over });
/** The rules' findings: these series stop after a few minutes, and their silence is tested in silence.test.ts. */
const run = (rules: Rule[], obs: Observations, now = T0 + 600, set: Partial<RuleSet> = {}) => {
  const j = judge(ruleSet(rules, set), DEPLOY, obs, now);
  return { ...j, findings: j.findings.filter((f) => f.kind !== 'silent') };
};
/** A baseline that wanders: base x (1 ± amp), ten points over the 10 minutes before T0. */
const wandering = (base: number, amp: number): Point[] =>
  Array.from({ length: 10 }, (_, i): Point => [T0 - 600 + i * 60, base * (1 + amp * Math.sin(i * 1.7))]);
const flat = (value: number, n = 10): Array<number | null> => Array.from({ length: n }, () => value);

describe('lookback: the median of the recent points', () => {
  const blip = { series: { error_rate: [...history(0.002), ...minutes(0.002, 0.3, 0.002, 0.002)] } };
  it('a one-point blip never moves a median of three', () => {
    expect(run([P1({ when: 'value > 0.01', lookback: '3m' })], blip).findings).toEqual([]);
  });
  it('without a lookback the same blip is a finding at once', () => {
    expect(run([P1({ when: 'value > 0.01' })], blip).findings.map((f) => f.at)).toEqual([T0 + 120]);
  });
  it('two points (a gap in a lookback of three): the less harmful one counts, so one outlier still cannot breach', () => {
    const gap = { series: { error_rate: [...history(0.002), ...minutes(0.002, null, 0.3, 0.002)] } };
    expect(run([P1({ when: 'value > 0.01', lookback: '3m' })], gap).findings).toEqual([]);
  });
  it('a persistent rise breaches on its second point with a 2-minute lookback', () => {
    const j = run([P1({ when: 'value > 0.01', lookback: '2m' })], { series: { error_rate: [...history(0.002), ...minutes(0.002, 0.05, 0.05, 0.05)] } });
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 180 });
    expect(j.findings[0]).toMatchObject({ observed: 0.05, evidence: { lookback: 120, points: 2, persistence: 'breached at one step' } });
  });
});

describe('persistence: for and N of M', () => {
  const pattern = { series: { error_rate: minutes(0.05, 0.001, 0.05, 0.05, 0.001, 0.05) } };
  it('breaches "3 of 4" tolerates one clear step in between', () => {
    const j = run([P1({ when: 'value > 0.01', breaches: '3 of 4' })], pattern);
    expect(j.findings).toMatchObject([{ at: T0 + 240, evidence: { persistence: '3 of the last 4 steps' } }]);
  });
  it('for 2m needs three consecutive breaching steps, which this pattern never has', () => {
    expect(run([P1({ when: 'value > 0.01', for: '2m' })], pattern).findings).toEqual([]);
  });
  it('for and breaches together are refused by the schema', () => {
    expect(() => P1({ when: 'value > 0.01', for: '1m', breaches: '2 of 3' })).toThrow(/either for .* or breaches/);
  });
});

describe('warm-up grace', () => {
  const latency = (...v: Array<number | null>) => ({ series: { latency_p95: [...history(100), ...minutes(...v)] } });
  const lat = (over: Record<string, unknown>): Rule => rule({ name: 'lat', metric: 'latency_p95', severity: 'P2', when: 'change > 50%', ...over });
  it('a start-up spike that settles within the grace period is not judged', () => {
    expect(run([lat({ warmup: '3m' })], latency(300, 250, 180, 100, 100, 100)).findings).toEqual([]);
    expect(run([lat({})], latency(300, 250, 180, 100, 100, 100)).findings.map((f) => f.at)).toEqual([T0 + 60]);
  });
  it('a regression present from the start is caught at the first judged step, its lookback reaching into the warm-up', () => {
    const j = run([lat({ warmup: '3m', lookback: '3m' })], latency(...flat(300, 8)));
    expect(j.findings.map((f) => [f.at, f.observed])).toEqual([[T0 + 240, 300]]);
  });
});

describe('hysteresis: clearAfter', () => {
  const rise = (...after: number[]) => ({ series: { error_rate: [...history(0.002), ...minutes(0.05, 0.05, ...after)] } });
  const r = (clearAfter: number) => rule({ name: 'e', metric: 'error_rate', severity: 'P2', when: 'value > 0.01', clearAfter });
  it('an established finding clears only after clearAfter clear steps, and says when', () => {
    const j = run([r(3)], rise(0.002, 0.002, 0.002, 0.002));
    expect(j.findings).toMatchObject([{ at: T0 + 60, clearedAt: T0 + 300 }]);
  });
  it('two clear steps are not enough for clearAfter 3: still active', () => {
    expect(run([r(3)], rise(0.002, 0.002, 0.05)).findings).toMatchObject([{ at: T0 + 60, clearedAt: null }]);
  });
  it('a cleared finding that comes back is active again and keeps its first time', () => {
    expect(run([r(1)], rise(0.002, 0.05)).findings).toMatchObject([{ at: T0 + 60, clearedAt: null }]);
  });
});

describe('test: counts (errors out of requests)', () => {
  const spike = (rps: number) => ({
    series: {
      error_rate: [...history(0.005), ...minutes(1 / 60, 1 / 60, 1 / 60)],
      throughput: [...history(rps), ...minutes(rps, rps, rps)],
    },
  });
  const r = P1({ when: { all: ['ratio > 3', 'value > 0.01'] }, lookback: '2m', test: 'counts', confidence: 0.999 });
  it('at 2 req/s, 2 errors a minute against a 0.5% baseline is not evidence', () => {
    const j = run([r], spike(2));
    expect(j.rollback).toBe(false);
    expect(j.findings).toEqual([]);
  });
  it('at 200 req/s the same rates are overwhelming evidence', () => {
    const j = run([r], spike(200));
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 120 });
    expect(j.findings[0]!.evidence?.test).toMatchObject({
      test: 'conditional-binomial',
      errors: 400,
      requests: 24000,
      baselineErrors: 600,
      baselineRequests: 120000,
    });
  });
  it('a lookback of two intervals with one point in it decides nothing (one outlier never decides alone)', () => {
    const obs = { series: { error_rate: [...history(0.002), ...minutes(0.3, null, 0.002)], throughput: [...history(200), ...minutes(200, 200, 200)] } };
    expect(run([r], obs).findings).toEqual([]);
  });
  it('without throughput it falls back to the plain rates, every point in the lookback breaching', () => {
    const obs = { series: { error_rate: [...history(0.002), ...minutes(0.002, 0.05, 0.05, 0.05)] } };
    const j = run([P1({ when: 'value > 0.01', lookback: '2m', test: 'counts' })], obs);
    expect(j.findings).toMatchObject([
      { at: T0 + 180, evidence: { test: null, note: 'no throughput to count errors: every point in the lookback had to breach' } },
    ]);
  });
});

describe('a test that cannot run', () => {
  it('without any history an outage still rolls back, on every point of the lookback instead of a test', () => {
    const obs = { series: { error_rate: minutes(0.6, 0.6, 0.6), throughput: minutes(50, 50, 50) } };
    const j = run([P1({ when: 'value >= 0.25', lookback: '2m', test: 'counts', confidence: 0.999 })], obs);
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 120 });
    expect(j.findings[0]?.evidence).toMatchObject({
      baseline: null,
      test: null,
      note: 'no baseline to test against: every point in the lookback had to breach',
    });
  });
  it('counts stand for the spacing of the points: 30-second points are not counted as a minute each', () => {
    const half = (v: number, n: number, from: number): Point[] => Array.from({ length: n }, (_, i): Point => [T0 + from + i * 30, v]);
    const obs = { series: { error_rate: [...half(0.002, 20, -600), ...half(0.05, 4, 30)], throughput: [...half(10, 20, -600), ...half(10, 4, 30)] } };
    const [f] = run([P1({ when: 'value > 0.01', lookback: '2m', test: 'counts' })], obs, T0 + 120).findings;
    // at T0 + 60 the lookback holds three points of 30 s at 10 req/s (one before the deploy): 900 requests,
    // 0.2% of 300 + 5% of 600 failed; the 20 baseline points are 6000 requests
    expect(f?.at).toBe(T0 + 60);
    expect(f?.evidence?.test).toMatchObject({ errors: 31, requests: 900, baselineErrors: 12, baselineRequests: 6000 });
  });
});

describe('test: mann-whitney', () => {
  const r = rule({ name: 'lat', metric: 'latency_p95', severity: 'P2', when: 'change > 10%', lookback: '3m', test: 'mann-whitney' });
  it('a rise within the baseline noise is not significant', () => {
    const obs = { series: { latency_p95: [...wandering(100, 0.3), ...minutes(115, 112, 118)] } };
    expect(run([r], obs).findings).toEqual([]);
  });
  it('a rise above every baseline point is, with the statistic and p-value kept', () => {
    const obs = { series: { latency_p95: [...wandering(100, 0.05), ...minutes(150, 151, 152)] } };
    const [f] = run([r], obs).findings;
    expect(f?.at).toBe(T0 + 180);
    expect(f?.evidence?.test).toMatchObject({ test: 'mann-whitney', alternative: 'greater', u: 30, n: 3, baselineN: 10 });
    expect(f?.evidence?.test?.pValue).toBeCloseTo(1 / 286, 10); // exact: 1 / C(13, 3)
  });
});

describe('fail-closed rules and blind sources', () => {
  it('a failClosed rule breaches on steps without data and may roll back', () => {
    const j = run([P1({ when: 'value > 0.01', failClosed: true, for: '1m' })], { series: { error_rate: minutes(0.001) } });
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 180 });
    expect(j.findings[0]).toMatchObject({ observed: null, condition: 'value > 0.01 (fail-closed: no data counts as a breach)' });
  });
  it('a blind source does not extend the window: inconclusive on time', () => {
    const blind = [{ metric: 'error_rate', at: T0 + 60, kind: 'error' as const, message: 'refused' }];
    const j = run([P1({ when: 'value > 0.01' })], { series: {}, blind }, T0 + 1200, { minEvidence: { throughput: 0, samples: 3, requests: 0, extend: 600 } });
    expect(j).toMatchObject({ state: 'done', verdict: 'inconclusive', evaluatedAt: T0 + 600 });
  });
});

describe('minimum evidence and window extension', () => {
  const quiet = (rps: number, n: number) => ({ series: { error_rate: minutes(...flat(0.001, n)), throughput: minutes(...flat(rps, n)) } });
  const set = { minEvidence: { throughput: 0, samples: 3, requests: 600, extend: 300 } };
  it('too few requests by the window end: keeps watching through the extension', () => {
    expect(run([], quiet(0.5, 15), T0 + 660, set)).toMatchObject({ state: 'watching', verdict: null, windowEnd: T0 + 900 });
  });
  it('passes as soon as the extended window has enough requests', () => {
    const j = run([], quiet(0.9, 15), T0 + 900, set);
    expect(j).toMatchObject({
      state: 'done',
      verdict: 'pass',
      evaluatedAt: T0 + 720,
      reason: 'window closed with no findings (window extended by 2m for evidence)',
    });
  });
  it('inconclusive when even the extension does not gather enough', () => {
    const j = run([], quiet(0.2, 15), T0 + 900, set);
    expect(j).toMatchObject({
      state: 'done',
      verdict: 'inconclusive',
      evaluatedAt: T0 + 900,
      reason: 'not enough requests: 180 in the window, need 600 (window extended by 5m for evidence)',
    });
  });
});

describe('per: judging a metric per unit of another', () => {
  const r = rule({ name: 'cpu', metric: 'cpu', per: 'throughput', severity: 'P2', when: 'change > 20%', lookback: '3m' });
  it('a traffic surge that raises CPU in proportion is not a regression', () => {
    const obs = { series: { cpu: [...history(0.3), ...minutes(0.6, 0.6, 0.6)], throughput: [...history(100), ...minutes(200, 200, 200)] } };
    expect(run([r], obs).findings).toEqual([]);
  });
  it('more CPU for the same traffic is', () => {
    const obs = { series: { cpu: [...history(0.3), ...minutes(0.45, 0.45, 0.45)], throughput: [...history(100), ...minutes(100, 100, 100)] } };
    const [f] = run([r], obs).findings;
    expect(f).toMatchObject({ at: T0 + 120, baseline: 0.003, summary: 'cpu per throughput 0.0045 vs baseline 0.003 (1.5x baseline)' });
    expect(f?.observed).toBeCloseTo(0.0045, 12);
  });
});

describe('memory-growth: a leak keeps climbing, a warm-up ramp levels off', () => {
  const growth = rule({
    name: 'memory-growth',
    metric: 'memory',
    severity: 'P2',
    when: { all: ['change > 5%', 'slope > 0.2', 'slope(5m) > 0.2'] },
    lookback: '10m',
    test: 'mann-whitney',
    warmup: '10m',
    breaches: '8 of 12',
  });
  const wobble = (i: number): number => 0.004 * Math.sin(i * 2.3);
  const memory = (f: (m: number) => number): Point[] => [
    ...Array.from({ length: 60 }, (_, i): Point => [T0 - 3600 + i * 60, 0.5 + wobble(i)]),
    ...Array.from({ length: 30 }, (_, i): Point => [T0 + (i + 1) * 60, 0.5 + f(i + 1) + wobble(i + 60)]),
  ];
  const judgeMemory = (f: (m: number) => number) =>
    judge(
      ruleSet([growth], { window: 1800, baseline: { kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 } }),
      DEPLOY,
      { series: { memory: memory(f) } },
      T0 + 1800,
    );
  it.each([
    ['a linear ramp of 15% over 12 minutes', (m: number) => 0.15 * Math.min(1, m / 12)],
    ['an exponential approach to +20% (5-minute time constant)', (m: number) => 0.2 * (1 - Math.exp(-m / 5))],
    ['a jump of 8% and a creep of 8% more over 10 minutes', (m: number) => 0.08 + 0.08 * Math.min(1, m / 10)],
  ])('%s is not a leak', (_, f) => {
    expect(judgeMemory(f)).toMatchObject({ severity: null, findings: [] });
  });
  it.each([
    ['0.5% of the limit a minute', 0.005, T0 + 18 * 60],
    ['2% a minute', 0.02, T0 + 18 * 60],
  ])('a leak of %s is caught, growth holding over the lookback and the last 5 minutes', (_, perMinute, at) => {
    const j = judgeMemory((m) => perMinute * m);
    expect(j).toMatchObject({ verdict: 'fail', severity: 'P2', rollback: false });
    expect(j.findings[0]).toMatchObject({ rule: 'memory-growth', at, evidence: { persistence: '8 of the last 8 steps' } });
  });
});

describe('slope: still climbing', () => {
  const r = rule({ name: 'leak', metric: 'memory', severity: 'P2', when: { all: ['change > 5%', 'slope > 0.2'] }, lookback: '5m', for: '3m' });
  it('memory above baseline and climbing 0.6 of its limit an hour is a leak', () => {
    const obs = { series: { memory: [...history(0.5), ...minutes(0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.59)] } };
    const [f] = run([r], obs).findings;
    expect(f?.at).toBe(T0 + 480);
    expect(f?.evidence?.slope).toBeCloseTo(0.6, 10);
  });
  it('memory that rose once and stays flat is not', () => {
    const obs = { series: { memory: [...history(0.5), ...minutes(...flat(0.56, 8))] } };
    expect(run([r], obs).findings).toEqual([]);
  });
});
