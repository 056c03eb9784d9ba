// Judge v2 in the judge: seasonal and trend-aware baselines, sequential tests with alpha, shadow rules.
import { describe, expect, it } from 'vitest';
import { fitModelBaseline, seasonalModel, theilSenLine } from '../../src/judge/baseline-model.js';
import { judge } from '../../src/judge/judge.js';
import type { Finding, Judgement, Observations, Point } from '../../src/judge/types.js';
import { Baseline } from '../../src/rules/schema.js';
import { Random } from '../scenarios/random.js';
import { DEPLOY, T0, rule, ruleSet } from './rule-set.js';

const DAY = 86_400;
/** A daily cycle: 100 ± 40, peaking at T0 + 30 min, one point a minute; `extra(t)` adds a regression. */
function daily(from: number, to: number, extra: (t: number) => number = () => 0, noise = 0, seed = 1): Point[] {
  const r = new Random(seed);
  const out: Point[] = [];
  for (let t = from; t <= to; t += 60)
    out.push([
      t,
      100 + 40 * Math.cos((2 * Math.PI * (t - T0 - 1800)) / DAY) * 1 + 40 * Math.sin((2 * Math.PI * (t - T0)) / 7200) + extra(t) + noise * r.normal(),
    ]);
  return out;
}

describe('seasonal baseline', () => {
  const config = Baseline.parse({ kind: 'seasonal', period: '1d', periods: 3, duration: '1h' });

  it('expects the same minutes of earlier days, level-adjusted to the last pre-deploy hour', () => {
    // Today runs 10 above the earlier days: the model adds that shift, so its level at T0 + 10m is the
    // earlier days' value there + 10.
    const earlier = [1, 2, 3].flatMap((k) => daily(T0 - k * DAY - 3600, T0 - k * DAY + 1800));
    const today = daily(T0 - 3600, T0 + 1800, () => 10);
    const points = [...earlier, ...today].sort((a, b) => a[0] - b[0]);
    const model = seasonalModel(points, config, T0, 60)!;
    const expected = daily(T0 + 600, T0 + 600)[0]![1] + 10;
    expect(model.level(T0 + 600)).toBeCloseTo(expected, 9);
    expect(model.periodsUsed).toBe(3);
    expect(Math.max(...model.residuals.map((r) => Math.abs(r[1])))).toBeLessThan(1e-9);
  });

  it('is robust to a missing period: the median of the others', () => {
    const points = [2, 3].flatMap((k) => daily(T0 - k * DAY - 3600, T0 - k * DAY + 1800)).concat(daily(T0 - 3600, T0));
    const model = seasonalModel(
      points.sort((a, b) => a[0] - b[0]),
      config,
      T0,
      60,
    )!;
    expect(model.periodsUsed).toBe(2);
    expect(model.level(T0 + 900)).toBeCloseTo(daily(T0 + 900, T0 + 900)[0]![1], 9);
  });

  it('a daily cycle is not a regression; the same cycle plus 30% is', () => {
    const lat = rule({
      name: 'lat',
      metric: 'kpi',
      severity: 'P1',
      when: 'change > 20%',
      lookback: '3m',
      test: 'sequential-shift',
      alpha: 0.01,
      baseline: { kind: 'seasonal', duration: '1h' },
    });
    const history = [1, 2, 3].flatMap((k) => daily(T0 - k * DAY - 3600, T0 - k * DAY + 1800, () => 0, 2, k));
    const run = (extra: (t: number) => number): Judgement =>
      judge(
        ruleSet([lat], { window: 1800 }),
        DEPLOY,
        { series: { kpi: [...history, ...daily(T0 - 3600, T0 + 1800, extra, 2, 9)].sort((a, b) => a[0] - b[0]) } },
        T0 + 1800,
      );
    expect(run(() => 0)).toMatchObject({ verdict: 'pass', findings: [] });
    const pre = judge(
      ruleSet([{ ...lat, baseline: Baseline.parse({ duration: '1h' }) }], { window: 1800 }),
      DEPLOY,
      { series: { kpi: daily(T0 - 3600, T0 + 1800, () => 0, 2, 9) } },
      T0 + 1800,
    );
    expect(pre.rollback).toBe(true); // the plain pre-deploy baseline mistakes the cycle's climb for a regression
    const bad = run((t) => (t > T0 + 300 ? 45 : 0));
    expect(bad).toMatchObject({ rollback: true });
    expect(bad.findings[0]!.evidence!.baseline).toMatchObject({ kind: 'seasonal', periodsUsed: 3 });
  });

  it('falls back to pre-deploy, and says so, when the earlier periods have no data', () => {
    const fit = fitModelBaseline(config, T0, 1800, 60, daily(T0 - 3600, T0));
    expect(fit).toMatchObject({ kind: 'pre-deploy', fellBackFrom: 'seasonal' });
  });
});

