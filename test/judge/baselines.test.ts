// Baseline kinds (pre-deploy, week-ago, control, previous-deploys) and the fallback to pre-deploy.
import { describe, expect, it } from 'vitest';
import { median, medianAndSpread, WEEK } from '../../src/judge/baseline.js';
import { judge } from '../../src/judge/judge.js';
import type { Observations, Point } from '../../src/judge/types.js';
import { Baseline } from '../../src/rules/schema.js';
import { DEPLOY, T0, history, minutes, rule, ruleSet } from './rule-set.js';

/** ten points a minute over [from, from + 10 min) */
const span = (from: number, value: number): Point[] => Array.from({ length: 10 }, (_, i): Point => [from + i * 60, value]);
/** Series must be sorted by time, as sources and the recording reader guarantee. */
const sorted = (...parts: Point[][]): Point[] => parts.flat().sort((a, b) => a[0] - b[0]);
const lat = (baseline: Record<string, unknown>) => rule({ name: 'lat', metric: 'latency_p95', severity: 'P2', when: 'change > 20%', baseline });
/** The rule's findings: these series stop after a few minutes, and their silence is tested in silence.test.ts. */
const run = (baseline: Record<string, unknown>, obs: Observations) => {
  const j = judge(ruleSet([lat(baseline)]), DEPLOY, obs, T0 + 600);
  return { ...j, findings: j.findings.filter((f) => f.kind !== 'silent') };
};
const during = minutes(200, 200, 200);

describe('baselines', () => {
  it('pre-deploy: the hour (here 10 minutes) before the deploy', () => {
    const [f] = run({ kind: 'pre-deploy', duration: '10m' }, { series: { latency_p95: [...history(100), ...during] } }).findings;
    expect(f?.evidence?.baseline).toEqual({ kind: 'pre-deploy', fellBackFrom: null, median: 100, spread: 0, count: 10, from: T0 - 600, to: T0 - 60 });
  });

  it('week-ago: the same span a week earlier, through the window, for diurnal services', () => {
    // Tonight's traffic peak makes the last hour low; a week ago at this time latency was already 190.
    const series = { latency_p95: sorted(span(T0 - WEEK - 600, 190), span(T0 - WEEK, 190), history(100), during) };
    expect(run({ kind: 'week-ago', duration: '10m' }, { series }).findings).toEqual([]);
    expect(run({ kind: 'pre-deploy', duration: '10m' }, { series }).findings).toHaveLength(1);
  });

  it('control: the stable fleet over the same time, for canaries', () => {
    const control = { latency_p95: [...history(190), ...minutes(195, 195, 195)] };
    const j = run({ kind: 'control', duration: '10m' }, { series: { latency_p95: [...history(100), ...during] }, control });
    expect(j.findings).toEqual([]);
    const worse = run({ kind: 'control', duration: '10m' }, { series: { latency_p95: [...history(100), ...minutes(300, 300, 300)] }, control });
    expect(worse.findings[0]?.evidence?.baseline).toMatchObject({ kind: 'control', fellBackFrom: null, median: 190, count: 10 });
  });

  it('previous-deploys: the windows of the last N deploys, so a routine warm-up is part of normal', () => {
    const previous = [T0 - 7200, T0 - 14400];
    const series = { latency_p95: sorted(span(T0 - 14400 + 60, 150), span(T0 - 7200 + 60, 190), history(100), during) };
    expect(run({ kind: 'previous-deploys', deploys: 1 }, { series, previousDeploys: previous }).findings).toEqual([]);
    // Two deploys back, the median of (150, 190) windows is 170: 200 is within 20% of it too.
    const [f] = run(
      { kind: 'previous-deploys', deploys: 2 },
      {
        series: {
          latency_p95: sorted(
            series.latency_p95.filter((p) => p[0] < T0),
            minutes(250, 250, 250),
          ),
        },
        previousDeploys: previous,
      },
    ).findings;
    expect(f?.evidence?.baseline).toMatchObject({ kind: 'previous-deploys', median: 170, count: 20, from: T0 - 14400 + 60, to: T0 - 7200 + 600 });
  });

  it('falls back to pre-deploy, and says so, when the chosen kind has too few points', () => {
    const [f] = run({ kind: 'week-ago', duration: '10m' }, { series: { latency_p95: [...history(100), ...during] } }).findings;
    expect(f?.evidence?.baseline).toMatchObject({ kind: 'pre-deploy', fellBackFrom: 'week-ago', median: 100 });
  });

  it('schema defaults', () => {
    expect(Baseline.parse({})).toEqual({ kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 });
  });
});

describe('median', () => {
  // What median computed before it sorted in place and selected: a typed array's sort, -0 before +0, NaN last.
  const bySort = (values: number[]): number | null => {
    if (values.length === 0) return null;
    const sorted = Float64Array.from(values).sort();
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };

  it('gives exactly the sorted middle, sign of zero included, for few and many values with ties, zeros, infinities and NaN', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const special = [0, -0, NaN, Infinity, -Infinity, 1, 1, -1, 2.5, 1e-300];
    for (let k = 0; k < 3000; k++) {
      const n = Math.floor(random() * (k % 2 === 0 ? 20 : 400));
      const values = Array.from({ length: n }, () => (random() < 0.4 ? special[Math.floor(random() * special.length)]! : Math.round(random() * 20) - 10));
      expect(Object.is(median(values), bySort(values)), JSON.stringify(values.map(String))).toBe(true);
    }
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Object.is(median([0, -0, 0]), 0)).toBe(true);
    expect(Object.is(median([0, -0, -0]), -0)).toBe(true);
    expect(median(Array.from({ length: 1001 }, (_, i) => 1000 - i))).toBe(500);
  });

  it('medianAndSpread gives exactly median and the median of the absolute deviations from it', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const special = [0, -0, NaN, Infinity, -Infinity, 1, 1, -1, 2.5, 1e-300];
    for (let k = 0; k < 2000; k++) {
      const n = 1 + Math.floor(random() * (k % 2 === 0 ? 20 : 300));
      const values = Array.from({ length: n }, () => (random() < 0.3 ? special[Math.floor(random() * special.length)]! : random() * 200 - 100));
      const m = median(values)!;
      const stats = medianAndSpread(values)!;
      const what = JSON.stringify(values.map(String));
      expect(Object.is(stats.median, m), what).toBe(true);
      expect(Object.is(stats.spread, median(values.map((v) => Math.abs(v - m)))), what).toBe(true);
    }
    expect(medianAndSpread([])).toBeNull();
    expect(medianAndSpread([1, 2, 4, 100])).toStrictEqual({ median: 3, spread: 1.5 });
  });
});
