// Silent vs blind (DESIGN §5): outage by silence, the request count test, silent findings and blind spots.
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { Silence } from '../../src/judge/silence.js';
import { requestTest, silentStepsTest } from '../../src/judge/stats/request-test.js';
import type { BlindSpot, Observations, Point } from '../../src/judge/types.js';
import { DEPLOY, T0, minutes, rule, ruleSet } from './rule-set.js';

const close = (actual: number, expected: number, rel = 1e-9): void => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

describe('request test (negative binomial lower tail)', () => {
  it('Poisson when the baseline is not overdispersed (scipy poisson.cdf reference)', () => {
    const base = { steps: 2, baselineCounts: [60, 60, 60], tolerance: 0.9 };
    const none = requestTest({ ...base, requests: 0 })!;
    expect(none).toMatchObject({ expected: expect.closeTo(12, 9), dispersion: null });
    close(none.pValue, 6.144212353328207e-6); // poisson.cdf(0, 12)
    close(requestTest({ ...base, requests: 2 })!.pValue, 0.0005222580500328981); // poisson.cdf(2, 12)
  });
  it('negative binomial fitted to a bursty baseline (scipy nbinom.cdf reference)', () => {
    const bursty = { steps: 2, baselineCounts: [0, 20, 0, 20, 10, 10] };
    const r = requestTest({ ...bursty, requests: 0, tolerance: 0 })!;
    close(r.dispersion!, 100 / 70);
    close(r.pValue, 0.00262871131373507); // nbinom.cdf(0, 2r, r / (r + 10))
    close(requestTest({ ...bursty, requests: 3, tolerance: 0 })!.pValue, 0.03600102291388733);
    // At "still serving 10%" a quiet spell of a service whose baseline already had empty minutes is no evidence.
    close(requestTest({ ...bursty, requests: 0, tolerance: 0.9 })!.pValue, 0.21957076265145994);
  });
  it('a busy service serving nothing is overwhelming evidence even with a wandering baseline', () => {
    const counts = [3000, 3100, 2900, 3050, 2950, 3000, 3200, 2800];
    close(requestTest({ steps: 2, baselineCounts: counts, requests: 0, tolerance: 0.9 })!.pValue, 6.426085249019307e-220, 1e-6);
  });
  it('no baseline: no test', () => {
    expect(requestTest({ steps: 2, baselineCounts: [], requests: 0, tolerance: 0.9 })).toBeNull();
  });
  it('silent steps against how often the service was silent before (+1/+2 correction)', () => {
    close(silentStepsTest(2, 2, 0, 60), (1 / 62) ** 2);
    expect(silentStepsTest(1, 2, 0, 60)).toBe(1);
  });
});

/** One point a minute over the hour before T0. */
const hour = (value: number | ((i: number) => number)): Point[] =>
  Array.from({ length: 60 }, (_, i): Point => [T0 - 3600 + i * 60, typeof value === 'number' ? value : value(i)]);
const repeat = (value: number | null, n: number): Array<number | null> => Array.from({ length: n }, () => value);
const outage = rule({
  name: 'outage-silence',
  metric: 'throughput',
  severity: 'P0',
  when: 'ratio < 0.1',
  lookback: '2m',
  test: 'requests',
  tolerance: 0.9,
  confidence: 0.999,
});
const rules = ruleSet([outage], { baseline: { kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 } });
const run = (obs: Observations, now = T0 + 600) => judge(rules, DEPLOY, obs, now);
/** A service at `rps` with error_rate and latency_p95 reporting every minute before the deploy. */
const service = (rps: number, after: { throughput?: Array<number | null>; error_rate?: Array<number | null>; latency_p95?: Array<number | null> }) => ({
  throughput: [...hour(rps), ...minutes(...(after.throughput ?? repeat(rps, 10)))],
  error_rate: [...hour(0.002), ...minutes(...(after.error_rate ?? repeat(0.002, 10)))],
  latency_p95: [...hour(120), ...minutes(...(after.latency_p95 ?? repeat(120, 10)))],
});