describe('trend-aware baseline', () => {
  it('Theil-Sen line: exact on a line, unmoved by a third of outliers', () => {
    const line: Point[] = Array.from({ length: 30 }, (_, i) => [T0 + i * 60, 5 + 0.5 * i]);
    const dirty = line.map(([t, v], i): Point => [t, i % 3 === 0 ? v + 1000 : v]);
    expect(theilSenLine(line)).toMatchObject({ slope: 0.5 / 60, intercept: 5, t0: T0 });
    expect(theilSenLine(dirty)!.slope).toBeCloseTo(0.5 / 60, 9);
  });

  it('a KPI already climbing at the deploy is not a regression with trend: true; a jump on top of it is', () => {
    const climb = (jump: number): Point[] => Array.from({ length: 91 }, (_, i): Point => [T0 - 3600 + i * 60, 100 + i + (i > 65 ? jump : 0) + ((i * 7) % 5)]);
    const r = (trend: boolean) =>
      rule({ name: 'kpi', metric: 'kpi', severity: 'P1', when: 'change > 10%', test: 'sequential-shift', alpha: 0.01, baseline: { duration: '1h', trend } });
    const run = (trend: boolean, jump: number): Judgement => judge(ruleSet([r(trend)], { window: 1800 }), DEPLOY, { series: { kpi: climb(jump) } }, T0 + 1800);
    expect(run(false, 0).rollback).toBe(true);
    expect(run(true, 0)).toMatchObject({ verdict: 'pass', findings: [] });
    const bad = run(true, 60);
    expect(bad.rollback).toBe(true);
    expect(bad.findings[0]!.evidence!.baseline!.slopePerHour).toBeCloseTo(60, 0);
  });
});