describe('outage by silence (test: requests)', () => {
  it('crash: throughput 0 and no error_rate or latency points rolls back on the second silent step', () => {
    const series = service(50, { throughput: [50, 0, 0, 0, 0], error_rate: [0.002], latency_p95: [120] });
    const j = run({ series });
    expect(j).toMatchObject({ verdict: 'fail', severity: 'P0', rollback: true, rollbackAt: T0 + 180 });
    const [f] = j.findings;
    expect(f).toMatchObject({ rule: 'outage-silence', kind: 'breach', at: T0 + 180, observed: 0, baseline: 50 });
    expect(f!.summary).toBe('the service went silent: 0 requests in 2m, 600 expected even at 10% of the baseline (50 req/s)');
    expect(f!.evidence?.test).toMatchObject({ test: 'requests', requests: 0, steps: 2, expected: expect.closeTo(600, 9), dispersion: null });
  });
  it('vanish: every series stops while the source answers is the same outage', () => {
    const j = run({ series: service(50, { throughput: [50], error_rate: [0.002], latency_p95: [120] }) });
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 180 });
    expect(j.findings[0]).toMatchObject({
      rule: 'outage-silence',
      evidence: { note: '2 of 2 steps silent: the source answered without data, counted as 0 requests' },
    });
  });
  it('blind is not silent: the same missing points with source errors never roll back', () => {
    const blind: BlindSpot[] = [2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((m) =>
      ['throughput', 'error_rate', 'latency_p95'].map((metric): BlindSpot => ({ metric, at: T0 + m * 60, kind: 'error', message: 'HTTP 503' })),
    );
    const j = run({ series: service(50, { throughput: [50], error_rate: [0.002], latency_p95: [120] }), blind });
    expect(j).toMatchObject({ rollback: false, verdict: 'inconclusive' });
    expect(j.findings.map((f) => [f.rule, f.kind])).toEqual([
      ['source-blind:throughput', 'blind'],
      ['source-blind:error_rate', 'blind'],
      ['source-blind:latency_p95', 'blind'],
    ]);
  });
  it('a service at 0.2 req/s going quiet for a few minutes is not an outage', () => {
    const quiet = service(0.2, { throughput: [0.2, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2], error_rate: [0, null, null, null, 0, 0, 0, 0, 0, 0] });
    expect(run({ series: quiet }).findings.filter((f) => f.rule === 'outage-silence')).toEqual([]);
  });
  it('a missing throughput point while error_rate still reports is a gap, not silence', () => {
    const j = run({ series: service(50, { throughput: [50, null, null, 50, 50, 50, 50, 50, 50, 50] }) });
    expect(j.findings).toEqual([]);
  });
  it('requests falling to 3% of the baseline (health checks only) is near zero', () => {
    const j = run({ series: service(50, { throughput: [50, 1.5, 1.5, 1.5] }) });
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 180 });
    expect(j.findings[0]!.summary).toMatch(/^requests fell to near zero: 180 requests in 2m/);
  });
  it('without throughput data: judged on silent steps, silence having been rare before the deploy', () => {
    const { error_rate, latency_p95 } = service(50, { error_rate: [0.002], latency_p95: [120] });
    const j = run({ series: { error_rate, latency_p95 } });
    expect(j).toMatchObject({ rollback: true, rollbackAt: T0 + 180 });
    expect(j.findings[0]!.evidence?.test).toEqual({ test: 'silent-steps', silent: 2, steps: 2, baselineSilent: 0, baselineSteps: 59, pValue: (1 / 61) ** 2 });
  });
});

describe('silent findings and the verdict', () => {
  it('one judged metric that stops while the service serves: a P3 silent finding and an inconclusive verdict', () => {
    const series = service(50, { latency_p95: [120, 120] });
    const slow = rule({ name: 'latency-slow', metric: 'latency_p95', severity: 'P2', when: 'change > 50%' });
    const judgingLatency = ruleSet([outage, slow], { baseline: { kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 } });
    const j = judge(judgingLatency, DEPLOY, { series }, T0 + 600);
    expect(j).toMatchObject({ state: 'done', verdict: 'inconclusive', rollback: false });
    expect(j.findings).toEqual([expect.objectContaining({ rule: 'source-silent:latency_p95', kind: 'silent', severity: 'P3', at: T0 + 300, clearedAt: null })]);
    expect(j.reason).toBe('latency_p95 silent: the metric source answers, but has had no latency_p95 data since 2m after the deploy (it had data before)');
  });
  it('clears when the metric reports again; a no-data answer for a metric that had data is not blindness', () => {
    const series = service(50, { latency_p95: [120, null, null, null, 120, 120, 120, 120, 120, 120] });
    const blind: BlindSpot[] = [{ metric: 'latency_p95', at: T0 + 180, kind: 'no-data', message: 'no data' }];
    const j = run({ series, blind });
    expect(j.findings).toEqual([expect.objectContaining({ rule: 'source-silent:latency_p95', at: T0 + 240, clearedAt: T0 + 300 })]);
  });
  it('a query that never returned data is blind (no-data), not silent', () => {
    const blind: BlindSpot[] = [{ metric: 'health', at: T0 + 60, kind: 'no-data', message: 'no data' }];
    const j = run({ series: service(50, {}), blind });
    expect(j.findings).toEqual([expect.objectContaining({ rule: 'source-blind:health', kind: 'blind', condition: 'source returned no data' })]);
    expect(j.verdict).toBe('pass');
  });
  it('what the service served, step by step', () => {
    const series = service(50, { throughput: [50, null, 0], error_rate: [0.002, 0.002], latency_p95: [120, 120] });
    const s = new Silence({ series, blind: [{ metric: 'throughput', at: T0 + 240, kind: 'error', message: 'x' }], startedAt: T0, interval: 60, history: 3600 });
    expect([1, 2, 3, 4, 5].map((m) => s.requestsAt(T0 + m * 60))).toEqual([3000, null, 0, null, 0]);
    expect(s.requestMetrics()).toEqual(['throughput', 'error_rate', 'latency_p95']);
  });
});