describe('sequential tests in the judge', () => {
  const flat = (from: number, to: number, level: (t: number) => number, seed: number): Point[] => {
    const r = new Random(seed);
    const out: Point[] = [];
    for (let t = from; t <= to; t += 60) out.push([t, level(t) * Math.exp(0.05 * r.normal())]);
    return out;
  };
  const shift = rule({
    name: 'lat',
    metric: 'latency_p95',
    severity: 'P1',
    when: 'change > 20%',
    test: 'sequential-shift',
    alpha: 0.001,
    baseline: { duration: '1h' },
  });
  const errors = rule({
    name: 'err',
    metric: 'error_rate',
    severity: 'P1',
    when: 'ratio > 2',
    test: 'sequential-counts',
    alpha: 0.001,
    baseline: { duration: '1h' },
  });
  const obs = (onset: number): Observations => ({
    series: {
      latency_p95: flat(T0 - 3600, T0 + 1800, (t) => (t > T0 + onset ? 300 : 100), 1),
      error_rate: flat(T0 - 3600, T0 + 1800, (t) => (t > T0 + onset ? 0.05 : 0.005), 2),
      throughput: flat(T0 - 3600, T0 + 1800, () => 50, 3),
    },
  });

  it('flags a regression within minutes, with the martingale and its threshold as evidence', () => {
    const [err, lat] = [errors, shift].map((r) => {
      const j = judge(ruleSet([r], { window: 1800 }), DEPLOY, obs(300), T0 + 1800);
      expect(j.rollback).toBe(true);
      return j.findings[0]!;
    }) as [Finding, Finding];
    expect(err.at - (T0 + 300)).toBeLessThanOrEqual(120);
    expect(lat.at - (T0 + 300)).toBeLessThanOrEqual(240);
    expect(err.evidence!.test).toMatchObject({ test: 'sequential-counts', threshold: 2000 });
    expect(lat.evidence!.test).toMatchObject({ test: 'sequential-shift', alternative: 'greater', threshold: 1000, baselineN: 60 });
    expect(lat.evidence!.alpha).toBe(0.001);
    const t = lat.evidence!.test as { eValue: number; threshold: number; pValue: number };
    expect(t.eValue).toBeGreaterThanOrEqual(t.threshold);
    expect(t.pValue).toBeLessThanOrEqual(0.001);
  });

  it('a healthy deploy passes', () => {
    expect(judge(ruleSet([shift, errors], { window: 1800 }), DEPLOY, obs(1e9), T0 + 1800)).toMatchObject({ verdict: 'pass', findings: [] });
  });

  it('judging at each step agrees with judging the whole window (live equals replay)', () => {
    const rules = ruleSet([shift, errors], { window: 1800 });
    const data = obs(600);
    let live: Judgement | undefined;
    for (let now = T0 + 60; now <= T0 + 1800; now += 60) {
      const seen = { series: Object.fromEntries(Object.entries(data.series).map(([m, p]) => [m, p.filter((x) => x[0] <= now)])) };
      live = judge(rules, DEPLOY, seen, now);
      if (live.state === 'done') break;
    }
    expect(judge(rules, DEPLOY, data, T0 + 1800)).toEqual(live);
  });

  it('alpha belongs to sequential tests only', () => {
    expect(() => rule({ name: 'x', metric: 'cpu', severity: 'P2', when: 'change > 5%', test: 'mann-whitney', alpha: 0.01 })).toThrow(
      /alpha is the error bound of a sequential test/,
    );
  });
});

describe('z condition', () => {
  it('z: distance from the baseline in robust standard deviations (1.4826 x MAD)', () => {
    // Baseline 90..110 (MAD 5, scale 7.413): 150 is z = 50 / 7.413 = 6.745.
    const history: Point[] = Array.from({ length: 10 }, (_, i): Point => [T0 - 600 + i * 60, [90, 95, 100, 105, 110][i % 5]!]);
    const series = { kpi: [...history, ...Array.from({ length: 10 }, (_, i): Point => [T0 + (i + 1) * 60, 150])] };
    const run = (when: unknown): Judgement => judge(ruleSet([rule({ name: 'k', metric: 'kpi', severity: 'P3', when })]), DEPLOY, { series }, T0 + 600);
    expect(run('z > 6.7').findings).toHaveLength(1);
    expect(run('z > 6.8').findings).toHaveLength(0);
    expect(() => rule({ name: 'k', metric: 'kpi', severity: 'P3', when: 'z > 4%' })).toThrow(/takes a percent; value, ratio, slope and z are plain numbers/);
  });
});

describe('shadow rules', () => {
  it('judged and shown with their findings, never rolling back or failing the verdict', () => {
    const spike = rule({ name: 'spike', metric: 'error_rate', severity: 'P1', when: 'value > 0.01', mode: 'shadow' });
    const calm = rule({ name: 'calm', metric: 'error_rate', severity: 'P1', when: 'value > 0.5' });
    const series = { error_rate: Array.from({ length: 10 }, (_, i): Point => [T0 + (i + 1) * 60, 0.05]) };
    const j = judge(ruleSet([spike, calm]), DEPLOY, { series }, T0 + 600);
    expect(j).toMatchObject({ state: 'done', verdict: 'pass', rollback: false, severity: null });
    expect(j.findings).toMatchObject([{ rule: 'spike', shadow: true, severity: 'P1', at: T0 + 60 }]);
  });
});
